"""Sliding-window counters in Django's cache: how often one client did something in the last `window`
seconds (docs/decisions.md D132).

Each window is cut into BUCKETS slices, one counter per slice (an atomic `incr` in Redis); a client's count
is the sum of the slices that overlap the last `window` seconds, the oldest one whole. So every hit of the
last `window` seconds is counted (a hit is forgotten between `window` and `window + window/BUCKETS`
seconds later), and a client that reached the limit can do at most `limit` counted things in any period of
`window` seconds, wherever the period starts. The fixed window this replaces allowed twice the limit
across a window boundary (40 misses in 2 s with a limit of 20).

The cache is an optimisation, never a dependency (D131): when the shared cache (CACHE_URL, Redis) does not
answer, counting goes on in this process's memory, with one logged warning per outage, and goes back to
the shared cache RETRY_SECONDS later. Without CACHE_URL each web process counts alone.
"""

import logging
import math
import threading
import time
from collections.abc import Callable

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

BUCKETS = 10
RETRY_SECONDS = 10  # after a failure, the shared cache is left alone this long

_local = LocMemCache("kit-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 100_000}})
_state = {"down": False, "retry_at": 0.0}
_lock = threading.Lock()


def count_hit(*, scope: str, client: str, window: int) -> None:
    """Count one hit now (one `add` and one `incr` of the current slice)."""
    now = time.time()
    slice_seconds = window / BUCKETS
    key = _keys(scope, client, window, now)[-1]
    timeout = math.ceil(window + 2 * slice_seconds) + 1

    def incr(store: BaseCache) -> None:
        store.add(key, 0, timeout=timeout)
        try:
            store.incr(key)
        except ValueError:  # expired between add and incr
            store.add(key, 1, timeout=timeout)

    _with_cache(incr)


def is_limited(*, scope: str, client: str, limit: int, window: int) -> bool:
    """Whether `client` already has `limit` hits of `scope` in the last `window` seconds."""
    return sum(_counts(scope, client, window, time.time())) >= limit


def retry_after(*, scope: str, client: str, limit: int, window: int) -> int:
    """Seconds until `client` is under the limit again (0 when it is now), as slices leave the window."""
    now = time.time()
    counts = _counts(scope, client, window, now)
    total = sum(counts)
    if total < limit:
        return 0
    slice_seconds = window / BUCKETS
    current = int(now // slice_seconds)
    for dropped, count in enumerate(counts):  # oldest first; slice current-BUCKETS+k leaves at +k+1
        total -= count
        if total < limit:
            return max(1, math.ceil((current + 1 + dropped) * slice_seconds - now))
    return max(1, math.ceil(window))


def _keys(scope: str, client: str, window: int, now: float) -> list[str]:
    """The keys of the BUCKETS + 1 slices overlapping the last `window` seconds, oldest first."""
    current = int(now // (window / BUCKETS))
    return [f"ratelimit:{scope}:{window}:{client}:{index}" for index in range(current - BUCKETS, current + 1)]


def _counts(scope: str, client: str, window: int, now: float) -> list[int]:
    keys = _keys(scope, client, window, now)
    found = _with_cache(lambda store: store.get_many(keys))
    return [int(found.get(key) or 0) for key in keys]


def _with_cache[T](operation: Callable[[BaseCache], T]) -> T:
    """`operation(cache)`, or `operation(local memory)` while the shared cache does not answer."""
    if time.monotonic() >= _state["retry_at"]:
        try:
            result = operation(cache)
        except Exception:  # any error of the cache's client: connection refused, timeout, protocol
            with _lock:
                if not _state["down"]:
                    logger.warning(
                        "rate limits: the shared cache does not answer; counting in this process until "
                        "it does",
                        exc_info=True,
                    )
                _state["down"], _state["retry_at"] = True, time.monotonic() + RETRY_SECONDS
        else:
            if _state["down"]:
                logger.warning("rate limits: the shared cache answers again")
                _state["down"] = False
            return result
    return operation(_local)


def shared_cache_state() -> str:
    """'ok' when the shared cache answers a round trip, 'error' otherwise (for /healthz)."""
    try:
        cache.get("ratelimit:health")
    except Exception:
        logger.warning("health check: the shared cache does not answer", exc_info=True)
        return "error"
    return "ok"
