"""Fixed-window counters in Django's cache: how often one client did something within a window.

With the per-process local-memory cache each web process counts alone; production sets CACHE_URL (Redis)
so that every process and machine shares the counts.
"""

import time

from django.core.cache import cache


def _key(scope: str, client: str, window: int) -> str:
    return f"ratelimit:{scope}:{client}:{int(time.time() // window)}"


def is_limited(*, scope: str, client: str, limit: int, window: int) -> bool:
    """Whether `client` already reached `limit` hits of `scope` in the current window of `window` seconds."""
    return (cache.get(_key(scope, client, window)) or 0) >= limit


def count_hit(*, scope: str, client: str, window: int) -> int:
    """Count one hit; returns the count in the current window."""
    key = _key(scope, client, window)
    cache.add(key, 0, timeout=window + 1)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return 1


def seconds_left(window: int) -> int:
    return max(1, int(window - time.time() % window))
