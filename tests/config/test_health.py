"""GET /healthz: each dependency's state; 503 only when the database fails (a load balancer must not take
the site out for a cache or broker outage: D130), 503 for any failure with ?strict=1; never host names or
credentials. The cache outage under the real views is in tests/faults/test_cache_outage.py."""

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


def probe(script: str = PROBE, **env) -> dict:
    """/healthz answered by a fresh process with this environment (settings are read at start-up)."""
    unset = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "REDIS_URL")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "-c", script],
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
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "not configured",
        "broker": "not configured",
    }
    assert "no-cache" in response["Cache-Control"]


def test_healthy_with_a_broker_that_answers(client, db):
    if not settings.CELERY_BROKER_URL:
        result = probe(DATABASE_URL="sqlite:///:memory:", CELERY_BROKER_URL="redis://127.0.0.1:6379/7")
        if result["status"] == 503:  # no Redis on this machine: covered by the PostgreSQL/Redis run
            return
        assert result["status"] == 200
        assert json.loads(result["body"]) == {
            "status": "ok",
            "database": "ok",
            "cache": "not configured",
            "broker": "ok",
        }
        return
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "ok" and response.json()["status"] == "ok"


PROBE_STRICT = PROBE.replace('"/healthz"', '"/healthz?strict=1"')


def test_a_broker_that_does_not_answer_is_degraded_not_down_naming_it_without_its_address():
    port = free_port()  # nothing listens there
    env = {
        "DATABASE_URL": "sqlite:///:memory:",
        "CELERY_BROKER_URL": f"redis://:s3cret-pw@127.0.0.1:{port}/0",
    }
    result = probe(**env)
    assert result["status"] == 200  # pages still answer: the load balancer keeps this process
    assert json.loads(result["body"]) == {
        "status": "degraded",
        "database": "ok",
        "cache": "not configured",
        "broker": "error",
    }
    assert "s3cret" not in result["body"] and str(port) not in result["body"]
    assert probe(PROBE_STRICT, **env)["status"] == 503


def test_a_cache_that_does_not_answer_is_degraded_and_strict_monitoring_gets_503(settings, client, db):
    port = free_port()  # nothing listens there
    settings.CACHE_URL = f"redis://:s3cret-pw@127.0.0.1:{port}/1"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.CACHE_URL}
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"] == "error" and response.json()["status"] == "degraded"
    body = response.content.decode()
    assert "s3cret" not in body and str(port) not in body
    assert client.get("/healthz?strict=1").status_code == 503


def test_a_database_that_does_not_answer_gives_503_naming_it_without_its_address():
    port = free_port()
    result = probe(DATABASE_URL=f"postgres://parindex:s3cret-pw@127.0.0.1:{port}/parindex")
    assert result["status"] == 503
    assert json.loads(result["body"]) == {
        "status": "down",
        "database": "error",
        "cache": "not configured",
        "broker": "not configured",
    }
    assert "s3cret" not in result["body"] and "parindex" not in result["body"]


def test_the_health_check_is_not_redirected_to_https(settings, client, db):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code in (200, 503)
    assert client.get("/accounts/login/").status_code == 301
