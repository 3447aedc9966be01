"""The current request's client address, so that services deep down can record it without a request."""

import contextvars

from kit.client_ip import client_ip

current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_current_ip", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)
