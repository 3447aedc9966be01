"""Two post-office teams with assignments and submitted interviews, shared by the progress and flag tests.

Team A (Bát Xát): supervisor sup-a, enumerators an and binh; a team-wide assignment in Bát Xát for the
"land" service area (quota 10) and binh's own in commune Trịnh Tường (quota 4).
Team B (Sa Pa): supervisor sup-b, enumerator chi; a team-wide assignment in Sa Pa (quota 6).
"""

import datetime
import uuid
import zoneinfo
from pathlib import Path

from django.conf import settings

from fieldwork.models import Assignment, FieldMember, FieldRecord, FieldTeam
from respondents.models import Unit
from surveys.models import Response
from surveys.services.definitions import parse_definition_file, questions
from tests.factories import QuestionnaireFactory, UnitFactory, UserFactory

VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
SIPAS = Path(settings.BASE_DIR) / "surveys" / "definitions" / "sipas_citizens_v1.yaml"
SIPAS_DEFINITION = parse_definition_file(SIPAS).definition
SCALE_ITEMS = [q["code"] for q in questions(SIPAS_DEFINITION) if q["type"] == "scale"]


def at(day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    """A time on day `day` of November 2023, Vietnam time."""
    return datetime.datetime(2023, 11, day, hour, minute, tzinfo=VIETNAM)


def varied_answers(seed: int) -> dict:
    """Scale answers 1–5 that change from item to item (no flag)."""
    return {code: (seed + k) % 5 + 1 for k, code in enumerate(SCALE_ITEMS)}


def field_setup(campaign, units) -> dict:
    sipas = QuestionnaireFactory(
        campaign=campaign, code="sipas-citizens", title="SIPAS", definition=SIPAS_DEFINITION
    )
    commune = UnitFactory(
        province=campaign.province,
        code="TRINHTUONG",
        name="Xã Trịnh Tường",
        kind=Unit.Kind.COMMUNE,
        parent=units["BATXAT"],
    )
    team_a = FieldTeam.objects.create(campaign=campaign, code="bd-batxat", name="Bưu điện Bát Xát")
    team_b = FieldTeam.objects.create(campaign=campaign, code="bd-sapa", name="Bưu điện Sa Pa")
    people = {}
    for username, team, role in [
        ("sup-a", team_a, FieldMember.Role.SUPERVISOR),
        ("an", team_a, FieldMember.Role.ENUMERATOR),
        ("binh", team_a, FieldMember.Role.ENUMERATOR),
        ("sup-b", team_b, FieldMember.Role.SUPERVISOR),
        ("chi", team_b, FieldMember.Role.ENUMERATOR),
    ]:
        people[username] = UserFactory(username=username, first_name=username.title(), last_name="Nguyễn")
        FieldMember.objects.create(team=team, user=people[username], role=role)
    a_land = Assignment.objects.create(
        campaign=campaign,
        team=team_a,
        questionnaire=sipas,
        area=units["BATXAT"],
        service_area="land",
        quota=10,
    )
    a_binh = Assignment.objects.create(
        campaign=campaign, team=team_a, enumerator=people["binh"], questionnaire=sipas, area=commune, quota=4
    )
    b_sapa = Assignment.objects.create(
        campaign=campaign, team=team_b, questionnaire=sipas, area=units["SAPA"], quota=6
    )
    return {
        "questionnaire": sipas,
        "commune": commune,
        "team_a": team_a,
        "team_b": team_b,
        "a_land": a_land,
        "a_binh": a_binh,
        "b_sapa": b_sapa,
        **people,
    }


def record(
    assignment,
    enumerator,
    *,
    when,
    answers=None,
    duration=900,
    phone="",
    form="",
    status=Response.Status.SUBMITTED,
):
    response = Response.objects.create(
        campaign=assignment.campaign,
        questionnaire=assignment.questionnaire,
        client_uuid=uuid.uuid4(),
        mode=Response.Mode.TABLET,
        unit=assignment.area,
        entered_by=enumerator,
        answers=answers if answers is not None else varied_answers(FieldRecord.objects.count()),
        status=status,
        submitted_at=when,
    )
    return FieldRecord.objects.create(
        response=response,
        assignment=assignment,
        enumerator=enumerator,
        form_number=form,
        interviewed_at=when,
        duration_seconds=duration,
        respondent_phone=phone,
        area=assignment.area,
        service_area=assignment.service_area,
        received_at=when + datetime.timedelta(hours=1),
        payload_hash=uuid.uuid4().hex,
    )
