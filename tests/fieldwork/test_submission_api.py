"""Submitting field responses through the API: stored once with its field record, duplicates answered
with the stored result, conflicts and invalid input refused with clear errors."""

import datetime
import json

import pytest
from django.utils import timezone

from fieldwork.models import FieldRecord
from surveys.models import Response
from tests.fieldwork.conftest import api_client, payload

URL = "/api/v1/field/responses/"


def test_a_submission_is_stored_as_a_submitted_response_with_its_field_record(field, units):
    body = payload(
        field["assignments"]["a"], mode="phone", form_number="BX-0001", respondent_phone="0912 345 678"
    )
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["status"] == "created" and data["client_uuid"] == body["client_uuid"]
    response = Response.objects.get(pk=data["id"])
    assert (response.status, response.mode, response.unit, response.entered_by) == (
        "submitted",
        "phone",
        units["BATXAT"],
        field["users"]["a"],
    )
    assert response.answers == {"q1": "no", "q3": 12, "q4": 4}
    assert str(response.client_uuid) == body["client_uuid"]
    record = response.field_record
    assert record.assignment == field["assignments"]["a"] and record.enumerator == field["users"]["a"]
    assert (record.form_number, record.respondent_phone, record.duration_seconds) == (
        "BX-0001",
        "+84912345678",
        900,
    )
    assert record.district == units["BATXAT"] and record.source == "api"


def test_resubmitting_the_same_uuid_answers_with_the_stored_result(field):
    client = api_client(field["users"]["a"])
    body = payload(field["assignments"]["a"])
    first = client.post(URL, body, format="json").json()
    again = client.post(URL, body, format="json")
    assert again.status_code == 200
    assert again.json() == {**first, "status": "duplicate"}
    assert Response.objects.filter(client_uuid=body["client_uuid"]).count() == 1


def test_a_different_payload_under_a_used_uuid_is_a_conflict(field):
    client = api_client(field["users"]["a"])
    body = payload(field["assignments"]["a"])
    client.post(URL, body, format="json")
    changed = {**body, "answers": {**body["answers"], "q4": 5}}
    answer = client.post(URL, changed, format="json")
    assert answer.status_code == 409 and answer.json()["status"] == "conflict"
    assert Response.objects.get(client_uuid=body["client_uuid"]).answers["q4"] == 4


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"q1": "no", "q4": 4}, "q3"),  # required
        ({"q1": "no", "q3": 61, "q4": 4}, "q3"),  # range 0–60
        ({"q1": "maybe", "q3": 5, "q4": 4}, "q1"),  # not an option
        ({"q1": "yes", "q3": 5, "q4": 4}, "q2"),  # shown by the skip rule, so required
    ],
)
def test_answers_are_checked_with_the_questionnaire_rules(field, answers, code):
    body = payload(field["assignments"]["a"], answers=answers)
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()["errors"]["answers"]) == [code]
    assert not Response.objects.filter(client_uuid=body["client_uuid"]).exists()


def test_answers_hidden_by_a_skip_rule_are_dropped(field):
    body = payload(field["assignments"]["a"], answers={"q1": "no", "q2": ["post"], "q3": 3, "q4": 2})
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 201
    assert "q2" not in Response.objects.get(pk=answer.json()["id"]).answers


def test_an_interview_outside_the_field_window_is_refused_with_the_window(field, sipas):
    long_ago = timezone.now() - datetime.timedelta(days=30)
    body = payload(field["assignments"]["a"], interviewed_at=long_ago.isoformat())
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 400
    message = answer.json()["errors"]["interviewed_at"][0]
    assert sipas.survey_opens.isoformat() in message and sipas.survey_closes.isoformat() in message


def test_a_questionnaire_that_is_not_the_assignments_is_refused(field, sipas):
    from tests.surveys.respondent_setup import make_questionnaire

    other = make_questionnaire(sipas, code="sipas-khac", groups=["organisation"])
    body = payload(field["assignments"]["a"], questionnaire=other.pk)
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 400 and "questionnaire" in answer.json()["errors"]


def test_a_commune_of_the_assignments_district_is_accepted_as_the_area(field, commune, units):
    body = payload(field["assignments"]["a"], area=commune.pk)
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 201
    record = FieldRecord.objects.get(response_id=answer.json()["id"])
    assert (record.area, record.district) == (commune, units["BATXAT"])


def test_an_area_outside_the_assignment_is_refused(field, units):
    body = payload(field["assignments"]["a"], area=units["SAPA"].pk)
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 400 and "area" in answer.json()["errors"]


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 50 + "]" * 50,
        '{"answers": {"q1": {"a": {"b": {"c": {"d": 1}}}}}}',
        '{"client_uuid": "' + "x" * 300_000 + '"}',
        '{"answers": {"q5": "\\ud800"}}',
        '{"answers": NaN}',
        "not json",
    ],
)
def test_deep_huge_or_malformed_json_gets_a_400(field, raw):
    answer = api_client(field["users"]["a"]).post(URL, raw, content_type="application/json")
    assert answer.status_code == 400


def test_bad_types_are_reported_by_field(field):
    body = payload(
        field["assignments"]["a"], client_uuid="not-a-uuid", mode="telepathy", interviewed_at="soon"
    )
    answer = api_client(field["users"]["a"]).post(URL, body, format="json")
    assert answer.status_code == 400
    assert {"client_uuid", "mode", "interviewed_at"} <= set(answer.json()["errors"])


def test_todays_count_is_by_mode(field):
    client = api_client(field["users"]["a"])
    for mode in ("paper", "paper", "phone"):
        client.post(URL, payload(field["assignments"]["a"], mode=mode), format="json")
    stats = client.get("/api/v1/field/stats/today/").json()
    assert stats == {"today": 3, "by_mode": {"paper": 2, "phone": 1}}


def test_the_entry_page_posts_with_the_session_and_needs_the_csrf_token(field):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(field["users"]["a"])
    body = json.dumps(payload(field["assignments"]["a"]))
    refused = client.post(URL, body, content_type="application/json")
    assert refused.status_code == 403
    client.get("/api/v1/field/assignments/")  # any page sets no cookie by itself; fetch one explicitly
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    accepted = client.post(URL, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    assert FieldRecord.objects.get(response_id=accepted.json()["id"]).source == "page"


def test_uuid_of_a_stored_submission_is_found_whatever_its_case(field):
    body = payload(field["assignments"]["a"])
    client = api_client(field["users"]["a"])
    stored = client.post(URL, body, format="json").json()
    upper = {**body, "client_uuid": body["client_uuid"].upper()}
    replay = client.post(URL, upper, format="json")
    assert replay.status_code == 200
    assert (replay.json()["status"], replay.json()["id"]) == ("duplicate", stored["id"])
