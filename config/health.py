"""GET /healthz: whether this process reaches its database and, when one is configured, its Celery broker.

200 {"database": "ok", "broker": "ok" | "not configured"} or 503 with "error" for what failed. The reply
names only the failing part: errors (which can contain host names or credentials) go to the log.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 3


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    return JsonResponse(checks, status=200 if healthy else 503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return "error"
    return "ok"


def _broker() -> str:
    if celery_app.conf.task_always_eager or not celery_app.conf.broker_url:
        return "not configured"
    try:
        with celery_app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception:
        logger.exception("health check: broker unreachable")
        return "error"
    return "ok"
