"""The submission path's pre-built reads (fieldwork/services/reads.py): the assignment read with its
campaign, questionnaire, area and the caller's rights in one query, questionnaire definitions cached by
version and checksum, and device tokens that stop working as soon as they are rotated."""

import copy
import io

import pytest
from django.core.management import call_command

from fieldwork.access import may_work_on
from fieldwork.services.reads import questionnaire_definition, read_assignment
from kit.documents import checksum
from tests.fieldwork.conftest import api_client, payload

URL = "/api/v1/field/responses/"
pytestmark = pytest.mark.django_db


def test_the_assignment_is_read_with_everything_a_submission_uses(field, units, sipas, questionnaire):
    user = field["users"]["a"]
    assignment = read_assignment(field["assignments"]["a"].pk, user)
    assert assignment == field["assignments"]["a"]
    assert assignment.campaign == sipas and assignment.campaign.survey_opens == sipas.survey_opens
    assert assignment.questionnaire.definition == questionnaire.definition
    assert assignment.area == units["BATXAT"] and assignment.area.kind == "district"
    assert (assignment.member_role, assignment.is_coordinator) == ("enumerator", False)
    assert read_assignment(10**9, user) is None


def test_the_rights_read_with_the_assignment_agree_with_the_rule_read_separately(field, coordinator):
    users = [*field["users"].values(), coordinator]
    for assignment in field["assignments"].values():
        for user in users:
            fresh = type(assignment).objects.get(pk=assignment.pk)
            assert may_work_on(user, read_assignment(assignment.pk, user)) == may_work_on(user, fresh), (
                user.username,
                assignment.pk,
            )


def test_a_definition_changed_in_place_is_read_again_under_its_new_checksum(questionnaire):
    first = questionnaire_definition(questionnaire.pk, questionnaire.checksum)
    assert first == questionnaire.definition
    changed = copy.deepcopy(questionnaire.definition)
    changed["title"] = "Phiếu đã sửa"
    type(questionnaire).objects.filter(pk=questionnaire.pk).update(
        definition=changed, checksum=checksum(changed)
    )
    assert questionnaire_definition(questionnaire.pk, checksum(changed))["title"] == "Phiếu đã sửa"


def test_a_submission_is_checked_against_the_definition_as_it_is_now(field, questionnaire):
    client = api_client(field["users"]["a"])
    assert client.post(URL, payload(field["assignments"]["a"]), format="json").status_code == 201
    changed = copy.deepcopy(questionnaire.definition)
    changed["sections"][0]["questions"][0]["options"] = [{"value": "maybe", "label": "Có thể"}]
    type(questionnaire).objects.filter(pk=questionnaire.pk).update(
        definition=changed, checksum=checksum(changed)
    )
    answer = client.post(URL, payload(field["assignments"]["a"]), format="json")
    assert answer.status_code == 400
    assert list(answer.json()["errors"]["answers"]) == ["q1"]


def test_a_rotated_or_deactivated_token_is_refused_at_once(field):
    user = field["users"]["a"]
    client = api_client(user)
    assert client.post(URL, payload(field["assignments"]["a"]), format="json").status_code == 201
    call_command("field_token", user.username, "--rotate", stdout=io.StringIO(), stderr=io.StringIO())
    assert client.post(URL, payload(field["assignments"]["a"]), format="json").status_code == 401
    fresh = api_client(user)
    assert fresh.post(URL, payload(field["assignments"]["a"]), format="json").status_code == 201
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    answer = fresh.post(URL, payload(field["assignments"]["a"]), format="json")
    assert answer.status_code == 401
    assert list(answer.json()["errors"]) == ["detail"]
