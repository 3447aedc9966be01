"""Field-work fixtures: a SIPAS campaign in its field window, two Bưu điện teams, their members and
assignments, and an API client per user (token authentication, as a device)."""

import datetime
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from fieldwork.models import Assignment, FieldMember, FieldTeam
from respondents.models import ApiToken, Campaign, Unit
from respondents.services.api_tokens import issue_api_token
from tests.factories import CampaignFactory, UnitFactory, UserFactory
from tests.surveys.respondent_setup import make_questionnaire

COMPLETE = {"q1": "no", "q3": 12, "q4": 4}


@pytest.fixture
def sipas(province, units):
    today = timezone.localdate()
    campaign = CampaignFactory(
        province=province,
        slug="sipas-field",
        kind=Campaign.Kind.SIPAS_CITIZENS,
        year=today.year,
        groups=["citizen", "organisation"],
        survey_opens=today - datetime.timedelta(days=10),
        survey_closes=today + datetime.timedelta(days=20),
        status=Campaign.Status.SURVEYING,
    )
    campaign.units.set(units.values())
    return campaign


@pytest.fixture
def commune(province, units):
    return UnitFactory(
        province=province,
        code="XA-TRINHTUONG",
        name="Xã Trịnh Tường",
        kind=Unit.Kind.COMMUNE,
        parent=units["BATXAT"],
    )


@pytest.fixture
def questionnaire(sipas):
    return make_questionnaire(sipas, groups=["citizen"])


@pytest.fixture
def field(sipas, units, questionnaire, commune):
    """Team 1 (enumerators a and b, clerk, supervisor) and team 2 (enumerator c), with assignments."""
    team1 = FieldTeam.objects.create(campaign=sipas, code="bd-1", name="Bưu điện Bát Xát")
    team2 = FieldTeam.objects.create(campaign=sipas, code="bd-2", name="Bưu điện Sa Pa")
    users = {name: UserFactory(username=f"field-{name}") for name in ("a", "b", "c", "clerk", "sup1", "sup2")}
    for name, team, role in (
        ("a", team1, "enumerator"),
        ("b", team1, "enumerator"),
        ("clerk", team1, "clerk"),
        ("sup1", team1, "supervisor"),
        ("c", team2, "enumerator"),
        ("sup2", team2, "supervisor"),
    ):
        FieldMember.objects.create(team=team, user=users[name], role=role)
    assignments = {
        "a": Assignment.objects.create(
            campaign=sipas,
            team=team1,
            enumerator=users["a"],
            questionnaire=questionnaire,
            area=units["BATXAT"],
            quota=40,
        ),
        "team1": Assignment.objects.create(
            campaign=sipas, team=team1, questionnaire=questionnaire, area=units["SAPA"], quota=30
        ),
        "c": Assignment.objects.create(
            campaign=sipas,
            team=team2,
            enumerator=users["c"],
            questionnaire=questionnaire,
            area=units["SAPA"],
            quota=20,
        ),
    }
    return {"teams": {"1": team1, "2": team2}, "users": users, "assignments": assignments}


# Keys issued in this process by their digest: only the digest is stored, so a second client for the same
# user (threads of a concurrency test) reuses the key issued first.
_KEYS: dict[str, str] = {}


def token_key(user) -> str:
    """The user's current API key, issued if it has none (or one not issued here)."""
    token = ApiToken.objects.filter(user=user).first()
    if token is not None and token.key_hash in _KEYS and not token.is_expired():
        return _KEYS[token.key_hash]
    issued = issue_api_token(user=user)
    _KEYS[issued.token.key_hash] = issued.key
    return issued.key


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_key(user)}")
    return client


def payload(assignment, **changes) -> dict:
    body = {
        "client_uuid": str(uuid.uuid4()),
        "assignment": assignment.pk,
        "questionnaire": assignment.questionnaire_id,
        "mode": "tablet",
        "interviewed_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "duration_seconds": 900,
        "answers": dict(COMPLETE),
    }
    body.update(changes)
    return body
