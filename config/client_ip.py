"""The client's address for rate limits and login lockout, behind TRUSTED_PROXY_COUNT reverse proxies."""

from django.conf import settings


def client_ip(request) -> str:
    """REMOTE_ADDR, or with N trusted proxies the N-th address from the right of X-Forwarded-For.

    Only the entries the trusted proxies appended are believed: anything further left was written by the
    client and could be forged to dodge a limit.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return forwarded[-proxies]
