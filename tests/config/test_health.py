"""GET /healthz: 200 when the database (and the broker, when one is configured) answer; 503 naming what
failed otherwise, without host names or credentials."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.surveys.sending_setup import free_port

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="localhost")
print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
"""


def probe(**env) -> dict:
    """/healthz answered by a fresh process with this environment (settings are read at start-up)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings_test", **env},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthy_without_a_broker_says_the_broker_is_not_configured(client, db):
    if settings.CELERY_BROKER_URL:  # the scale-out run: see the next test
        return
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_healthy_with_a_broker_that_answers(client, db):
    if not settings.CELERY_BROKER_URL:
        result = probe(DATABASE_URL="sqlite:///:memory:", CELERY_BROKER_URL="redis://127.0.0.1:6379/7")
        if result["status"] == 503:  # no Redis on this machine: covered by the PostgreSQL/Redis run
            return
        assert result == {"status": 200, "body": '{"database": "ok", "broker": "ok"}'}
        return
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_a_broker_that_does_not_answer_gives_503_naming_it_without_its_address():
    port = free_port()  # nothing listens there
    result = probe(
        DATABASE_URL="sqlite:///:memory:", CELERY_BROKER_URL=f"redis://:s3cret-pw@127.0.0.1:{port}/0"
    )
    assert result["status"] == 503
    assert json.loads(result["body"]) == {"database": "ok", "broker": "error"}
    assert "s3cret" not in result["body"] and str(port) not in result["body"]


def test_a_database_that_does_not_answer_gives_503_naming_it_without_its_address():
    port = free_port()
    result = probe(DATABASE_URL=f"postgres://parindex:s3cret-pw@127.0.0.1:{port}/parindex")
    assert result["status"] == 503
    assert json.loads(result["body"]) == {"database": "error", "broker": "not configured"}
    assert "s3cret" not in result["body"] and "parindex" not in result["body"]


def test_the_health_check_is_not_redirected_to_https(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/accounts/login/").status_code == 301
