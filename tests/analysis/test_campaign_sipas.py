"""campaign_sipas on responses created through the ORM, with the shipped SIPAS questionnaire loaded."""

import math
from pathlib import Path

import pytest

from analysis.sipas.campaign import campaign_sipas
from analysis.sipas.compute import SipasInputError
from analysis.statistics import Margin
from respondents.models import RespondentGroup
from surveys.models import Response
from surveys.services.questionnaires import load_questionnaire

DEFINITIONS = Path(__file__).resolve().parents[2] / "surveys" / "definitions"
ITEMS = [
    "access.location",
    "access.waiting_area",
    "access.equipment",
    "procedure.disclosed",
    "procedure.documents",
    "procedure.fees",
    "procedure.time_limit",
    "staff.courtesy",
    "staff.listening",
    "staff.guidance",
    "staff.integrity",
    "result.on_time",
    "result.correct",
    "result.trips",
    "overall.satisfaction",
]


def answers(level: int, *, area: str = "land", gender: str = "male", feedback: int | None = None) -> dict:
    given = {"screening.capacity": "citizen", "screening.area": area, "screening.level": "commune"}
    given |= {"screening.channel": "in_person", "background.gender": gender}
    given |= dict.fromkeys(ITEMS, level)
    if feedback is None:
        given["feedback.given"] = 2
    else:
        given["feedback.given"] = 1
        feedback_items = ["feedback.ease", "feedback.handling", "feedback.informed", "feedback.outcome"]
        given |= dict.fromkeys(feedback_items, feedback)
    return given


@pytest.fixture
def sipas_campaign(campaign, units):
    campaign.groups.add(*RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    sipas = load_questionnaire(campaign=campaign, path=DEFINITIONS / "sipas_citizens_v1.yaml").questionnaire
    officials = load_questionnaire(campaign=campaign, path=DEFINITIONS / "par_officials.yaml").questionnaire
    assert sipas and officials

    def response(unit, given, status=Response.Status.SUBMITTED, questionnaire=sipas):
        Response.objects.create(
            campaign=campaign,
            questionnaire=questionnaire,
            mode=Response.Mode.PAPER,
            unit=units[unit] if unit else None,
            answers=given,
            status=status,
        )

    # Bát Xát: 6 respondents, 4 satisfied (levels 5, 4, 4, 5) and 2 not (2, 3); all gave feedback (4)
    for level in (5, 4, 4, 5, 2, 3):
        response("BATXAT", answers(level, feedback=4, gender="female" if level == 4 else "male"))
    # Sa Pa: 5 respondents, all "very satisfied" except one "don't know" everywhere, no feedback
    for level in (5, 5, 5, 5, 0):
        response("SAPA", answers(level, area="civil_status"))
    response(None, answers(1, area="civil_status"))  # unit unknown: its own (small) breakdown cell
    response("SAPA", answers(1), status=Response.Status.DRAFT)  # drafts do not count
    response("SAPA", {"q1": 1}, questionnaire=officials)  # the officials' survey is not SIPAS
    return campaign


def cell(table, group, **where):
    rows = table[(table["group"] == group) if group is not None else table["by"].isna()]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows.iloc[0]


def test_campaign_sipas_reads_submitted_sipas_responses_by_unit(sipas_campaign):
    result = campaign_sipas(sipas_campaign, by="unit")
    assert result.respondents == 12
    batxat = cell(result.elements, "BATXAT", element="staff")
    assert batxat["estimate"] == pytest.approx(4 / 6)
    assert batxat["n"] == 6 and not batxat["suppressed"]
    assert cell(result.elements, "BATXAT", element="feedback")["estimate"] == 1.0
    sapa = cell(result.elements, "SAPA", element="access")
    assert sapa["n"] == 4  # the "don't know" respondent leaves the element, which is then too small
    assert sapa["suppressed"] and math.isnan(sapa["estimate"])
    assert cell(result.sipas, None)["n"] == 11  # 12 respondents, one with no opinion at all
    unknown = result.sipas[result.sipas["by"].eq("unit") & result.sipas["group"].isna()].iloc[0]
    assert unknown["n"] == 1 and unknown["suppressed"]


def test_sipas_of_the_whole_campaign_is_the_mean_of_the_five_elements(sipas_campaign):
    result = campaign_sipas(sipas_campaign)
    # access/procedure/staff/result: 4 (Bát Xát) + 4 (Sa Pa) satisfied of 11 valid; feedback: 6 of 6
    assert cell(result.sipas, None)["estimate"] == pytest.approx((4 * 8 / 11 + 1) / 5)
    assert cell(result.elements, None, element="overall")["estimate"] == pytest.approx(8 / 11)


def test_breakdown_by_service_area_uses_the_screening_answer(sipas_campaign):
    result = campaign_sipas(sipas_campaign, by="area")
    assert set(result.sipas["group"].dropna()) == {"land", "civil_status"}
    assert cell(result.items, "land", item="staff.courtesy")["estimate"] == pytest.approx(4 / 6)


def test_campaign_margins_post_stratify_the_responses(sipas_campaign, tmp_path):
    margins = [Margin("background.gender", "male", 900), Margin("background.gender", "female", 100)]
    result = campaign_sipas(sipas_campaign, margins=margins)
    assert result.calibration == "post-stratification"
    # men: 10 respondents, 6 satisfied on staff.courtesy of 9 valid, weight 90 each;
    # women: 2, both satisfied, weight 50 each
    staff = cell(result.items, None, item="staff.courtesy")
    assert staff["estimate"] == pytest.approx((6 * 90 + 2 * 50) / (9 * 90 + 2 * 50))
    path = tmp_path / "margins.csv"
    path.write_text("variable,category,population\nbackground.gender,male,900\n", encoding="utf-8")
    with pytest.raises(SipasInputError, match="category 'female' has no population total"):
        campaign_sipas(sipas_campaign, margins=path)


def test_a_campaign_without_sipas_responses_says_so(campaign):
    campaign.groups.add(*RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    load_questionnaire(campaign=campaign, path=DEFINITIONS / "sipas_citizens_v1.yaml")
    with pytest.raises(SipasInputError, match="no submitted SIPAS response"):
        campaign_sipas(campaign)
