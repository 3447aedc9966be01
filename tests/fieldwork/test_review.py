"""Review before data counts: states with reasons and history, who may review, which interviews count
(approved only, or by setting not rejected), edits in review keeping the original, holds proposed by the
flags, quotas enforced by setting, and paper form gaps and duplicates."""

import pytest

from audit.models import AuditEvent
from fieldwork.models import FieldRecord, FieldSettings, FormNumberNote, ReviewEvent
from fieldwork.paperforms import form_number_problems, missing_numbers
from fieldwork.review_selectors import form_problems
from fieldwork.selectors import counting_responses, field_progress
from fieldwork.services.review import correct_in_review, hold_flagged, set_review_state
from tests.factories import MembershipFactory
from tests.fieldwork.conftest import api_client, payload

RESPONSES = "/api/v1/field/responses/"


def interview(field, user="a", assignment="a", **changes) -> FieldRecord:
    answer = api_client(field["users"][user]).post(
        RESPONSES, payload(field["assignments"][assignment], **changes), format="json"
    )
    assert answer.status_code == 201, answer.json()
    return FieldRecord.objects.select_related("assignment", "response").get(response_id=answer.json()["id"])


def test_a_new_interview_is_received_and_counts_only_once_approved(field, sipas):
    record = interview(field)
    assert record.review_state == "received"
    assert not counting_responses(campaign=sipas).exists()
    result = set_review_state(record=record, user=field["users"]["sup1"], state="approved")
    assert result.status == "changed"
    assert list(counting_responses(campaign=sipas).values_list("pk", flat=True)) == [record.response_id]
    event = ReviewEvent.objects.get()
    assert (event.from_state, event.to_state, event.by) == ("received", "approved", field["users"]["sup1"])
    audit = AuditEvent.objects.get(action=AuditEvent.Action.FIELD_REVIEWED)
    assert (audit.detail["before"], audit.detail["after"]) == ("received", "approved")


def test_by_campaign_setting_every_interview_not_rejected_counts(field, sipas):
    FieldSettings.objects.create(campaign=sipas, counting="not_rejected")
    kept, held, rejected = interview(field), interview(field), interview(field)
    set_review_state(record=held, user=field["users"]["sup1"], state="on_hold", reason="gọi lại")
    set_review_state(record=rejected, user=field["users"]["sup1"], state="rejected", reason="sai đối tượng")
    counted = set(counting_responses(campaign=sipas).values_list("pk", flat=True))
    assert counted == {kept.response_id, held.response_id}
    # A rejected interview leaves the progress figures (it must be done again).
    assert field_progress(sipas)["overall"]["submitted"] == 2


def test_holding_rejecting_and_changing_a_decision_need_a_reason(field):
    record = interview(field)
    supervisor = field["users"]["sup1"]
    for state in ("on_hold", "rejected"):
        assert set_review_state(record=record, user=supervisor, state=state).status == "reason_required"
    assert set_review_state(record=record, user=supervisor, state="approved").status == "changed"
    assert set_review_state(record=record, user=supervisor, state="received").status == "reason_required"
    assert set_review_state(record=record, user=supervisor, state="approved").status == "unchanged"
    assert set_review_state(record=record, user=supervisor, state="bogus").status == "invalid"
    assert ReviewEvent.objects.count() == 1


def test_only_a_supervisor_of_the_team_who_did_not_key_it_reviews(field, province):
    record = interview(field, user="clerk", assignment="a")  # the clerk keyed a's interview
    users = field["users"]
    assert set_review_state(record=record, user=users["sup2"], state="approved").status == "forbidden"
    assert set_review_state(record=record, user=users["a"], state="approved").status == "forbidden"
    MembershipFactory(user=users["clerk"], province=province)  # the clerk also coordinates
    assert set_review_state(record=record, user=users["clerk"], state="approved").status == "own"
    record.refresh_from_db()
    assert record.review_state == "received"


def test_an_edit_in_review_keeps_the_original_and_is_audited(field):
    record = interview(field)
    supervisor = field["users"]["sup1"]
    assert correct_in_review(
        record=record, user=supervisor, question_code="q4", value=2, reason=""
    ).status == ("reason_required")
    bad = correct_in_review(record=record, user=supervisor, question_code="q4", value=9, reason="gọi lại")
    assert bad.status == "invalid" and "q4" in bad.errors["answers"]
    done = correct_in_review(record=record, user=supervisor, question_code="q4", value="2", reason="gọi lại")
    assert done.status == "changed"
    record.refresh_from_db()
    assert record.original_answers == {"q1": "no", "q3": 12, "q4": 4}
    assert record.response.answers["q4"] == 2
    event = AuditEvent.objects.get(action=AuditEvent.Action.FIELD_ANSWER_CORRECTED)
    assert (event.detail["before"], event.detail["after"], event.detail["reason"]) == (4, 2, "gọi lại")
    set_review_state(record=record, user=supervisor, state="approved")
    assert (
        correct_in_review(record=record, user=supervisor, question_code="q4", value=3, reason="x").status
        == "invalid"
    )


def test_the_flags_propose_a_hold_and_the_supervisor_takes_it(field):
    flagged, other = interview(field), interview(field)
    held = hold_flagged(user=field["users"]["sup1"], flagged={flagged.pk: ["below_floor"]}, reason="cờ")
    assert held == 1
    flagged.refresh_from_db()
    other.refresh_from_db()
    assert (flagged.review_state, other.review_state) == ("on_hold", "received")
    assert ReviewEvent.objects.get().flags == ["below_floor"]


def test_the_review_page_lists_flagged_interviews_first_with_the_hold_proposed(field, client):
    record = interview(field, duration_seconds=30)  # far too short: flagged
    interview(field)
    client.force_login(field["users"]["sup1"])
    page = client.get("/field/review/?campaign=sipas-field")
    assert page.status_code == 200
    rows = page.context["rows"]
    assert rows[0]["record"].pk == record.pk and rows[0]["flags"]
    assert page.context["proposed"] == 1
    client.post("/field/review/hold-flagged/?campaign=sipas-field")
    record.refresh_from_db()
    assert record.review_state == "on_hold"
    detail = client.get(f"/field/review/{record.pk}/")
    assert detail.status_code == 200 and len(detail.context["history"]) == 1
    assert client.get(f"/field/review/{record.pk}/", follow=False).status_code == 200
    client.force_login(field["users"]["sup2"])
    assert client.get(f"/field/review/{record.pk}/").status_code == 403


# --- quotas ------------------------------------------------------------------------------------------------


def test_quotas_are_tracked_and_enforced_only_by_setting(field, sipas):
    assignment = field["assignments"]["a"]
    assignment.quota = 2
    assignment.save()
    for _ in range(3):
        interview(field)  # not enforced: a third one is accepted
    FieldSettings.objects.create(campaign=sipas, enforce_quotas=True)
    body = payload(assignment)
    refused = api_client(field["users"]["a"]).post(RESPONSES, body, format="json")
    assert refused.status_code == 400 and "assignment" in refused.json()["errors"]
    assert "2" in refused.json()["errors"]["assignment"][0]
    # A rejected interview frees its place; a stored one re-sent still gets its stored answer.
    first = FieldRecord.objects.order_by("pk").first()
    set_review_state(record=first, user=field["users"]["sup1"], state="rejected", reason="làm lại")
    set_review_state(
        record=FieldRecord.objects.order_by("pk")[1],
        user=field["users"]["sup1"],
        state="rejected",
        reason="x",
    )
    accepted = api_client(field["users"]["a"]).post(RESPONSES, body, format="json")
    assert accepted.status_code == 201
    FieldRecord.objects.filter(pk=first.pk).update(review_state="approved")
    again = api_client(field["users"]["a"]).post(RESPONSES, body, format="json")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"


# --- paper form numbers ----------------------------------------------------------------------------------


def test_a_missing_form_between_two_keyed_ones_is_a_gap_and_a_number_keyed_twice_a_duplicate():
    rows = [(1, 7, "BD-0046"), (2, 7, "BD-0048"), (3, 7, "BD-0049"), (4, 7, "bd-0049 "), (5, 8, "BD-0047")]
    gaps, duplicates = form_number_problems(rows)
    assert [(g.enumerator_id, g.first, g.last, g.count) for g in gaps] == [(7, "BD-0047", "BD-0047", 1)]
    assert [(d.enumerator_id, d.form_number, d.record_ids) for d in duplicates] == [(7, "BD-0049", (3, 4))]
    wide, _ = form_number_problems([(1, 1, "F1"), (2, 1, "F100")])
    assert wide[0].count == 98 and missing_numbers(wide[0]) == []
    assert missing_numbers(form_number_problems([(1, 1, "F-008"), (2, 1, "F-011")])[0][0]) == [
        "F-009",
        "F-010",
    ]


def test_a_gap_stays_unexplained_until_a_supervisor_explains_it(field, sipas, client):
    for number in ("BX-0046", "BX-0048"):
        interview(field, mode="paper", form_number=number)
    problems = form_problems(sipas, None)
    assert problems["unexplained"] == 1 and problems["gaps"][0]["missing"][0]["number"] == "BX-0047"
    client.force_login(field["users"]["sup1"])
    client.post(
        "/field/review/form-notes/?campaign=sipas-field",
        {"enumerator": field["users"]["a"].pk, "form_number": "bx-0047", "note": "Phiếu hỏng, đã huỷ"},
    )
    assert FormNumberNote.objects.get().form_number == "BX-0047"
    assert form_problems(sipas, None)["unexplained"] == 0
    # Another team's supervisor cannot explain this enumerator's forms.
    client.force_login(field["users"]["sup2"])
    answer = client.post(
        "/field/review/form-notes/?campaign=sipas-field",
        {"enumerator": field["users"]["a"].pk, "form_number": "BX-0050", "note": "x"},
    )
    assert answer.status_code == 404


@pytest.mark.parametrize("state", ["approved", "on_hold", "rejected"])
def test_the_record_api_shows_the_review_state(field, state):
    record = interview(field)
    set_review_state(record=record, user=field["users"]["sup1"], state=state, reason="r")
    shown = api_client(field["users"]["a"]).get(f"{RESPONSES}{record.response_id}/").json()
    assert shown["review_state"] == state


def test_the_migration_keeps_the_figures_of_campaigns_that_already_had_interviews(field, sipas):
    """Interviews collected before review existed keep counting (D356): their campaign counts every
    interview not rejected; a campaign without interviews keeps the default (approved only)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("fieldwork.migrations.0003_review_and_sample_design")
    record = interview(field)
    migration.keep_existing_figures(apps, None)
    assert FieldSettings.objects.get(campaign=sipas).counting == "not_rejected"
    assert list(counting_responses(campaign=sipas).values_list("pk", flat=True)) == [record.response_id]
