"""`manage.py check --deploy` is clean under a production-like environment (DEBUG unset, a real key, hosts
and a PostgreSQL/Redis configuration), and the production settings are what the operator expects."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "khaosat.snv.laocai.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://khaosat.snv.laocai.gov.vn",
    "SITE_URL": "https://khaosat.snv.laocai.gov.vn",
    "DATABASE_URL": "postgres://parindex@127.0.0.1:5432/parindex",  # not connected to by the checks
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "TRUSTED_PROXY_COUNT": "1",
}


def run(args: list[str], **env) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "REDIS_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset and not k.startswith("SECURE_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        timeout=120,
        check=False,
    )


def test_the_deployment_checks_report_no_warning_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_the_deployment_checks_do_warn_about_a_development_set_up():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


PRINT = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE, "
    "settings.CACHES['default']['BACKEND'].rsplit('.', 1)[1], settings.STORAGES['staticfiles']['BACKEND'], "
    "settings.SECURE_PROXY_SSL_HEADER, 'axes.middleware.AxesMiddleware' in settings.MIDDLEWARE)"
)


def test_production_settings_redirect_to_https_send_hsts_share_a_redis_cache_and_serve_hashed_files():
    result = run(["-c", PRINT], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "31536000",
        "True",
        "RedisCache",
        "kit.staticfiles.ManifestStaticFilesStorage",  # whitenoise's, JS source maps left as they are
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",
    ]


def test_development_settings_need_no_service():
    result = run(["-c", PRINT], DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:5] == [
        "False",
        "0",
        "False",
        "LocMemCache",
        "django.contrib.staticfiles.storage.StaticFilesStorage",
    ]


def test_the_example_environment_lists_every_variable_the_settings_read():
    read = set(
        re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z_]+)"', (ROOT / "config/settings.py").read_text())
    )
    example = (ROOT / "deploy/env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    mentioned = set(re.findall(r"\b([A-Z][A-Z0-9_]{2,})\b", example))
    development_only = {"ALLOW_GENERATED_SECRET_KEY"}
    assert read - development_only - mentioned == set()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"} <= listed
    assert "DEBUG" in mentioned
