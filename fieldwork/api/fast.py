"""The hot path of POST /api/v1/field/responses/: a device's submission, answered without DRF's request
machinery and with the token and the assignment read in one round trip (docs/decisions.md D460).

It takes only the usual request of a device, and only once it knows it can answer exactly as the DRF view
would: a `Token` key, a JSON body of a declared length within the view's limit, no query string, an
Accept that gives JSON, a body the guarded parser and the fast submission parser accept, a token that
opens the API. Anything else, including every error a client can make in the request itself (no or bad
token, malformed or too-deep body, another media type, a body only the serializer can judge), goes to
the DRF view untouched (the body stays readable: Django keeps `request.body`), which answers as before.
What the service answers (created, duplicate, conflict, invalid, forbidden) is then rendered by DRF's
own JSON renderer with the view's own headers. tests/fieldwork/test_fast_submission.py sends the same
requests both ways and compares status, headers, body and the rows stored.

Settings: FIELD_API_FAST_PATH (default on) turns it off; the DRF view then takes every request.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from rest_framework.compat import split_header_value
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from kit import safeinput
from respondents.authentication import check_token
from respondents.models import ApiToken

from ..models import Assignment, FieldRecord
from ..services.reads import read_token_and_assignment
from ..services.submissions import SubmissionContext, submit_field_response
from .parsers import MAX_DEPTH
from .results import STATUS_CODES, result_body
from .serializers import parse_submission

# The Accept values for which DRF's negotiation picks the JSON renderer without looking further.
_JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})


def in_front_of(view: Callable[..., HttpResponse], instance: APIView) -> Callable[..., HttpResponse]:
    """The DRF view `view` (from `as_view()`) with the fast path in front of its POST. `instance` is one
    of its views, for the limit, the renderer and the headers it answers with. The result keeps the
    view's attributes (cls, initkwargs, csrf_exempt), so that URL resolution, the schema and CSRF see
    the DRF view."""
    limit = instance.max_body_bytes
    renderer = JSONRenderer()
    instance.setup(HttpRequest())  # as for every request: HEAD answered by GET, so allowed
    headers = dict(instance.default_response_headers)
    vary = headers.pop("Vary", None)
    varies = list(split_header_value(vary)) if vary is not None else []
    assert type(instance.get_renderers()[0]) is JSONRenderer, "JSON must be the view's first renderer"

    def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method == "POST" and settings.FIELD_API_FAST_PATH:
            answered = _submit(request, limit)
            if answered is not None:
                status, body = answered
                # What a DRF Response rendered by the view's JSON renderer holds (the same bytes and
                # Content-Type), then the headers APIView.finalize_response adds.
                response = HttpResponse(
                    renderer.render(body, renderer.media_type, {}),
                    status=status,
                    content_type=renderer.media_type,
                )
                if varies:
                    patch_vary_headers(response, varies)
                for key, value in headers.items():
                    response[key] = value
                return response
        return view(request, *args, **kwargs)

    functools.update_wrapper(answer, view)
    return answer


def _submit(request: HttpRequest, limit: int) -> tuple[int, dict] | None:
    """The view's answer to a device's usual submission (status, body), or None to leave the request to
    the DRF view."""
    meta = request.META
    if (
        meta.get("CONTENT_TYPE") != "application/json"
        or meta.get("QUERY_STRING")
        or meta.get("HTTP_ACCEPT", "") not in _JSON_ACCEPTS
    ):
        return None
    declared = meta.get("CONTENT_LENGTH", "")
    if not declared.isdigit() or not 0 < int(declared) <= limit:
        return None
    # TokenAuthentication: "Token <key>", the keyword in any case, one key without spaces.
    credentials = meta.get("HTTP_AUTHORIZATION", "").split()
    if len(credentials) != 2 or credentials[0].lower() != "token" or not credentials[1].isascii():
        return None
    try:
        data = safeinput.loads(request.body, max_bytes=limit, max_depth=MAX_DEPTH)
    except safeinput.UnsafeInput:
        return None
    submission = parse_submission(data, source=FieldRecord.Source.API)
    if submission is None:
        return None
    found = _read(credentials[1], submission.assignment_id)
    if found is None:
        return None
    user, token, assignment = found
    try:
        check_token(token)
    except AuthenticationFailed:
        return None
    # As DRF's Request does once authenticated: the middleware after the view sees the device's user.
    request.user, request.auth = user, token  # type: ignore[attr-defined]
    context = SubmissionContext(user)
    context.admit(submission.assignment_id, assignment)
    result = submit_field_response(submission=submission, context=context)
    return STATUS_CODES[result.status], result_body(result)


def _read(key: str, assignment_id: int) -> tuple[User, ApiToken, Assignment | None] | None:
    """The combined read, which is also this request's health check of a persistent connection
    (CONN_HEALTH_CHECKS): Django would first send `SELECT 1` and replace a connection that fails it; here
    the read goes first and, if it fails because the connection is broken (the database was restarted),
    the connection is replaced and the read, which changes nothing, is sent once more. One round trip
    where there were two."""
    checking = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if not checking:
        return read_token_and_assignment(key, assignment_id)
    connection.health_check_done = True
    try:
        return read_token_and_assignment(key, assignment_id)
    except DatabaseError:
        if connection.is_usable():
            raise  # not a broken connection: the error is the read's own
        connection.close()
        return read_token_and_assignment(key, assignment_id)
