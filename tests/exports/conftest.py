"""A SIPAS campaign with two questionnaire versions, design weights, confirmed margins and one analyst."""

import copy
from pathlib import Path

import pytest

from analysis.models import MarginSet, PopulationMargin
from analysis.sipas.sources import explicit_design_frame
from respondents.models import Membership, RespondentGroup
from surveys.models import Questionnaire, Response
from surveys.services.definitions import parse_definition_file, questions
from surveys.services.questionnaires import load_questionnaire
from tests.factories import UserFactory

DEFINITION = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "sipas_citizens.yaml"
SCALE_ITEMS = [
    q["code"] for q in questions(parse_definition_file(DEFINITION).definition) if q["type"] == "scale"
]
DROPPED = "service.staff.integrity"  # absent from version 2
ADDED = "background.comment"  # free text, only in version 2


def answers(level: int, *, gender: str, age: str, i: int) -> dict:
    given = dict.fromkeys(SCALE_ITEMS, level)
    given |= {"background.gender": gender, "background.age_group": age, "screening.area": "land"}
    given["service.feedback.given"] = 2
    for code in ("service.feedback.ease", "service.feedback.handling", "service.feedback.outcome"):
        given.pop(code)
    given["perception.harassment"] = 2 if level >= 4 else 1
    given["needs.service_priorities"] = ["online"] if level >= 4 else ["staff", "online"]
    if i % 4 == 0:
        given.pop("service.access.signage")  # a blank answer
    return given


def second_version(first: Questionnaire) -> Questionnaire:
    definition = copy.deepcopy(first.definition)
    for section in definition["sections"]:
        section["questions"] = [q for q in section["questions"] if q["code"] != DROPPED]
    definition["sections"][-1]["questions"].append(
        {"code": ADDED, "type": "text", "text": "Ý kiến khác (ghi rõ)", "required": False, "max_length": 500}
    )
    first.is_current = False
    first.save(update_fields=["is_current"])
    second = Questionnaire.objects.create(
        campaign=first.campaign,
        code=first.code,
        version=2,
        title=first.title,
        definition=definition,
        checksum="v2",
        is_current=True,
    )
    second.groups.set(first.groups.all())
    return second


PLAN = [  # unit, level, gender, age, version
    *[("BATXAT", 5, "female", "60+", 1)] * 4,
    *[("BATXAT", 2, "male", "18-29", 1)] * 2,
    *[("SAPA", 4, "female", "30-44", 2)] * 3,
    *[("SAPA", 3, "male", "45-59", 2)] * 3,
    ("STP", 3, "male", "45-59", 2),  # a unit of one interview: a small cell for analysts
]


@pytest.fixture
def sipas(campaign, units, coordinator, monkeypatch):
    campaign.kind = "sipas_citizens"
    campaign.save(update_fields=["kind"])
    campaign.groups.set(RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    first = load_questionnaire(campaign=campaign, path=DEFINITION).questionnaire
    second = second_version(first)
    ids = []
    for i, (unit, level, gender, age, version) in enumerate(PLAN):
        given = answers(level, gender=gender, age=age, i=i)
        if version == 2:
            given.pop(DROPPED, None)
            given[ADDED] = "Tôi là Nguyễn Văn A, nhà số 5" if i == 6 else None
        ids.append(
            Response.objects.create(
                campaign=campaign,
                questionnaire=first if version == 1 else second,
                mode=Response.Mode.PAPER,
                unit=units[unit],
                answers={k: v for k, v in given.items() if v is not None},
                status=Response.Status.SUBMITTED,
            ).pk
        )
    Response.objects.create(campaign=campaign, questionnaire=second, answers={}, status=Response.Status.DRAFT)
    weights = [10.0, 10.0, 12.5, 10.0, 30.0, 30.0, 20.0, 20.0, 17.25, 20.0, 20.0, 20.0, 8.0]
    design = explicit_design_frame(
        [
            (pk, "north" if i < 6 else "south", f"c{i // 3}", None, w)
            for i, (pk, w) in enumerate(zip(ids, weights, strict=True))
        ]
    )
    monkeypatch.setattr("analysis.sipas.sources.design_frame", lambda *, campaign: design.copy())
    margins = MarginSet.objects.create(
        campaign=campaign, file_name="t.csv", sha256="0", status="confirmed", calibration="cells"
    )
    for gender, age, population in [
        ("female", "60+", 400),
        ("male", "18-29", 600),
        ("female", "30-44", 900),
        ("male", "45-59", 300),
    ]:
        PopulationMargin.objects.create(
            margin_set=margins, area_code="BATXAT", gender=gender, age_group=age, population=population
        )
    return campaign, ids, weights


@pytest.fixture
def analyst(province):
    user = UserFactory(username="phan-tich")
    Membership.objects.create(user=user, role=Membership.Role.ANALYST, province=province)
    return user
