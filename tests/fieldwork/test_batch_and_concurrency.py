"""Batches store the good items and name the bad ones; one UUID sent many times at once is stored once."""

import json
import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from fieldwork.models import FieldRecord
from surveys.models import Response
from tests.concurrency import run_at_once
from tests.fieldwork.conftest import api_client, payload

BATCH = "/api/v1/field/responses/batch/"


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: CI runs the suite with DATABASE_URL=postgres://…")


def test_a_batch_stores_the_good_items_and_names_the_bad_ones_by_question_code(field):
    a = field["assignments"]["a"]
    good1, good2 = payload(a), payload(a, mode="paper")
    out_of_range = payload(a, answers={"q1": "no", "q3": 99, "q4": 4})
    not_yours = payload(field["assignments"]["c"])
    items = [good1, out_of_range, "garbage", good2, not_yours]
    answer = api_client(field["users"]["a"]).post(BATCH, {"items": items}, format="json")
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid", "invalid", "created", "forbidden"]
    assert list(results[1]["errors"]["answers"]) == ["q3"]
    assert results[1]["client_uuid"] == out_of_range["client_uuid"]
    stored = set(Response.objects.values_list("client_uuid", flat=True))
    assert stored == {uuid.UUID(good1["client_uuid"]), uuid.UUID(good2["client_uuid"])}


def test_a_batch_answers_duplicates_and_conflicts_item_by_item(field):
    a = field["assignments"]["a"]
    client = api_client(field["users"]["a"])
    first = payload(a)
    client.post("/api/v1/field/responses/", first, format="json")
    changed = {**first, "duration_seconds": 1}
    items = [first, changed, first]
    results = client.post(BATCH, {"items": items}, format="json").json()["results"]
    assert [r["status"] for r in results] == ["duplicate", "conflict", "duplicate"]
    assert Response.objects.count() == 1


def test_the_same_uuid_twice_in_one_batch_is_stored_once(field):
    item = payload(field["assignments"]["a"])
    results = api_client(field["users"]["a"]).post(BATCH, {"items": [item, item]}, format="json").json()
    assert [r["status"] for r in results["results"]] == ["created", "duplicate"]


@pytest.mark.parametrize("items", [[], "x", None])
def test_a_batch_without_a_list_of_items_gets_a_400(field, items):
    answer = api_client(field["users"]["a"]).post(BATCH, {"items": items}, format="json")
    assert answer.status_code == 400 and "items" in answer.json()["errors"]


def test_a_batch_of_more_than_500_items_gets_a_400(field):
    item = payload(field["assignments"]["a"])
    answer = api_client(field["users"]["a"]).post(BATCH, {"items": [item] * 501}, format="json")
    assert answer.status_code == 400
    assert Response.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_of_one_uuid_store_one_response_and_agree(field):
    needs_postgresql()
    body = json.dumps(payload(field["assignments"]["a"]))
    user = field["users"]["a"]
    api_client(user)  # creates the token once, before the threads

    def submit():
        client = api_client(user)
        answer = client.post("/api/v1/field/responses/", body, content_type="application/json")
        return answer.status_code, answer.json()

    outcomes = run_at_once(submit, 50)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    codes = sorted(code for code, _body in outcomes)
    assert codes == [200] * 49 + [201]
    assert len({(b["id"], b["received_at"]) for _code, b in outcomes}) == 1
    assert Response.objects.count() == 1 and FieldRecord.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_batches_with_overlapping_items_store_each_item_once(field):
    needs_postgresql()
    a = field["assignments"]["a"]
    items = [payload(a) for _ in range(10)]
    user = field["users"]["a"]
    api_client(user)

    def send():
        client = api_client(user)
        return client.post(BATCH, {"items": items}, format="json").json()["results"]

    outcomes = run_at_once(send, 8)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    for position in range(10):
        statuses = sorted(results[position]["status"] for results in outcomes)
        assert statuses == ["created"] + ["duplicate"] * 7
    assert Response.objects.count() == 10


def test_anonymous_callers_get_401(field):
    client = APIClient()
    assert (
        client.post("/api/v1/field/responses/", payload(field["assignments"]["a"]), format="json").status_code
        == 401
    )
    assert client.get("/api/v1/field/assignments/").status_code == 401


def big_batch(field, size: int) -> bytes:
    """A batch body of exactly `size` bytes: 500 items, indented generously (whitespace is JSON too, and
    a device's pretty-printed batch is as big)."""
    items = [payload(field["assignments"]["a"]) for _ in range(500)]
    body = json.dumps({"items": items}, ensure_ascii=False, indent=40).encode()
    assert len(body) <= size
    return body + b" " * (size - len(body))


def test_a_batch_between_2_and_4_mb_is_accepted_up_to_the_documented_limit(field):
    """Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2 MB) used to answer these with its HTML 400."""
    from fieldwork.api.parsers import BATCH_MAX_BYTES

    body = big_batch(field, BATCH_MAX_BYTES)
    assert 2 * 1024 * 1024 < len(body) == BATCH_MAX_BYTES
    answer = api_client(field["users"]["a"]).post(BATCH, body, content_type="application/json")
    assert answer.status_code == 200, answer.content[:300]
    assert {r["status"] for r in answer.json()["results"]} == {"created"}


def test_a_batch_over_the_limit_gets_the_apis_json_error_and_stores_nothing(field):
    from fieldwork.api.parsers import BATCH_MAX_BYTES

    body = big_batch(field, BATCH_MAX_BYTES + 1)
    answer = api_client(field["users"]["a"]).post(BATCH, body, content_type="application/json")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json"
    assert "too large" in answer.json()["errors"]["detail"][0]
    assert Response.objects.count() == 0
