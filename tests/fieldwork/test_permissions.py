"""Who sees and submits what: enumerators their own assignments, supervisors their team, coordinators all."""

import pytest

from fieldwork.models import FieldRecord
from tests.fieldwork.conftest import api_client, payload

RESPONSES = "/api/v1/field/responses/"


def _submit(field, user, assignment, **changes):
    answer = api_client(field["users"][user]).post(
        RESPONSES, payload(field["assignments"][assignment], **changes), format="json"
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def assignment_ids(client) -> set[int]:
    return {a["id"] for a in client.get("/api/v1/field/assignments/").json()}


def test_an_enumerator_lists_its_own_and_its_teams_assignments_only(field):
    ids = assignment_ids(api_client(field["users"]["a"]))
    assert ids == {field["assignments"]["a"].pk, field["assignments"]["team1"].pk}
    assert assignment_ids(api_client(field["users"]["b"])) == {field["assignments"]["team1"].pk}


def test_a_supervisor_sees_its_teams_assignments_and_a_coordinator_all(field, coordinator):
    a = field["assignments"]
    assert assignment_ids(api_client(field["users"]["sup1"])) == {a["a"].pk, a["team1"].pk}
    assert assignment_ids(api_client(coordinator)) == {a["a"].pk, a["team1"].pk, a["c"].pk}


@pytest.mark.parametrize(("user", "assignment"), [("b", "a"), ("c", "a"), ("a", "c"), ("sup2", "a")])
def test_submitting_outside_ones_assignments_is_forbidden(field, user, assignment):
    answer = api_client(field["users"][user]).post(
        RESPONSES, payload(field["assignments"][assignment]), format="json"
    )
    assert answer.status_code == 403
    assert "assignment" in answer.json()["errors"]
    assert not FieldRecord.objects.exists()


def test_a_user_without_any_field_role_sees_nothing(field, focal_stp):
    client = api_client(focal_stp)
    assert client.get("/api/v1/field/assignments/").json() == []
    assert client.post(RESPONSES, payload(field["assignments"]["team1"]), format="json").status_code == 403


def test_enumerators_see_their_own_records_supervisors_their_team_coordinators_all(field, coordinator):
    own = _submit(field, "a", "team1")
    teammate = _submit(field, "b", "team1")
    other_team = _submit(field, "c", "c")

    def listed(user):
        return {r["id"] for r in api_client(user).get(RESPONSES).json()["results"]}

    users = field["users"]
    assert listed(users["a"]) == {own}
    assert listed(users["sup1"]) == {own, teammate}
    assert listed(users["sup2"]) == {other_team}
    assert listed(coordinator) == {own, teammate, other_team}


@pytest.mark.parametrize(
    ("user", "visible"), [("a", True), ("b", False), ("c", False), ("sup1", True), ("sup2", False)]
)
def test_a_record_detail_is_a_404_outside_ones_scope(field, user, visible):
    record = _submit(field, "a", "a")
    answer = api_client(field["users"][user]).get(f"{RESPONSES}{record}/")
    assert answer.status_code == (200 if visible else 404)


def test_a_questionnaire_is_served_only_to_those_assigned_to_it(field, focal_stp):
    questionnaire = field["assignments"]["a"].questionnaire
    url = f"/api/v1/field/questionnaires/{questionnaire.pk}/"
    served = api_client(field["users"]["b"]).get(url)
    assert served.status_code == 200 and served.json()["definition"]["sections"]
    assert api_client(focal_stp).get(url).status_code == 404


def test_verification_by_an_enumerator_of_another_team_is_forbidden(field):
    _submit(field, "a", "a", form_number="BX-7")
    body = payload(field["assignments"]["a"], form_number="BX-7")
    answer = api_client(field["users"]["c"]).post("/api/v1/field/verifications/", body, format="json")
    assert answer.status_code == 403


def test_anonymous_gets_401_everywhere(field, client):
    for url in (RESPONSES, "/api/v1/field/assignments/", "/api/v1/field/stats/today/", f"{RESPONSES}1/"):
        assert client.get(url).status_code == 401
    for url in (RESPONSES, f"{RESPONSES}batch/", "/api/v1/field/verifications/"):
        assert client.post(url, {}, content_type="application/json").status_code == 401


def test_the_submission_check_agrees_with_the_listed_scope_for_every_user_and_assignment(
    field, coordinator, focal_stp
):
    from fieldwork.access import may_work_on, visible_assignments

    users = [*field["users"].values(), coordinator, focal_stp]
    for user in users:
        listed = set(visible_assignments(user).values_list("pk", flat=True))
        for assignment in field["assignments"].values():
            assert may_work_on(user, assignment) == (assignment.pk in listed), (user, assignment)
