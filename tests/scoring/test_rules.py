"""Scoring rules, with the Lào Cai figures of docs/methodology.md §3 computed by hand."""

from decimal import Decimal

import pytest

from scoring.rules import RuleInputMissing, apply_rule, proportional, survey, threshold_or_zero, tiered


def test_on_time_files_180840_of_185443_score_1_4628_of_1_5():
    # 180,840 / 185,443 = 0.975178...; × 1.5 = 1.462767... → 1.4628
    assert proportional(max_points="1.5", achieved=180840, total=185443) == Decimal("1.4628")


def test_disbursement_of_96_23_percent_scores_0_9623_of_1():
    assert proportional(max_points=1, rate="96.23") == Decimal("0.9623")


def test_electronic_documents_82_598_percent_score_0_826_at_three_places():
    assert proportional(max_points=1, rate="82.598", places=3) == Decimal("0.826")


def test_proportional_points_are_capped_at_the_maximum():
    assert proportional(max_points=1, achieved=130, total=100) == Decimal("1.0000")


def test_investment_at_77_6_percent_of_the_previous_year_scores_zero():
    assert threshold_or_zero(max_points=1, current="77.6", previous=100) == Decimal(0)


def test_grdp_growth_6_55_against_10_32_scores_zero_and_higher_growth_scores_the_maximum():
    assert threshold_or_zero(max_points=1, current="6.55", previous="10.32") == Decimal(0)
    assert threshold_or_zero(max_points=1, current="10.33", previous="10.32") == Decimal(1)


def test_equal_to_the_previous_year_is_not_higher_and_scores_zero():
    assert threshold_or_zero(max_points=1, current=5, previous=5) == Decimal(0)


TIERS = [{"min": 100, "points": 1}, {"min": 90, "points": 0.5}]


def test_23_of_24_targets_met_scores_0_5_with_the_90_percent_tier():
    # 23 / 24 = 95.83% ≥ 90% but < 100% → 0.5
    assert tiered(max_points=1, tiers=TIERS, achieved=23, total=24) == Decimal("0.5")


@pytest.mark.parametrize(("achieved", "points"), [(24, "1"), (22, "0.5"), (21, "0")])
def test_tiers_give_the_points_of_the_highest_tier_reached(achieved, points):
    # 24/24 = 100% → 1; 22/24 = 91.7% → 0.5; 21/24 = 87.5% → 0
    assert tiered(max_points=1, tiers=TIERS, achieved=achieved, total=24) == Decimal(points)


def test_sipas_91_17_percent_of_max_10_gives_9_12_at_two_places():
    assert survey(max_points=10, share="91.17", places=2) == Decimal("9.12")


def test_apply_rule_reads_the_rule_from_the_tree_and_the_figures_entered():
    rule = {"kind": "tiered", "tiers": TIERS}
    assert apply_rule(rule, max_points=1, figures={"achieved": 23, "target": 24}) == Decimal("0.5")
    assert apply_rule({"kind": "threshold_or_zero"}, max_points=1, figures={"current": 7, "previous": 6}) == 1
    assert apply_rule({"kind": "manual"}, max_points=1, figures={}) is None


def test_a_rule_without_its_figures_says_what_is_missing():
    with pytest.raises(RuleInputMissing):
        apply_rule({"kind": "threshold_or_zero"}, max_points=1, figures={"current": 7})
