"""POST /api/v1/field/responses/ answers the same through its fast path (fieldwork/api/fast.py) as through
the DRF view (FIELD_API_FAST_PATH off): the same request sent both ways gets the same status, headers and
body, and stores the same rows; the requests the fast path leaves alone reach the DRF view."""

import datetime
import json
import re
import uuid

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from fieldwork.api.views import ResponseListCreate
from fieldwork.models import FieldRecord
from respondents.models import ApiToken
from surveys.models import Response
from tests.fieldwork.conftest import payload, token_key

URL = "/api/v1/field/responses/"
pytestmark = pytest.mark.django_db

# What differs between two submissions of the same content: their ids, UUIDs and times.
# (The browsable API's page shows them HTML-escaped, and a CSRF token of its own.)
_VARYING = re.compile(r'"(id|client_uuid|received_at)":\s*("[^"]*"|[0-9]+)')
_CSRF = re.compile(r'(csrfmiddlewaretoken" value=|csrfToken": )"[^"]*"')


def _normalised(content: bytes) -> str:
    text = content.decode().replace("&quot;", '"')
    return _CSRF.sub(r"\1…", _VARYING.sub(lambda m: f'"{m.group(1)}":"…"', text))


def _answer(client: Client, body: bytes, fast: bool, **headers):
    with override_settings(FIELD_API_FAST_PATH=fast):
        return client.generic("POST", headers.pop("path", URL), body, **headers)


def _same_both_ways(client, make_body, **headers):
    """Send the body (fresh UUID each way) with the fast path off, then on; return the DRF view's calls
    during the fast run and the two answers, after checking they agree."""
    calls = []
    original = ResponseListCreate.dispatch

    def counting(self, request, *args, **kwargs):
        calls.append(1)
        return original(self, request, *args, **kwargs)

    slow = _answer(client, make_body(), False, **dict(headers))
    ResponseListCreate.dispatch = counting
    try:
        fast = _answer(client, make_body(), True, **dict(headers))
    finally:
        ResponseListCreate.dispatch = original
    assert fast.status_code == slow.status_code
    assert _headers(fast) == _headers(slow)
    assert _normalised(fast.content) == _normalised(slow.content)
    return len(calls), slow, fast


def _headers(answer) -> dict:
    """The headers but Content-Length (ids of other lengths), checked to be the body's length."""
    headers = dict(answer.headers)
    assert int(headers.pop("Content-Length", len(answer.content))) == len(answer.content)
    return headers


def _token_headers(user, **more) -> dict:
    return {"content_type": "application/json", "HTTP_AUTHORIZATION": f"Token {token_key(user)}", **more}


def _json(of, **changes):
    return lambda: json.dumps({**payload(of), **changes}).encode()


def _row(response_id: int) -> dict:
    stamped = {"id", "client_uuid", "started_at", "updated_at", "submitted_at"}
    response = Response.objects.filter(pk=response_id).values().get()
    record = FieldRecord.objects.filter(response_id=response_id).values().get()
    return {
        **{k: v for k, v in response.items() if k not in stamped},
        **{f"record.{k}": v for k, v in record.items() if k not in {"id", "response_id", "received_at"}},
    }


def test_a_new_submission_is_answered_and_stored_alike_without_drf(field):
    user = field["users"]["a"]
    interviewed = (timezone.now() - datetime.timedelta(hours=2)).isoformat()
    make = _json(field["assignments"]["a"], interviewed_at=interviewed, form_number="BD-7")
    drf_calls, slow, fast = _same_both_ways(Client(), make, **_token_headers(user))
    assert (drf_calls, fast.status_code) == (0, 201)
    assert _row(fast.json()["id"]) == _row(slow.json()["id"])
    assert fast.headers["Allow"] == "GET, POST, HEAD, OPTIONS" and "Accept" in fast.headers["Vary"]


def test_the_outcomes_of_the_service_are_answered_alike(field, units):
    user = field["users"]["a"]
    assignment = field["assignments"]["a"]
    client = Client()
    headers = _token_headers(user)
    future = (timezone.now() + datetime.timedelta(days=2)).isoformat()
    cases = {
        "answers missing": (_json(assignment, answers={"q1": "no"}), 400),
        "a wrong option": (_json(assignment, answers={"q1": "perhaps", "q3": 12, "q4": 4}), 400),
        "another team's assignment": (_json(field["assignments"]["c"]), 403),
        "in the future": (_json(assignment, interviewed_at=future), 400),
        "an area outside": (_json(assignment, area=units["SAPA"].pk), 400),
        "not the assignment's questionnaire": (_json(assignment, questionnaire=10**9), 400),
        "an unknown assignment": (_json(assignment, assignment=10**9), 403),
    }
    for name, (make, status) in cases.items():
        drf_calls, _slow, fast = _same_both_ways(client, make, **headers)
        assert (name, drf_calls, fast.status_code) == (name, 0, status)


def test_a_resubmission_and_a_conflict_are_answered_alike(field):
    user = field["users"]["a"]
    assignment = field["assignments"]["a"]
    client = Client()
    headers = _token_headers(user)
    answers, bodies = {}, {}
    for fast in (False, True):
        body = bodies[fast] = payload(assignment)
        first = _answer(client, json.dumps(body).encode(), fast, **dict(headers))
        again = _answer(client, json.dumps(body).encode(), fast, **dict(headers))
        changed = _answer(client, json.dumps({**body, "duration_seconds": 1}).encode(), fast, **dict(headers))
        assert [first.status_code, again.status_code, changed.status_code] == [201, 200, 409]
        assert again.json()["id"] == first.json()["id"] == changed.json()["id"]
        answers[fast] = (again, changed)
    for slow, fast in zip(answers[False], answers[True], strict=True):
        assert _headers(fast) == _headers(slow) and _normalised(fast.content) == _normalised(slow.content)
    for body in bodies.values():
        assert Response.objects.filter(client_uuid=uuid.UUID(body["client_uuid"])).count() == 1


def test_requests_the_fast_path_leaves_alone_reach_the_drf_view_and_are_answered_as_before(field):
    user = field["users"]["a"]
    assignment = field["assignments"]["a"]
    client = Client()
    token = f"Token {token_key(user)}"
    make = _json(assignment)
    cases = {
        "no credentials": ({"content_type": "application/json"}, make, 401),
        "an unknown token": (
            {"content_type": "application/json", "HTTP_AUTHORIZATION": "Token nope"},
            make,
            401,
        ),
        "a key with a space": (
            {"content_type": "application/json", "HTTP_AUTHORIZATION": f"{token} more"},
            make,
            401,
        ),
        "malformed JSON": (_token_headers(user), lambda: b'{"answers": ', 400),
        "JSON too deep": (_token_headers(user), lambda: b"[" * 50 + b"]" * 50, 400),
        "a NUL in an answer": (_token_headers(user), lambda: b'{"answers": {"q5": "\\u0000"}}', 400),
        "another media type": ({"content_type": "text/plain", "HTTP_AUTHORIZATION": token}, make, 415),
        "JSON with a charset": (
            _token_headers(user, content_type="application/json; charset=utf-8"),
            make,
            201,
        ),
        "a body only the serializer reads": (
            _token_headers(user),
            _json(assignment, assignment=str(assignment.pk)),
            201,
        ),
        "a bad type": (_token_headers(user), _json(assignment, mode="telepathy"), 400),
        "the browsable API asked for": (_token_headers(user, HTTP_ACCEPT="text/html"), make, 201),
        "a query string": (_token_headers(user, path=URL + "?format=json"), make, 201),
        "the keyword in lower case": (
            _token_headers(user, HTTP_AUTHORIZATION=token.lower()[:6] + token[6:]),
            make,
            201,
        ),
    }
    for name, (headers, body, status) in cases.items():
        drf_calls, _slow, fast = _same_both_ways(client, body, **headers)
        expected_calls = 0 if name == "the keyword in lower case" else 1
        assert (name, fast.status_code, drf_calls) == (name, status, expected_calls)


def test_expired_and_inactive_tokens_are_refused_by_the_drf_view(field):
    user = field["users"]["a"]
    headers = _token_headers(user)
    make = _json(field["assignments"]["a"])
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    drf_calls, _slow, fast = _same_both_ways(Client(), make, **headers)
    assert (fast.status_code, drf_calls) == (401, 1) and "hết hạn" in fast.json()["errors"]["detail"][0]
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() + datetime.timedelta(days=1))
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    drf_calls, _slow, fast = _same_both_ways(Client(), make, **headers)
    assert (fast.status_code, drf_calls) == (401, 1)


def test_the_devices_user_is_the_requests_user_after_the_view(field):
    """What DRF's Request does once authenticated: middleware after the view sees the token's user."""
    from fieldwork.api import fast

    seen = {}
    original = fast._submit

    def spying(request, limit):
        answer = original(request, limit)
        seen["user"], seen["auth"] = request.user, request.auth
        return answer

    fast._submit = spying
    try:
        answer = Client().post(URL, _json(field["assignments"]["a"])(), **_token_headers(field["users"]["a"]))
    finally:
        fast._submit = original
    assert answer.status_code == 201
    assert seen["user"] == field["users"]["a"] and isinstance(seen["auth"], ApiToken)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_broken_persistent_connection_is_replaced_and_the_submission_stored(field):
    """The combined read is the request's health check: a connection the server closed (a restart) is
    replaced and the read sent again, as Django's own health check would have done."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    import psycopg

    client = Client()
    headers = _token_headers(field["users"]["a"])
    make = _json(field["assignments"]["a"])
    enabled = connection.health_check_enabled
    connection.health_check_enabled = True
    try:
        assert client.generic("POST", URL, make(), **dict(headers)).status_code == 201
        broken = connection.connection
        with psycopg.connect(_dsn(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [broken.info.backend_pid])
        # A new request (the test client does not send request_started's connection check).
        connection.health_check_done = False
        answer = client.generic("POST", URL, make(), **dict(headers))
    finally:
        connection.health_check_enabled = enabled
    assert answer.status_code == 201, answer.content
    assert connection.connection is not broken
    assert FieldRecord.objects.count() == 2


def _dsn() -> str:
    values = connection.settings_dict
    return (
        f"host={values['HOST'] or 'localhost'} port={values['PORT'] or 5432} user={values['USER']} "
        f"dbname={values['NAME']}"
    )
