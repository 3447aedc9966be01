"""Settings for the test suite: the real settings plus a fixed throwaway key and fast hashing.

DATABASE_URL still chooses the database, so the same suite runs on SQLite and PostgreSQL.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
JOBS_ROOT = BASE_DIR / ".test-media" / "jobs"  # noqa: F405
SECURE_SSL_REDIRECT = False  # the test client and live servers speak plain HTTP
# No cache: rate-limit counters would otherwise carry over from one test to the next (the same client
# address throughout); tests of the limits switch a local-memory cache on.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True
