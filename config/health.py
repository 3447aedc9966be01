"""GET /healthz: the state of each dependency of this process: database, shared cache, Celery broker.

{"status": "ok" | "degraded" | "down", "database": ..., "cache": ..., "broker": ...}, each dependency
"ok", "error" or "not configured". The HTTP status answers a load balancer's question, "can this process
serve requests?" (docs/decisions.md D130):

- 503 only when the database does not answer (status "down"): nothing can be served;
- 200 when only the cache or the broker fails (status "degraded"): every page still answers (rate limits
  count per process, kit/ratelimit.py; tasks wait for the broker), and taking every web process out of the
  pool for a Redis outage would turn a degraded site into a dead one.

Monitoring that must page someone for any failed dependency reads "status", or asks /healthz?strict=1,
which answers 503 whenever anything configured fails. The reply names only the failing part: errors
(which can contain host names or credentials) go to the log.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kit.ratelimit import shared_cache_state

from .celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 3
FINE = ("ok", "not configured")


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database(), "cache": _cache(), "broker": _broker()}
    if checks["database"] != "ok":
        overall = "down"
    elif all(state in FINE for state in checks.values()):
        overall = "ok"
    else:
        overall = "degraded"
    strict = request.GET.get("strict") == "1"
    healthy = overall == "ok" or (overall == "degraded" and not strict)
    return JsonResponse({"status": overall, **checks}, status=200 if healthy else 503)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return "error"
    return "ok"


def _cache() -> str:
    if not settings.CACHE_URL:
        return "not configured"  # per-process memory: nothing to reach
    return shared_cache_state()


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
