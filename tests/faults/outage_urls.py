"""The project's URLs plus views that fail, for test_outage_responses.py and tests/config/test_error_pages.py
(the same error handlers as config.urls)."""

from django.db import InterfaceError, OperationalError
from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as project_urls

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def database_gone(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def connection_closed(request):
    try:
        raise OSError("server closed the connection unexpectedly")
    except OSError as exc:
        raise InterfaceError("connection already closed") from exc


def bug(request):
    raise ValueError("a programming error")


urlpatterns = [
    path("broken/database/", database_gone),
    path("api/v1/broken/", connection_closed),
    path("broken/bug/", bug),
    *project_urls,
]
