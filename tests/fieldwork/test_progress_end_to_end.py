"""End to end: interviews posted through the field API show up on the supervisor's page with their flags."""

from tests.fieldwork.conftest import api_client, payload


def test_interviews_posted_by_a_device_appear_in_progress_and_flags_for_the_supervisor(client, field):
    enumerator, assignment = field["users"]["a"], field["assignments"]["a"]
    device = api_client(enumerator)
    for changes in (
        {"respondent_phone": "0912 345 678", "form_number": "BX-1"},
        {"respondent_phone": "+84912345678", "form_number": "BX-2", "duration_seconds": 60},
    ):
        response = device.post("/api/v1/field/responses/", payload(assignment, **changes), format="json")
        assert response.status_code == 201, response.content

    client.force_login(enumerator)
    assert client.get("/field/progress/").status_code == 403

    client.force_login(field["users"]["sup1"])
    page = client.get("/field/progress/")
    assert page.status_code == 200
    teams = {r["code"]: r for r in page.context["by_team"]}
    assert set(teams) == {"bd-1"} and teams["bd-1"]["submitted"] == 2 and teams["bd-1"]["quota"] == 70
    flags = sorted((f["flag"].reason, f["flag"].form_number) for f in page.context["flags"])
    # The two spellings of one phone are the same number once normalised by the API.
    assert flags == [("below_floor", "BX-2"), ("duplicate_phone", "BX-1"), ("duplicate_phone", "BX-2")]

    client.force_login(field["users"]["sup2"])
    assert client.get("/field/progress/").context["flags"] == []
