"""The client's address for rate limits and login lockout, behind TRUSTED_PROXY_COUNT reverse proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or with N trusted proxies the N-th address from the right of X-Forwarded-For.

    Only the entries the trusted proxies appended are believed: anything further left was written by the
    client and could be forged to dodge a limit. None when there is no valid address (a request built in
    code, e.g. the test client's force_login): axes stores it in an inet column, which refuses other text.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
