"""No one alters a form alone: the bypasses found by probing are refused.

- a second entry only of a form drawn for verification, by an enumerator or clerk other than the first
  entry's author; a mismatch decided by someone who keyed neither entry; each correction audited;
- only enumerators and clerks key forms (never a supervisor or coordinator), and a record names who keyed
  it and who interviewed;
- a device sending a client UUID stored by someone it may not see learns nothing about that record.
"""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from fieldwork.models import FieldMember, FieldRecord, FieldTeam, Mismatch, VerificationEntry
from fieldwork.services.sampling import drawn_for_verification
from fieldwork.services.verification import resolve_mismatch
from surveys.models import Response
from tests.factories import MembershipFactory
from tests.fieldwork.conftest import api_client, payload

RESPONSES = "/api/v1/field/responses/"
VERIFY = "/api/v1/field/verifications/"
with translation.override("vi"):
    ONLY_WORKERS = gettext(
        "Only the team's enumerators and clerks enter forms; supervisors and coordinators review them."
    )


def numbers_drawn(team: FieldTeam, drawn: bool, count: int = 1) -> list[str]:
    """Form numbers of the team that are (or are not) drawn for double entry, by the real draw."""
    found = [n for n in (f"BX-{i:04d}" for i in range(1, 2000)) if drawn_for_verification(n, team) is drawn]
    return found[:count]


def first_entry(field, form_number: str, *, user="a", assignment="team1", answers=None) -> dict:
    body = payload(field["assignments"][assignment], mode="paper", form_number=form_number)
    if answers:
        body["answers"] = answers
    answer = api_client(field["users"][user]).post(RESPONSES, body, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


# --- double entry ---------------------------------------------------------------------------------------


def test_a_second_entry_of_a_form_not_drawn_for_verification_is_refused(field):
    team = field["teams"]["1"]
    (not_drawn,) = numbers_drawn(team, False)
    first_entry(field, not_drawn)
    body = payload(field["assignments"]["team1"], mode="paper", form_number=not_drawn)
    body["answers"] = {"q1": "no", "q3": 12, "q4": 1}
    answer = api_client(field["users"]["clerk"]).post(VERIFY, body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["form_number"]
    assert not VerificationEntry.objects.exists()


def test_a_supervisor_may_not_key_the_second_entry(field):
    (drawn,) = numbers_drawn(field["teams"]["1"], True)
    first_entry(field, drawn)
    body = payload(field["assignments"]["team1"], mode="paper", form_number=drawn)
    answer = api_client(field["users"]["sup1"]).post(VERIFY, body, format="json")
    assert answer.status_code == 403
    assert answer.json()["errors"]["assignment"] == [ONLY_WORKERS]
    assert not VerificationEntry.objects.exists()


def test_the_first_author_may_not_key_the_second_entry(field):
    (drawn,) = numbers_drawn(field["teams"]["1"], True)
    first_entry(field, drawn, user="clerk", assignment="a")
    body = payload(field["assignments"]["a"], mode="paper", form_number=drawn)
    answer = api_client(field["users"]["clerk"]).post(VERIFY, body, format="json")
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == ["form_number"]
    assert not VerificationEntry.objects.exists()


def test_who_keyed_an_entry_may_not_decide_its_mismatch_and_a_correction_is_audited(field, province):
    """The probed case: a person with both a keying and a deciding role changed an answer from 5 to 1."""
    users = field["users"]
    (drawn,) = numbers_drawn(field["teams"]["1"], True)
    stored = first_entry(field, drawn, answers={"q1": "no", "q3": 12, "q4": 5})
    # The clerk also coordinates the province (a deciding role): it keys the second entry with 1 ...
    MembershipFactory(user=users["clerk"], province=province)
    body = payload(field["assignments"]["team1"], mode="paper", form_number=drawn)
    body["answers"] = {"q1": "no", "q3": 12, "q4": 1}
    assert api_client(users["clerk"]).post(VERIFY, body, format="json").json()["mismatches"] == ["q4"]
    mismatch = Mismatch.objects.get()
    # ... and may not decide in favour of its own entry; nor may the first entry's author.
    assert resolve_mismatch(mismatch=mismatch, user=users["clerk"], keep="second").status == "keyed"
    assert Response.objects.get(pk=stored["id"]).answers["q4"] == 5
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.FIELD_ANSWER_CORRECTED).exists()

    # The supervisor, who keyed neither, decides; the change is audited with before and after.
    result = resolve_mismatch(mismatch=mismatch, user=users["sup1"], keep="second")
    assert (result.status, result.corrected) == ("resolved", True)
    event = AuditEvent.objects.get(action=AuditEvent.Action.FIELD_ANSWER_CORRECTED)
    assert event.actor == users["sup1"]
    assert (event.detail["question"], event.detail["before"], event.detail["after"]) == ("q4", 5, 1)
    assert event.detail["form_number"] == drawn
    record = FieldRecord.objects.get(response_id=stored["id"])
    assert record.original_answers == {"q1": "no", "q3": 12, "q4": 5}  # the original is kept
    assert record.response.answers["q4"] == 1


def test_a_resolver_through_the_page_who_keyed_gets_a_message_and_changes_nothing(field, province, client):
    users = field["users"]
    (drawn,) = numbers_drawn(field["teams"]["1"], True)
    first_entry(field, drawn, answers={"q1": "no", "q3": 12, "q4": 5})
    MembershipFactory(user=users["clerk"], province=province)
    body = payload(field["assignments"]["team1"], mode="paper", form_number=drawn)
    body["answers"] = {"q1": "no", "q3": 12, "q4": 1}
    api_client(users["clerk"]).post(VERIFY, body, format="json")
    client.force_login(users["clerk"])
    mismatch = Mismatch.objects.get()
    answer = client.post(f"/field/mismatches/{mismatch.pk}/resolve/", {"keep": "second"}, follow=True)
    with translation.override("vi"):
        expected = gettext(
            "Form %(form)s, question %(code)s: you keyed one of the two entries, another person decides."
        )
    assert expected % {"form": drawn, "code": "q4"} in answer.content.decode()
    mismatch.refresh_from_db()
    assert mismatch.resolved_at is None


# --- who keys --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["sup1", "coordinator"])
def test_supervisors_and_coordinators_cannot_submit_interviews(field, coordinator, who):
    user = coordinator if who == "coordinator" else field["users"][who]
    for assignment in ("a", "team1"):
        answer = api_client(user).post(RESPONSES, payload(field["assignments"][assignment]), format="json")
        assert answer.status_code == 403, answer.json()
        assert answer.json()["errors"]["assignment"] == [ONLY_WORKERS]
        batch = api_client(user).post(
            f"{RESPONSES}batch/", {"items": [payload(field["assignments"][assignment])]}, format="json"
        )
        assert batch.json()["results"][0]["status"] == "forbidden"
    assert not FieldRecord.objects.exists() and not Response.objects.exists()


def test_a_record_names_who_keyed_it_and_who_interviewed(field):
    users = field["users"]
    # The clerk keys enumerator a's paper form of a's own assignment: a interviewed, the clerk keyed.
    stored = first_entry(field, "BX-1", user="clerk", assignment="a")
    record = FieldRecord.objects.select_related("response").get(response_id=stored["id"])
    assert (record.enumerator, record.response.entered_by) == (users["a"], users["clerk"])
    # An enumerator keys its own: both are the enumerator.
    own = FieldRecord.objects.get(response_id=first_entry(field, "BX-2", user="b")["id"])
    assert (own.enumerator, own.response.entered_by) == (users["b"], users["b"])
    listed = api_client(users["sup1"]).get(f"{RESPONSES}{stored['id']}/").json()
    assert (listed["enumerator"], listed["entered_by"]) == ("field-a", "field-clerk")


def test_a_clerk_names_the_interviewer_of_a_team_wide_assignment(field):
    users, assignment = field["users"], field["assignments"]["team1"]
    clerk = api_client(users["clerk"])
    unnamed = clerk.post(RESPONSES, payload(assignment, mode="paper", form_number="S-1"), format="json")
    assert unnamed.status_code == 400
    assert list(unnamed.json()["errors"]) == ["interviewer"]
    not_an_enumerator = payload(assignment, mode="paper", form_number="S-1", interviewer=users["sup1"].pk)
    assert clerk.post(RESPONSES, not_an_enumerator, format="json").json()["errors"]["interviewer"]
    other_team = payload(assignment, mode="paper", form_number="S-1", interviewer=users["c"].pk)
    assert clerk.post(RESPONSES, other_team, format="json").status_code == 400
    named = clerk.post(
        RESPONSES,
        payload(assignment, mode="paper", form_number="S-1", interviewer=users["b"].pk),
        format="json",
    )
    assert named.status_code == 201, named.json()
    record = FieldRecord.objects.get(response_id=named.json()["id"])
    assert (record.enumerator, record.response.entered_by) == (users["b"], users["clerk"])


def test_an_enumerator_cannot_credit_another_enumerators_assignment(field):
    users = field["users"]
    body = payload(field["assignments"]["a"], interviewer=users["b"].pk)
    answer = api_client(users["a"]).post(RESPONSES, body, format="json")
    assert answer.status_code == 400 and "interviewer" in answer.json()["errors"]


def test_a_supervisor_is_not_a_clerk_of_another_teams_assignment(field):
    """A supervisor of team 2 who is a clerk of nothing keys nothing anywhere."""
    assert FieldMember.objects.filter(user=field["users"]["sup2"]).count() == 1
    answer = api_client(field["users"]["sup2"]).post(
        RESPONSES, payload(field["assignments"]["c"]), format="json"
    )
    assert answer.status_code == 403


# --- another tenant's client UUID --------------------------------------------------------------------------


def test_a_device_sending_another_tenants_uuid_learns_nothing_of_the_record(field):
    users = field["users"]
    body = payload(field["assignments"]["a"], form_number="BX-9")
    stored = api_client(users["a"]).post(RESPONSES, body, format="json").json()
    # Enumerator c (team 2) replays a's UUID: on a's assignment (forbidden), on its own (valid), in a batch.
    other = api_client(users["c"])
    forbidden = other.post(RESPONSES, body, format="json")
    assert forbidden.status_code == 403
    assert "id" not in forbidden.json() and "received_at" not in forbidden.json()
    own = payload(field["assignments"]["c"], client_uuid=body["client_uuid"])
    taken = other.post(RESPONSES, own, format="json")
    assert taken.status_code == 409
    assert set(taken.json()) == {"client_uuid", "status", "errors"}
    invalid = other.post(RESPONSES, dict(own, answers={}), format="json")
    assert invalid.status_code == 400 and "id" not in invalid.json()
    batch = other.post(f"{RESPONSES}batch/", {"items": [body, own]}, format="json").json()["results"]
    assert [r["status"] for r in batch] == ["forbidden", "conflict"]
    assert all("id" not in r and "received_at" not in r for r in batch)
    # The owner and its supervisor still get the stored answer.
    again = api_client(users["a"]).post(RESPONSES, body, format="json")
    assert again.status_code == 200 and again.json()["id"] == stored["id"]
    assert FieldRecord.objects.count() == 1


def test_a_replayed_verification_uuid_reveals_no_mismatches_to_another_tenant(field):
    users = field["users"]
    field["teams"]["1"].verify_percent = 100
    field["teams"]["1"].save()
    first_entry(field, "BX-5")
    body = payload(field["assignments"]["team1"], mode="paper", form_number="BX-5")
    body["answers"] = {"q1": "no", "q3": 30, "q4": 4}
    entry = api_client(users["clerk"]).post(VERIFY, body, format="json").json()
    assert entry["mismatches"] == ["q3"]
    replay = api_client(users["c"]).post(VERIFY, body, format="json")
    assert replay.status_code == 403
    assert "mismatches" not in replay.json() and "record" not in replay.json()
    own = dict(
        payload(field["assignments"]["c"], mode="paper", form_number="BX-5"), client_uuid=body["client_uuid"]
    )
    replay = api_client(users["c"]).post(VERIFY, own, format="json")
    assert replay.status_code == 400 and set(replay.json()) == {"client_uuid", "status", "errors"}
    # The supervisor of team 1 may see it: the stored answer.
    assert api_client(users["clerk"]).post(VERIFY, body, format="json").json()["mismatches"] == ["q3"]
