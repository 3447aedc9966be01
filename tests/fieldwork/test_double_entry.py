"""Double entry: a second clerk re-enters a sampled paper form, mismatches are listed and resolved."""

import pytest

from fieldwork.models import AnswerCorrection, FieldTeam, Mismatch, VerificationEntry
from fieldwork.services.sampling import forms_to_verify, selected_for_verification
from fieldwork.services.verification import compare_answers, mismatches_for, resolve_mismatch
from surveys.models import Response
from tests.fieldwork.conftest import api_client, payload

VERIFY = "/api/v1/field/verifications/"


@pytest.fixture(autouse=True)
def every_form_checked(field):
    """Every form of team 1 is drawn for double entry (the draw itself: test_integrity.py)."""
    FieldTeam.objects.filter(pk=field["teams"]["1"].pk).update(verify_percent=100)
    field["teams"]["1"].refresh_from_db()


def first_entry(field, *, form_number="BX-0042", answers=None):
    body = payload(field["assignments"]["team1"], mode="paper", form_number=form_number)
    if answers:
        body["answers"] = answers
    answer = api_client(field["users"]["a"]).post("/api/v1/field/responses/", body, format="json")
    assert answer.status_code == 201
    return answer.json()["id"]


def test_a_re_entry_lists_the_questions_that_differ_and_is_not_a_response(field):
    record = first_entry(field)
    body = payload(field["assignments"]["team1"], mode="paper", form_number="BX-0042")
    body["answers"] = {"q1": "no", "q3": 21, "q4": 4}
    answer = api_client(field["users"]["clerk"]).post(VERIFY, body, format="json")
    assert answer.status_code == 201
    assert answer.json()["mismatches"] == ["q3"] and answer.json()["record"] == record
    assert Response.objects.count() == 1
    again = api_client(field["users"]["clerk"]).post(VERIFY, body, format="json")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert VerificationEntry.objects.count() == 1


def test_the_same_person_cannot_enter_a_form_twice(field):
    first_entry(field)
    body = payload(field["assignments"]["team1"], mode="paper", form_number="BX-0042")
    answer = api_client(field["users"]["a"]).post(VERIFY, body, format="json")
    assert answer.status_code == 400 and "form_number" in answer.json()["errors"]


def test_a_form_number_without_a_first_entry_is_refused(field):
    body = payload(field["assignments"]["team1"], mode="paper", form_number="BX-9999")
    answer = api_client(field["users"]["clerk"]).post(VERIFY, body, format="json")
    assert answer.status_code == 400 and "form_number" in answer.json()["errors"]


def test_resolving_keeps_one_value_and_records_the_correction(field):
    record = first_entry(field)
    body = payload(field["assignments"]["team1"], mode="paper", form_number="BX-0042")
    body["answers"] = {"q1": "no", "q3": 21, "q4": 5}
    api_client(field["users"]["clerk"]).post(VERIFY, body, format="json")
    supervisor = field["users"]["sup1"]
    listed = list(mismatches_for(supervisor))
    assert [m.question_code for m in listed] == ["q3", "q4"]
    assert list(mismatches_for(field["users"]["sup2"])) == []
    q3, q4 = listed
    assert resolve_mismatch(mismatch=q3, user=field["users"]["sup2"], keep="second").status == "forbidden"
    assert resolve_mismatch(mismatch=q3, user=supervisor, keep="second").corrected is True
    assert resolve_mismatch(mismatch=q4, user=supervisor, keep="first").corrected is False
    assert resolve_mismatch(mismatch=q4, user=supervisor, keep="second").status == "already_resolved"
    assert Response.objects.get(pk=record).answers == {"q1": "no", "q3": 21, "q4": 4}
    correction = AnswerCorrection.objects.get()
    assert (correction.question_code, correction.old_value, correction.new_value) == ("q3", 12, 21)
    assert correction.corrected_by == supervisor
    assert list(mismatches_for(supervisor)) == []
    assert Mismatch.objects.filter(resolved_by=supervisor).count() == 2


def test_compare_answers_counts_an_answer_missing_on_one_side():
    assert compare_answers({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 2], "c": "x"}) == ["c"]
    assert compare_answers({"a": 1}, {"a": 2}) == ["a"]


def test_sampling_is_deterministic_and_close_to_the_share():
    numbers = [f"F-{n:05d}" for n in range(5000)]
    chosen = [n for n in numbers if selected_for_verification(n, percent=10, salt="s")]
    assert chosen == [n for n in numbers if selected_for_verification(n, percent=10, salt="s")]
    assert 400 <= len(chosen) <= 600
    other_salt = [n for n in numbers if selected_for_verification(n, percent=10, salt="t")]
    assert chosen != other_salt
    assert not any(selected_for_verification(n, percent=0, salt="s") for n in numbers)


def test_forms_to_verify_lists_the_teams_selected_forms_until_re_entered(field):
    team: FieldTeam = field["teams"]["1"]
    team.verify_percent = 50
    team.save()
    numbers = [f"BX-{n:03d}" for n in range(12)]
    for number in numbers:
        first_entry(field, form_number=number)
    salt = f"{team.campaign_id}:{team.code}"
    expected = sorted(n for n in numbers if selected_for_verification(n, percent=50, salt=salt))
    assert expected and [r.form_number for r in forms_to_verify(team)] == expected
    body = payload(field["assignments"]["team1"], mode="paper", form_number=expected[0])
    api_client(field["users"]["clerk"]).post(VERIFY, body, format="json")
    assert [r.form_number for r in forms_to_verify(team)] == expected[1:]
    assert forms_to_verify(field["teams"]["2"]) == []
