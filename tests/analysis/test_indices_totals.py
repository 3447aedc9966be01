"""The campaign's index joined from scoring, the officials' survey, SIPAS and the indicators: the
hand-computed scenario of tests/analysis/indices_setup.py, figure by figure."""

from decimal import Decimal

import pytest

from analysis.indices import as_dict, campaign_indices, sipas_points
from scoring.totals import Node
from tests.analysis.indices_setup import scenario

D = Decimal


@pytest.fixture
def result(tmp_path, province, units, campaign):
    scenario(tmp_path, province, units, campaign)
    return campaign_indices(campaign)


def test_sipas_enters_domain_8_in_proportion_to_its_percentage():
    # docs/methodology.md §3.4: a SIPAS of 91.17% gave 9.12 of 10 points in 2021
    items = [Node("8.1.1", "a", "sub_criterion", D(10)), Node("8.1.2", "b", "sub_criterion", D(6))]
    assert sipas_points(0.9117, items) == {"8.1.1": D("9.12"), "8.1.2": D("5.47")}
    assert sipas_points(None, items) == {}


def test_domain_8_adds_sipas_points_to_the_indicators_scored_by_their_rules(result):
    domains = {d.code: d for d in result.province.domains}
    assert result.surveys.sipas_points == {"8.1.1": D("4.80"), "8.1.2": D("3.20")}
    assert domains["8"].self_points == D("1.9")  # 8.2.1 threshold 110 > 100 → 1; 8.2.2 90/100 → 0.9
    assert domains["8"].survey == D("8.00")
    assert domains["8"].final == D("9.9")


def test_domains_1_to_7_show_self_appraised_survey_and_final_points(result):
    domain = result.province.domains[0]
    assert (domain.self_points, domain.appraised, domain.survey) == (D("5.5"), D("3.0"), D("1.7333"))
    assert domain.final == D("6.7333")  # appraised 3.0 for 1.1, self 2.0 for 1.2, survey 1.7333


def test_index_band_rank_and_change(result):
    province = result.province
    assert province.points == D("16.6333")
    assert province.index == D("83.17")
    assert province.band == "Nhóm B"
    # The province's rank comes from the Ministry's published table (none loaded here), not from the
    # other province stored in this database (Yên Bái).
    assert result.standing is None
    assert (province.previous_year, province.previous_index) == (2022, D("30.00"))
    assert province.change == D("53.17")
    assert province.history == [(2022, D("30.00")), (2023, D("83.17"))]


def test_points_lost_list_the_largest_losses_first(result):
    lost = [(p.code, p.lost) for p in result.province.points_lost]
    assert lost == [
        ("8.1.1", D("1.20")),
        ("1.1", D("1.0")),
        ("8.1.2", D("0.80")),
        ("1.3", D("0.2667")),
        ("8.2.2", D("0.1000")),
    ]


def test_the_officials_question_feeding_domain_8_is_reported_not_scored(result):
    problems = result.surveys.officials.problems
    assert [(p.question, p.feeds) for p in problems] == [("impact", "8.2")]


def test_as_dict_has_the_documented_keys(result):
    data = as_dict(result)
    assert {"campaign", "index", "band", "rank", "change", "domains", "survey", "points_lost"} <= set(data)
    assert set(data["domains"][0]) >= {"code", "name", "max", "self", "appraised", "final"}
    assert data["survey"]["sipas"]["index"] == pytest.approx(80.0)
    assert data["survey"]["officials"]["items"][0]["points"] == D("1.7333")


def test_without_surveys_the_survey_items_score_nothing_and_notes_say_why(
    province, units, campaign, tmp_path
):
    from tests.analysis.indices_setup import assessment_with_scores, load_tree

    assessment_with_scores(campaign, load_tree(tmp_path), {"1.1": (4, None)})
    result = campaign_indices(campaign)
    assert result.province.index == D("20.00")
    assert "no SIPAS campaign for this province and year" in result.surveys.notes
    assert "no officials' questionnaire in the campaign" in result.surveys.notes
