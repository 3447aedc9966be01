"""Security tests count hits in a real (local-memory) cache; the rest of the suite runs without one."""

import pytest
from django.core.cache import cache


@pytest.fixture
def counting_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()
