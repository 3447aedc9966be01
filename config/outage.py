"""A database that cannot be reached (restarted, failed over, out of connections) answers 503, not 500.

Django turns every uncaught exception into the 500 handler; this handler (config/urls.py `handler500`)
looks at the exception being handled: a database connection error gives 503 with Retry-After, as JSON for
the API and JSON requests (the respondent page's autosave) and as a short page otherwise, neither touching
the database nor showing a traceback. Anything else gets the site's 500 page (config/errors.py). Nothing is
half-written: each submission is one transaction, rolled back by the database when the connection is
lost. Connections come back by themselves: a broken persistent connection is dropped at the end of the
failed request and checked before reuse (CONN_HEALTH_CHECKS), so the next request after the restart
connects again.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .errors import server_error_page, unavailable_page, wants_json

RETRY_AFTER_SECONDS = 5


def is_database_outage(exc: BaseException | None) -> bool:
    """Whether `exc` (or an exception it was raised from) is a lost or refused database connection."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_database_outage(sys.exc_info()[1]):
        return server_error_page(request)
    message = _("The service is briefly unavailable. Please try again in a moment.")
    if wants_json(request):
        response = JsonResponse({"detail": message, "code": "database_unavailable"}, status=503)
    else:
        response = unavailable_page(request, message)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
