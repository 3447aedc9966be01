"""Hostile input to every form and JSON endpoint, as every role that may post there: never a 500, always a
clear 400 (or the form again with its error), and nothing half-written (docs/decisions.md D133).

The endpoints are the permission matrix's (every named URL pattern, walked from the resolver): each POST
row is sent, as each role the matrix lets through, every field of the forms found on the pages that post
there (parsed from the role's own GET pages) plus the fields the views read, filled with NUL characters,
lone surrogates, numbers no column holds (1e30, 1e309, NaN, Infinity, 400 digits) and over-long text;
JSON endpoints get the same values at each place of a valid body, raw (`"\\ud800"`, `\\xed\\xa0\\x80`,
`1e309`, `NaN`), and bodies nested deeper than any parser recurses. Every GET row is asked with a NUL in
the path and in the query. Each request runs in a savepoint rolled back afterwards; a 4xx must leave every
table's row count as it was.
"""

import copy
import datetime
import uuid
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from .matrix_setup import ROLES
from .test_permission_matrix import ALLOW, MATRIX, url_for

# Fields the views read from request.POST directly (no form on a page names them for every role).
KNOWN_FIELDS = [
    "points", "explanation", "value_current", "value_previous", "target", "achieved",
    "appraised_points", "reason", "action", "analyst", "until", "keep", "unit", "dry_run",
    "skip_invalid", "username", "password", "next", "q1", "q2", "q3", "q4", "q5", "resolution", "value",
]  # fmt: skip

NUL_TEXT = "Giải trình\x00 có ký tự NUL"
FORM_VALUES = {
    "nul": NUL_TEXT,
    "huge": "1e30",
    "overflow": "1e309",
    "nan": "NaN",
    "infinity": "Infinity",
    "negative-huge": "-1e30",
    "digits": "9" * 400,
    "long": "dài " * 2_000,
}
# Raw JSON tokens put in place of one value of a valid body.
JSON_VALUES = {
    "nul-escape": b'"a\\u0000b"',
    "surrogate-escape": b'"\\ud800"',
    "surrogate-bytes": b'"\xed\xa0\x80"',
    "huge": b"1e30",
    "overflow": b"1e309",
    "nan": b"NaN",
    "infinity": b"-Infinity",
    "digits": b"9" * 400,
    "long": b'"' + b"x" * 200_000 + b'"',
    "deep": b"[" * 50_000 + b"]" * 50_000,
}
MUST_BE_REFUSED = {"nul", "nul-escape", "surrogate-escape", "surrogate-bytes", "overflow", "nan", "infinity"}
PLACEHOLDER = "__hostile__"
# Refusals that keep something on purpose: URL name -> (tables that may gain rows, why).
KEEPS = {
    "survey-submit": (
        {"surveys_response"},
        "invalid answers are reported and the valid ones kept as a draft (surveys.services.responses.submit)",
    ),
}


# --- which endpoints, which roles ---------------------------------------------------------------------


def allowed(name: str, method: str) -> list[str]:
    row = MATRIX.get(name, {}).get(method, {})
    return [role for role in ROLES if row.get(role) == ALLOW]


def is_json_endpoint(name: str) -> bool:
    return name.startswith("field-api-") or name == "survey-save"


POST_NAMES = sorted(name for name in MATRIX if "POST" in MATRIX[name])
GET_NAMES = sorted(name for name in MATRIX if "GET" in MATRIX[name])


class Forms(HTMLParser):
    """Field names of the forms on a page, by the URL name their action resolves to."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.current, self.found = page_path, None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or self.page_path).path
            try:
                self.current = resolve(action).url_name
            except Resolver404:
                self.current = None
        elif tag in ("input", "textarea", "select") and self.current and attrs.get("name"):
            if attrs.get("type") not in ("file", "submit"):
                self.found.setdefault(self.current, set()).add(attrs["name"])
        elif tag == "/form":
            self.current = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def form_fields(built, clients, role: str) -> dict[str, set[str]]:
    """Every form field of every page the role may GET, by the URL name the form posts to."""
    fields: dict[str, set[str]] = {}
    for name in GET_NAMES:
        if MATRIX[name]["GET"].get(role) != ALLOW:
            continue
        path = url_for(name, built, role)
        response = send(clients[role], "GET", path)
        if isinstance(response, str) or "html" not in response.get("Content-Type", ""):
            continue
        parser = Forms(path)
        parser.feed(response.content.decode(errors="replace"))
        for target, names in parser.found.items():
            fields.setdefault(target, set()).update(names)
    return fields


# --- requests -----------------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """Rows of every table of the project's models, in one query."""
    tables = sorted({m._meta.db_table for m in apps.get_models() if m._meta.managed})
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


_BASELINE: list[dict[str, int]] = []


def _baseline() -> dict[str, int]:
    """The world's row counts, the same before every request since each one is rolled back (counted once
    per module: the world fixture is module-scoped)."""
    if not _BASELINE:
        _BASELINE.append(row_counts())
    return _BASELINE[0]


@pytest.fixture(scope="module", autouse=True)
def _forget_baseline():
    yield
    _BASELINE.clear()


def send(role_client: Client, method: str, path: str, keeps: set[str] = frozenset(), **kwargs):
    """One request in a rolled-back savepoint, by a copy of the role's client: the response, or the text
    of the exception a view raised (a 500). A 4xx must change no table's row count but those in `keeps`."""
    client = Client(raise_request_exception=True)
    client.cookies = copy.deepcopy(role_client.cookies)
    with transaction.atomic():
        before = _baseline()
        try:
            response = (
                client.generic(method, path, **kwargs) if method != "GET" else client.get(path, **kwargs)
            )
        except Exception as error:
            transaction.set_rollback(True)
            return f"500 {type(error).__name__}: {str(error)[:200]}"
        after = row_counts() if 400 <= response.status_code < 500 else before
        transaction.set_rollback(True)
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t] and t not in keeps}
    if changed:
        return f"{response.status_code} but rows changed: {changed}"
    return response


def judge(response, what: str, must_refuse: bool) -> str | None:
    """None when the answer is acceptable, else what is wrong."""
    if isinstance(response, str):
        return f"{what}: {response}"
    code = response.status_code
    if code >= 500:
        return f"{what}: {code}"
    if must_refuse and not 400 <= code < 500:
        return f"{what}: {code}, expected a 4xx refusal"
    if 400 <= code < 500 and code not in (401, 403, 404, 405, 409, 410, 429) and not response.content.strip():
        return f"{what}: {code} with an empty body"
    return None


def form_body(fields: set[str], value: str) -> bytes:
    from urllib.parse import quote

    return "&".join(f"{quote(f)}={quote(value)}" for f in sorted(fields)).encode()


# --- JSON bodies --------------------------------------------------------------------------------------


# Roles whose valid body reaches storage (their own assignment or link, or every one): every place of the
# body is tried. The others are refused per item after the same parser and validation, so a few places do.
STORING_ROLES = {"respondent", "enumerator", "coordinator", "superuser"}


def json_templates(name: str, built, *, every_place: bool = True) -> list[bytes]:
    """Valid bodies for the endpoint, each with the placeholder at one place (raw tokens replace it)."""
    import json

    submission = {
        "client_uuid": str(uuid.uuid4()),
        "assignment": built.assignment_id,
        "questionnaire": built.questionnaire_id,
        "mode": "tablet",
        "interviewed_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "duration_seconds": 900,
        "answers": {"q1": "yes", "q2": ["a"], "q3": 12, "q4": 4, "q5": "ghi chú"},
    }
    if name == "survey-save":
        shapes = [{"answers": {**submission["answers"], code: PLACEHOLDER}} for code in ("q1", "q3", "q5")]
        shapes.append({"answers": {PLACEHOLDER: "x"}})
    else:
        places = ["mode", "duration_seconds", "interviewed_at", "client_uuid", "assignment"]
        places = places if every_place else places[:2]
        base = {**submission, "form_number": "P-001"} if name == "field-api-verifications" else submission
        shapes = [{**base, key: PLACEHOLDER} for key in places]
        codes = ("q3", "q5", "q2") if every_place else ("q5",)
        shapes += [{**base, "answers": {**base["answers"], code: PLACEHOLDER}} for code in codes]
        shapes.append({**base, "answers": {PLACEHOLDER: 1}})
        if name == "field-api-batch":
            shapes = [{"items": [shape]} for shape in shapes] + [{"items": PLACEHOLDER}]
    shapes.append(PLACEHOLDER)  # the whole body
    return [json.dumps(shape, ensure_ascii=False).encode() for shape in shapes]


# --- the tests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in POST_NAMES if not is_json_endpoint(n) and allowed(n, "POST")])
def test_hostile_form_values_never_give_a_server_error(world, name):
    built, clients = world
    wrong = []
    for role in allowed(name, "POST"):
        fields = form_fields(built, clients, role).get(name, set()) | set(KNOWN_FIELDS)
        path = url_for(name, built, role)
        keeps = KEEPS.get(name, (set(), ""))[0]
        for label, value in FORM_VALUES.items():
            response = send(
                clients[role],
                "POST",
                path,
                keeps,
                data=form_body(fields, value),
                content_type="application/x-www-form-urlencoded",
            )
            problem = judge(response, f"{role} {label}", must_refuse=label == "nul")
            if problem:
                wrong.append(problem)
        # Raw bytes of a lone surrogate in a form: Django decodes them as U+FFFD, never a 500.
        raw = b"&".join(f.encode() + b"=\xed\xa0\x80" for f in sorted(fields))
        response = send(
            clients[role], "POST", path, keeps, data=raw, content_type="application/x-www-form-urlencoded"
        )
        if problem := judge(response, f"{role} surrogate-bytes", must_refuse=False):
            wrong.append(problem)
        # A multipart form whose file name and fields carry a NUL.
        upload = SimpleUploadedFile("danh\x00sach.xlsx", b"PK\x03\x04 not really a workbook")
        data = {field: NUL_TEXT for field in fields} | {"file": upload, "evidence": upload}
        response = send(clients[role], "POST", path, keeps, data=_multipart(data), content_type=_MULTIPART)
        if problem := judge(response, f"{role} multipart-nul", must_refuse=True):
            wrong.append(problem)
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in POST_NAMES if is_json_endpoint(n) and allowed(n, "POST")])
def test_hostile_json_never_gives_a_server_error(world, name):
    built, clients = world
    wrong = []
    for role in allowed(name, "POST"):
        path = url_for(name, built, role)
        for template in json_templates(name, built, every_place=role in STORING_ROLES):
            for label, token in JSON_VALUES.items():
                body = template.replace(f'"{PLACEHOLDER}"'.encode(), token)
                response = send(clients[role], "POST", path, data=body, content_type="application/json")
                must = label in MUST_BE_REFUSED or label == "deep"
                if problem := judge(response, f"{role} {label} in {template[:80]!r}", must_refuse=must):
                    wrong.append(problem)
    assert wrong == [], "\n".join(wrong[:40])


@pytest.mark.django_db
@pytest.mark.parametrize("name", GET_NAMES)
def test_a_nul_in_the_path_or_the_query_is_a_clear_400(world, name):
    built, clients = world
    wrong = []
    roles = allowed(name, "GET") or ["anonymous"]
    query = "?" + "&".join(
        f"{key}=%00" for key in ("q", "unit", "page", "assignment", "group", "next", "saved")
    )
    for role in roles:
        path = url_for(name, built, role)
        for label, url in (
            ("query", path + query),
            ("path-end", path.rstrip("/") + "%00/"),
            ("path-start", "/%00" + path),
        ):
            response = send(clients[role], "GET", url)
            if problem := judge(response, f"{role} {label} {url}", must_refuse=True):
                wrong.append(problem)
            elif response.status_code not in (400, 404):
                wrong.append(f"{role} {label} {url}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)


def test_the_fuzz_covers_every_endpoint_that_takes_a_body():
    """Every POST row that some role reaches is fuzzed by one of the two tests above."""
    reached = [n for n in POST_NAMES if allowed(n, "POST")]
    assert set(reached) == {n for n in POST_NAMES if allowed(n, "POST")}
    assert {"scoring-self-save", "scoring-appraise", "survey-save", "field-api-batch", "login"} <= set(
        reached
    )


_BOUNDARY = "fuzzboundary"
_MULTIPART = f"multipart/form-data; boundary={_BOUNDARY}"


def _multipart(data: dict) -> bytes:
    from django.test.client import encode_multipart

    return encode_multipart(_BOUNDARY, data)
