"""A small, hand-computable index scenario: a 20-point tree (domain 1 and domain 8), an officials' survey of
ten people, ten SIPAS questionnaires, Sở KH&ĐT's two indicators, an earlier year and a second province.

Hand computation (tests/analysis/test_indices_totals.py checks each figure):
- 1.1 self 3.5, appraised 3.0 → 3.0; 1.2 self 2.0 → 2.0.
- 1.3 (officials, max 2): hdnd answers 4, 4, 3, 3, 2 on 1–4 → 1, 1, 2/3, 2/3, 1/3 → mean 11/15;
  dept_leader 4 × 5 → 1; equal group weights → (11/15 + 1) / 2 = 13/15 → 2 × 13/15 = 1.7333.
- SIPAS: 8 of 10 answer 5 to every item, 2 answer 2 → every element 80% → SIPAS 80%
  → 8.1.1 = 6 × 0.8 = 4.80, 8.1.2 = 4 × 0.8 = 3.20.
- 8.2.1 threshold_or_zero 110 vs 100 → 1; 8.2.2 proportional 90 of 100 → 0.9.
- domain 1 = 6.7333 (self 5.5, appraised 3.0, survey 1.7333); domain 8 = 9.9 (self 1.9, survey 8.0).
- total 16.6333 of 20 → index 83.17, band "Nhóm B"; earlier year 6 of 20 → 30.00, change +53.17;
  the other province 1 of 20 → 5.00: rank 1 of 2.
"""

import datetime
import textwrap
from decimal import Decimal
from pathlib import Path

from respondents.models import Campaign, RespondentGroup
from scoring.models import Criterion, Score, ScoringRole
from scoring.services.scoring import open_assessment, save_self_score
from scoring.services.trees import load_criteria_tree
from surveys.models import Invitation, Questionnaire, Response
from surveys.services.definitions import questions
from surveys.services.questionnaires import load_questionnaire
from tests.factories import CampaignFactory, ProvinceFactory, RespondentFactory, UserFactory

DEFINITIONS = Path(__file__).resolve().parents[2] / "surveys" / "definitions"

TREE = """\
code: tiny-index
title: Chỉ số thử nghiệm
level: province
years: {from: 2020}
total: 20
bands: bnv-province-groups-2023
leads:
  snv: {name: Sở Nội vụ, unit_code: SNV}
domains:
  - code: "1"
    name: Công tác chỉ đạo, điều hành
    max: 8
    lead: snv
    criteria:
      - {code: "1.1", name: Kế hoạch cải cách hành chính, max: 4}
      - {code: "1.2", name: Báo cáo định kỳ, max: 2}
      - {code: "1.3", name: Đánh giá của cán bộ công chức, max: 2, scored_by: survey}
  - code: "8"
    name: Tác động của cải cách hành chính
    max: 12
    lead: snv
    criteria:
      - code: "8.1"
        name: Mức độ hài lòng (SIPAS)
        max: 10
        sub_criteria:
          - {code: "8.1.1", name: Hài lòng về dịch vụ, max: 6, scored_by: survey, rule: {kind: survey}}
          - {code: "8.1.2", name: Hài lòng về chính sách, max: 4, scored_by: survey, rule: {kind: survey}}
      - code: "8.2"
        name: Chỉ tiêu kinh tế - xã hội
        max: 2
        sub_criteria:
          - code: "8.2.1"
            name: Vốn đầu tư so với năm trước
            max: 1
            scored_by: computed
            rule: {kind: threshold_or_zero}
          - code: "8.2.2"
            name: Thu ngân sách so với dự toán
            max: 1
            scored_by: computed
            rule: {kind: proportional}
"""

OFFICIALS = """\
code: officials-test
title: Phiếu thử cán bộ
groups: [hdnd, dept_leader]
scales:
  q4:
    - {value: 1, label: Kém}
    - {value: 2, label: Trung bình}
    - {value: 3, label: Khá}
    - {value: 4, label: Tốt}
    - {value: 0, label: Không biết, missing: true}
sections:
  - code: s1
    title: Chỉ đạo
    questions:
      - {code: plan, type: scale, scale: q4, text: Kế hoạch, feeds: "1.1"}
      - {code: impact, type: scale, scale: q4, text: Tác động, feeds: "8.2"}
"""


def load_tree(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(TREE, encoding="utf-8")
    report = load_criteria_tree(path=path)
    assert not report.errors, report.errors
    return report.tree


def officials_questionnaire(tmp_path, campaign) -> Questionnaire:
    path = tmp_path / "officials.yaml"
    path.write_text(textwrap.dedent(OFFICIALS), encoding="utf-8")
    report = load_questionnaire(campaign=campaign, path=path)
    assert not report.errors, report.errors
    return Questionnaire.objects.get(campaign=campaign, code="officials-test", is_current=True)


def officials_answers(campaign, questionnaire, unit, answers_by_group: dict[str, list[dict]]) -> None:
    for group_code, answers in answers_by_group.items():
        group = RespondentGroup.objects.get(code=group_code)
        for answer in answers:
            respondent = RespondentFactory(campaign=campaign, unit=unit, group=group)
            invitation = Invitation.objects.create(
                campaign=campaign, respondent=respondent, questionnaire=questionnaire
            )
            Response.objects.create(
                campaign=campaign,
                questionnaire=questionnaire,
                invitation=invitation,
                answers=answer,
                status=Response.Status.SUBMITTED,
            )


def sipas_campaign(province, year: int, units, answers: list[int], *, unit_codes=None) -> Campaign:
    """A SIPAS campaign with one questionnaire per value in `answers` (that value on every SIPAS item)."""
    campaign = CampaignFactory(
        province=province,
        slug=f"sipas-{province.pk}-{year}",
        kind=Campaign.Kind.SIPAS_CITIZENS,
        year=year,
        groups=["citizen", "organisation"],
    )
    campaign.units.set(units.values())
    report = load_questionnaire(campaign=campaign, path=DEFINITIONS / "sipas_citizens_v1.yaml")
    assert not report.errors, report.errors
    questionnaire = Questionnaire.objects.get(campaign=campaign, is_current=True)
    items = [
        q["code"] for q in questions(questionnaire.definition) if (q.get("feeds") or "").startswith("sipas.")
    ]
    codes = unit_codes or ["BATXAT"] * len(answers)
    for value, code in zip(answers, codes, strict=True):
        Response.objects.create(
            campaign=campaign,
            questionnaire=questionnaire,
            mode=Response.Mode.PAPER,
            unit=units[code],
            answers={item: value for item in items} | {"screening.area": "land"},
            status=Response.Status.SUBMITTED,
        )
    return campaign


def assessment_with_scores(campaign, tree, points: dict[str, tuple]) -> object:
    """An assessment of the province; `points`: item code → (self, appraised)."""
    assessment = open_assessment(campaign=campaign, tree=tree)
    for code, (self_points, appraised) in points.items():
        Score.objects.create(
            assessment=assessment,
            criterion=Criterion.objects.get(tree=tree, code=code),
            self_points=None if self_points is None else Decimal(str(self_points)),
            appraised_points=None if appraised is None else Decimal(str(appraised)),
        )
    return assessment


def enter_indicators(assessment, unit, figures: dict[str, dict]) -> None:
    """Sở KH&ĐT's figures entered through the scoring service, scored by each item's rule."""
    user = UserFactory(username=f"khdt-{assessment.pk}")
    ScoringRole.objects.create(
        user=user, role=ScoringRole.Role.SCORER, province=assessment.campaign.province, unit=unit
    )
    for code, values in figures.items():
        result = save_self_score(
            assessment=assessment,
            criterion=Criterion.objects.get(tree=assessment.tree, code=code),
            user=user,
            figures=values,
            today=assessment.self_opens,
        )
        assert result.ok, result.errors


def scenario(tmp_path, province, units, campaign) -> dict:
    """The whole hand-computed scenario of the module docstring, around the shared `campaign` (par-2023)."""
    tree = load_tree(tmp_path)
    assessment = assessment_with_scores(campaign, tree, {"1.1": (3.5, 3.0), "1.2": (2.0, None)})
    enter_indicators(
        assessment,
        units["SNV"],
        {
            "8.2.1": {"value_current": "110", "value_previous": "100"},
            "8.2.2": {"achieved": "90", "target": "100"},
        },
    )
    questionnaire = officials_questionnaire(tmp_path, campaign)
    officials_answers(
        campaign,
        questionnaire,
        units["SNV"],
        {
            "hdnd": [{"plan": v, "impact": 4} for v in (4, 4, 3, 3, 2)],
            "dept_leader": [{"plan": 4, "impact": 1} for _ in range(5)],
        },
    )
    sipas_campaign(province, campaign.year, units, [5] * 8 + [2] * 2)
    earlier = CampaignFactory(province=province, slug="par-2022", year=2022)
    assessment_with_scores(earlier, tree, {"1.1": (4, 4), "1.2": (2, None)})
    other_province = ProvinceFactory(name="Yên Bái", code="yen-bai")
    other = CampaignFactory(province=other_province, slug="par-yb-2023", year=2023)
    assessment_with_scores(other, tree, {"1.1": (1, None)})
    return {"tree": tree, "assessment": assessment, "today": datetime.date(campaign.year, 12, 1)}
