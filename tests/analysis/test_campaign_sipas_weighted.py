"""The campaign pipeline on the 1001 questionnaire: design weights from the design frame, calibration to the
campaign's confirmed margins, unweighted figures and design effects beside, interviews without a design
weight left out, and what is said when the margins cannot be used. Also run on PostgreSQL."""

from pathlib import Path

import numpy as np
import pytest

from analysis.models import MarginSet, PopulationMargin
from analysis.sipas.campaign import campaign_sipas
from analysis.sipas.compute import compute_sipas
from analysis.sipas.inputs import elements_of_definition
from analysis.sipas.methods import get_method
from analysis.sipas.sources import explicit_design_frame
from respondents.models import RespondentGroup
from surveys.models import Response
from surveys.services.definitions import parse_definition_file, questions
from surveys.services.questionnaires import load_questionnaire

DEFINITION = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "sipas_citizens.yaml"
SCALE_ITEMS = [
    q["code"] for q in questions(parse_definition_file(DEFINITION).definition) if q["type"] == "scale"
]


def answers(level: int, *, gender: str, age: str, feedback: int | None = None) -> dict:
    given = dict.fromkeys(SCALE_ITEMS, level)
    given |= {"background.gender": gender, "background.age_group": age, "screening.area": "land"}
    given["service.feedback.given"] = 1 if feedback else 2
    if not feedback:
        for code in ("service.feedback.ease", "service.feedback.handling", "service.feedback.outcome"):
            given.pop(code)
    given["perception.harassment"] = 2 if level >= 4 else 1
    given["needs.service_priorities"] = ["online"] if level >= 4 else ["staff", "online"]
    return given


@pytest.fixture
def sipas(campaign, units, coordinator):
    campaign.kind = "sipas_citizens"
    campaign.save(update_fields=["kind"])
    campaign.groups.set(RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    questionnaire = load_questionnaire(campaign=campaign, path=DEFINITION).questionnaire
    plan = [  # unit, level, gender, age
        *[("BATXAT", 5, "female", "60+")] * 4,
        *[("BATXAT", 2, "male", "18-29")] * 2,
        *[("SAPA", 4, "female", "30-44")] * 3,
        *[("SAPA", 3, "male", "45-59")] * 3,
    ]
    ids = []
    for unit, level, gender, age in plan:
        ids.append(
            Response.objects.create(
                campaign=campaign,
                questionnaire=questionnaire,
                mode=Response.Mode.PAPER,
                unit=units[unit],
                answers=answers(level, gender=gender, age=age),
                status=Response.Status.SUBMITTED,
            ).pk
        )
    Response.objects.create(
        campaign=campaign, questionnaire=questionnaire, answers={}, status=Response.Status.DRAFT
    )
    return campaign, ids


def design(ids, weights):
    return explicit_design_frame(
        [
            (pk, "north" if i < 6 else "south", f"c{i // 3}", None, w)
            for i, (pk, w) in enumerate(zip(ids, weights, strict=True))
        ]
    )


def test_design_weights_stratum_and_psu_come_from_the_design_frame(sipas):
    campaign, ids = sipas
    weights = [10.0] * 4 + [30.0] * 2 + [20.0] * 6
    result = campaign_sipas(campaign, design=design(ids, weights))
    assert result.weighting["weights"] == "design" and result.weighting["design"]
    assert result.design["strata"] == 2 and result.design["psus"] == 4
    # service.access item 1: satisfied = the four level-5 (w 10) and three level-4 (w 20) respondents
    item = result.items[result.items["by"].isna() & (result.items["item"] == "service.access.signage")].iloc[
        0
    ]
    assert item["estimate"] == pytest.approx((40 + 60) / (40 + 60 + 60 + 60))
    assert item["unweighted"] == pytest.approx(7 / 12)
    # the same figures as compute_sipas on the same frame with the weights and design columns
    elements = elements_of_definition(parse_definition_file(DEFINITION).definition)
    direct = compute_sipas(
        _frame(campaign, ids, weights), elements=elements, method=get_method("sipas-1001-parts")
    )
    assert result.sipas.iloc[0]["estimate"] == pytest.approx(direct.sipas.iloc[0]["estimate"], abs=1e-15)
    assert result.sipas.iloc[0]["se"] == pytest.approx(direct.sipas.iloc[0]["se"], abs=1e-15)
    deff = (result.sipas.iloc[0]["se"] / _unweighted_se(campaign)) ** 2
    assert result.sipas.iloc[0]["deff"] == pytest.approx(deff, rel=1e-12)


def _frame(campaign, ids, weights):
    import pandas as pd

    rows = Response.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "answers")
    frame = pd.DataFrame.from_records([a for _, a in rows], index=[pk for pk, _ in rows])
    frame = frame.reindex(columns=list(dict.fromkeys([*SCALE_ITEMS, *frame.columns])))
    frame["weight"] = weights
    frame["stratum"] = ["north" if i < 6 else "south" for i in range(len(ids))]
    frame["psu"] = [f"c{i // 3}" for i in range(len(ids))]
    return frame


def _unweighted_se(campaign):
    return campaign_sipas(campaign, unweighted=False, design=explicit_design_frame([])).sipas.iloc[0]["se"]


def confirm(campaign, coordinator, cells, calibration="cells"):
    margins = MarginSet.objects.create(
        campaign=campaign, file_name="t.csv", sha256="0", status="confirmed", calibration=calibration
    )
    for gender, age, population in cells:
        PopulationMargin.objects.create(
            margin_set=margins, area_code="BATXAT", gender=gender, age_group=age, population=population
        )
    return margins


def test_confirmed_margins_post_stratify_the_design_weights_to_gender_by_age_cells(sipas, coordinator):
    campaign, ids = sipas
    confirm(
        campaign,
        coordinator,
        [("female", "60+", 400), ("male", "18-29", 600), ("female", "30-44", 900), ("male", "45-59", 300)],
    )
    result = campaign_sipas(campaign, design=design(ids, [1.0] * 12))
    assert result.weighting["weights"] == "calibrated" and result.calibration == "post-stratification"
    assert result.weighted_respondents == pytest.approx(2200)
    item = result.items[result.items["by"].isna() & (result.items["item"] == "service.access.signage")].iloc[
        0
    ]
    assert item["estimate"] == pytest.approx((400 + 900) / 2200)
    assert item["unweighted"] == pytest.approx(7 / 12)
    perception = result.shares[result.shares["by"].isna() & (result.shares["option"] == 1)].iloc[0]
    assert perception["estimate"] == pytest.approx((600 + 300) / 2200)  # harassment "yes" from levels 2, 3


def test_raking_margins_fit_gender_and_age_totals(sipas, coordinator):
    campaign, ids = sipas
    confirm(
        campaign,
        coordinator,
        [("female", "60+", 400), ("male", "18-29", 600), ("female", "30-44", 900), ("male", "45-59", 300)],
        calibration="raking",
    )
    result = campaign_sipas(campaign, design=design(ids, np.linspace(1, 2, 12)))
    assert result.calibration.startswith("raking")
    assert result.weighted_respondents == pytest.approx(2200)


def test_margins_missing_a_cell_leave_figures_design_weighted_with_a_note(sipas, coordinator):
    campaign, ids = sipas
    confirm(campaign, coordinator, [("female", "60+", 400), ("male", "18-29", 600)])
    result = campaign_sipas(campaign, design=design(ids, [1.0] * 12))
    assert result.weighting["weights"] == "design"
    assert any("design-weighted only" in note and "30-44" in note for note in result.notes)


def test_interviews_without_a_design_weight_are_left_out_of_the_weighted_figures_and_said(sipas):
    campaign, ids = sipas
    weights = [10.0] * 11 + [np.nan]
    result = campaign_sipas(campaign, design=design(ids, weights))
    assert result.respondents == 11
    assert any("1 interviews have no design weight" in note for note in result.notes)


def test_without_design_or_margins_the_campaign_says_its_figures_are_unweighted(sipas):
    campaign, _ids = sipas
    result = campaign_sipas(campaign)
    assert result.weighting["weights"] == "equal" and not result.weighting["design"]
    whole = result.sipas.iloc[0]
    assert whole["estimate"] == pytest.approx(whole["unweighted"], abs=1e-15)
    assert result.method.name == "sipas-1001-parts" and result.weighting["method_source"] == "default"
