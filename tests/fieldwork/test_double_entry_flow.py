"""Double entry end to end through the pages and the API the pages call: a second clerk re-enters a form
chosen for checking, one answer differs, the supervisor sees the difference and keeps the paper's value,
and the response is corrected with its history."""

import datetime
import uuid

from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from fieldwork.models import AnswerCorrection, Mismatch
from surveys.models import Response


def session_client(user) -> APIClient:
    client = APIClient()  # the entry page's way in: the session cookie, not a device token
    client.force_login(user)
    return client


def form(assignment, form_number, answers) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "assignment": assignment.pk,
        "questionnaire": assignment.questionnaire_id,
        "mode": "paper",
        "form_number": form_number,
        "interviewed_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "answers": answers,
    }


def test_a_second_entry_with_one_different_answer_is_decided_by_the_supervisor(field):
    team1, assignment = field["teams"]["1"], field["assignments"]["team1"]
    team1.verify_percent = 100  # every form is checked, so BX-7 is among them
    team1.save()
    users = field["users"]
    first = session_client(users["a"]).post(
        "/api/v1/field/responses/", form(assignment, "BX-7", {"q1": "no", "q3": 12, "q4": 4}), format="json"
    )
    assert first.status_code == 201, first.json()
    response_id = first.json()["id"]

    # The clerk's list of forms to re-enter has BX-7; the enumerator who keyed it first is not offered it.
    clerk_page = session_client(users["clerk"]).get(reverse("field-verify"))
    verify_url = reverse("field-verify-page", args=[assignment.pk]) + "?form=BX-7"
    assert verify_url in clerk_page.content.decode()
    assert verify_url not in session_client(users["a"]).get(reverse("field-verify")).content.decode()

    second = session_client(users["clerk"]).post(
        "/api/v1/field/verifications/",
        form(assignment, "BX-7", {"q1": "no", "q3": 12, "q4": 5}),
        format="json",
    )
    assert second.status_code == 201, second.json()
    assert second.json()["mismatches"] == ["q4"]
    assert Response.objects.filter(field_record__isnull=False).count() == 1  # a re-entry is not a response

    supervisor = session_client(users["sup1"])
    listing = supervisor.get(reverse("field-mismatches"))
    rows = listing.context["rows"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["record"].form_number, row["mismatch"].question_code, row["number"]) == ("BX-7", "q4", 4)
    assert [(side, value) for side, value, _who in row["sides"]] == [
        ("first", "4 · Đồng ý"),
        ("second", "5 · Rất đồng ý"),
    ]
    assert "BX-7" in listing.content.decode()

    # Another team's supervisor neither sees nor decides it.
    assert session_client(users["sup2"]).get(reverse("field-mismatches")).context["rows"] == []
    mismatch = Mismatch.objects.get()
    other = session_client(users["sup2"]).post(
        reverse("field-mismatch-resolve", args=[mismatch.pk]), {"keep": "first"}
    )
    assert other.status_code == 404

    decided = supervisor.post(reverse("field-mismatch-resolve", args=[mismatch.pk]), {"keep": "second"})
    assert decided.status_code == 302
    assert Response.objects.get(pk=response_id).answers == {"q1": "no", "q3": 12, "q4": 5}
    correction = AnswerCorrection.objects.get(response_id=response_id)
    assert (correction.question_code, correction.old_value, correction.new_value) == ("q4", 4, 5)
    assert correction.corrected_by == users["sup1"]
    assert supervisor.get(reverse("field-mismatches")).context["rows"] == []

    # Deciding again changes nothing.
    again = supervisor.post(reverse("field-mismatch-resolve", args=[mismatch.pk]), {"keep": "first"})
    assert again.status_code == 302
    assert Response.objects.get(pk=response_id).answers["q4"] == 5


def test_resolving_without_choosing_a_side_changes_nothing(field):
    assignment = field["assignments"]["team1"]
    field["teams"]["1"].verify_percent = 100
    field["teams"]["1"].save()
    users = field["users"]
    session_client(users["a"]).post(
        "/api/v1/field/responses/", form(assignment, "BX-8", {"q1": "no", "q3": 12, "q4": 4}), format="json"
    )
    session_client(users["clerk"]).post(
        "/api/v1/field/verifications/",
        form(assignment, "BX-8", {"q1": "no", "q3": 20, "q4": 4}),
        format="json",
    )
    mismatch = Mismatch.objects.get()
    answer = session_client(users["sup1"]).post(
        reverse("field-mismatch-resolve", args=[mismatch.pk]), {"keep": "x"}
    )
    assert answer.status_code == 302
    mismatch.refresh_from_db()
    assert mismatch.resolved_at is None
    assert Response.objects.get().answers["q3"] == 12
