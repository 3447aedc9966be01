"""Settings come from the environment with safe defaults."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config import celery_app

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(expr: str, **env) -> subprocess.CompletedProcess:
    code = f"import django; from django.conf import settings; django.setup(); print({expr})"
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        check=False,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _settings_value("settings.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_generates_a_development_key():
    result = _settings_value("len(settings.SECRET_KEY) >= 50", DEBUG="1")
    assert result.stdout.strip() == "True"


def test_database_url_chooses_the_database():
    result = _settings_value(
        "settings.DATABASES['default']['ENGINE']",
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/x",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"
    default = _settings_value("settings.DATABASES['default']['ENGINE']", DEBUG="1")
    assert default.stdout.strip() == "django.db.backends.sqlite3"


def test_language_and_time_zone_are_vietnamese():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_tasks_run_in_process_without_a_broker_and_reach_redis_with_one():
    if not settings.CELERY_BROKER_URL:
        assert celery_app.conf.task_always_eager is True
        return
    # Scale-out run (CI sets CELERY_BROKER_URL): the broker must really answer.
    assert celery_app.conf.task_always_eager is False
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=2)
        assert connection.connected
