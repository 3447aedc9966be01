"""The pure table calculations (analysis/tables.py): a small weighted case computed by hand, then the same
figures from independent libraries (statsmodels' Wilson interval and DescrStatsW, numpy's weighted
quantiles) on random data."""

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from analysis.tables import (
    OTHER,
    KnownNames,
    frequencies,
    groups_of,
    kish_effective_n,
    mask_contacts,
    numeric_summary,
    select,
    weighted_quantile,
    wilson_interval,
)

OPTIONS = [("a", "An"), ("b", "Bình"), ("c", "Cường")]
# Six respondents; the fourth did not answer (its weight 5 is left out of the base).
ANSWERS = ["a", "a", "b", None, "b", "c"]
WEIGHTS = [1, 2, 1, 5, 2, 4]


def test_weighted_shares_and_wilson_intervals_with_kish_n_match_the_hand_computation():
    table = frequencies(ANSWERS, WEIGHTS, OPTIONS)
    # Base: 5 answers, weight 1+2+1+2+4 = 10; a = 3/10, b = 3/10, c = 4/10.
    assert (table.n, table.weighted_n) == (5, 10)
    # Kish: 10² / (1+4+1+4+16) = 100/26 = 3.846.
    assert table.effective_n == pytest.approx(100 / 26)
    shares = {row.value: row for row in table.rows}
    assert [shares[v].percent for v in "abc"] == pytest.approx([30, 30, 40])
    assert [shares[v].n for v in "abc"] == [2, 2, 1]
    # Wilson for p = 0.4, n = 3.846, z = 1.96: z²/n = 0.99883; centre = (0.4 + 0.49941) / 1.99883 = 0.44997;
    # half = 1.95996 × √(0.4·0.6/3.846 + 3.8415/(4·3.846²)) / 1.99883 = 1.95996 × 0.35682 / 1.99883 = 0.34988.
    assert (shares["c"].low, shares["c"].high) == pytest.approx((10.01, 79.99), abs=0.01)


def test_the_interval_is_statsmodels_wilson_on_the_effective_n():
    rng = np.random.default_rng(7)
    answers = rng.choice(["a", "b", "c"], size=300).tolist()
    weights = rng.gamma(2.0, 1.5, size=300)
    table = frequencies(answers, weights.tolist(), OPTIONS)
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    assert table.effective_n == pytest.approx(n_eff)
    for row in table.rows:
        p = weights[np.array(answers) == row.value].sum() / weights.sum()
        low, high = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
        assert row.percent == pytest.approx(100 * p)
        assert (row.low, row.high) == pytest.approx((100 * low, 100 * high))


def test_equal_weights_give_the_plain_wilson_interval():
    assert kish_effective_n([1.0] * 20) == pytest.approx(20)
    low, high = wilson_interval(0.25, 20)
    assert (low, high) == pytest.approx(proportion_confint(5, 20, method="wilson"))


def test_multiple_choice_shares_are_of_respondents_and_unknown_answers_are_counted_apart():
    table = frequencies([["a", "b"], ["b"], ["a", "zz"], []], [1, 1, 2, 9], OPTIONS, multiple=True)
    shares = {row.value: row.percent for row in table.rows}
    # Base 3 respondents of weight 4: a chosen by weight 3, b by 2, the unknown "zz" by 2.
    assert table.n == 3 and shares["a"] == pytest.approx(75) and shares["b"] == pytest.approx(50)
    assert shares[OTHER] == pytest.approx(50) and shares["c"] == 0


def test_dont_know_is_counted_but_left_out_of_the_base():
    table = frequencies(["a", "0", "b", "0"], [1, 1, 3, 1], [*OPTIONS, ("0", "Không biết")], missing=["0"])
    shares = {row.value: row for row in table.rows}
    assert (table.n, table.weighted_n) == (2, 4)
    assert shares["a"].percent == pytest.approx(25) and shares["b"].percent == pytest.approx(75)
    assert (shares["0"].n, shares["0"].percent) == (2, None)


def test_a_base_under_the_minimum_cell_is_suppressed():
    table = frequencies(["a", "b", "a"], [1, 1, 1], OPTIONS, min_cell=5)
    assert table.suppressed and all(row.percent is None and row.low is None for row in table.rows)
    assert not frequencies(["a"] * 5, [1] * 5, OPTIONS, min_cell=5).suppressed


def test_numeric_summary_matches_the_hand_computation():
    summary = numeric_summary([1, "2", "3,0", 4, 10, None, "x"], [1, 1, 1, 1, 4, 3, 3])
    # Mean (1+2+3+4+40)/8 = 6.25; cumulative shares 1/8, 2/8, 3/8, 4/8, 1: Q1 = 2, median = 4, Q3 = 10.
    assert (summary.n, summary.weighted_n) == (5, 8)
    assert summary.mean == pytest.approx(6.25)
    assert (summary.q1, summary.median, summary.q3) == (2, 4, 10)
    assert (summary.minimum, summary.maximum) == (1, 10)


def test_numeric_summary_agrees_with_numpy_and_statsmodels():
    rng = np.random.default_rng(11)
    values = rng.normal(40, 12, size=500).round(1)
    weights = rng.uniform(0.2, 3.0, size=500)
    summary = numeric_summary(values.tolist(), weights.tolist())
    assert summary.mean == pytest.approx(DescrStatsW(values, weights=weights).mean)
    expected = np.quantile(values, [0.25, 0.5, 0.75], weights=weights, method="inverted_cdf")
    assert [summary.q1, summary.median, summary.q3] == pytest.approx(expected.tolist())
    # No cumulative share falls exactly on a quartile here, so statsmodels' definition gives the same.
    statsmodels_quartiles = DescrStatsW(values, weights=weights).quantile(
        [0.25, 0.5, 0.75], return_pandas=False
    )
    assert [summary.q1, summary.median, summary.q3] == pytest.approx(statsmodels_quartiles.tolist())


def test_weighted_quantile_needs_a_positive_weight():
    assert weighted_quantile([3, 1, 2], [0, 1, 1], 0.5) == 1
    with pytest.raises(ValueError):
        weighted_quantile([1], [0], 0.5)
    assert math.isclose(weighted_quantile([5.0], [2.0], 0.99), 5.0)


def test_breakdown_groups_keep_their_order_with_no_answer_last():
    keys = ["nam", None, "nu", "nam", ""]
    assert groups_of(keys) == ["nam", "nu", ""]
    assert select([1, 2, 3, 4, 5], keys, "") == [2, 5]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Liên hệ an.nguyen@laocai.gov.vn nhé", "Liên hệ [e-mail] nhé"),
        ("Gọi 0912 345 678 hoặc +84 912.345.679", "Gọi [số điện thoại] hoặc [số điện thoại]"),
        ("Tôi là Nguyễn Văn An, đề nghị…", "Tôi là [họ tên], đề nghị…"),
        ("Năm 2024 có 12 thủ tục", "Năm 2024 có 12 thủ tục"),
    ],
)
def test_free_text_for_analysts_has_no_e_mails_phones_or_the_respondents_name(text, masked):
    assert mask_contacts(text, ["Nguyễn Văn An"]) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Cảm ơn chị Trần Thị Lan.", "Cảm ơn chị [họ tên]."),
        ("trần  thị\nlan giúp đỡ", "[họ tên] giúp đỡ"),  # any case and spacing
        ("Trần Thị Lanh không liên quan", "Trần Thị Lanh không liên quan"),  # whole words only
        ("Ông Nguyễn Văn An Bình", "Ông [họ tên]"),  # the longest name first
        ("Ông Nguyễn Văn An nói", "Ông [họ tên] nói"),
        ("Lan và An", "Lan và An"),  # names of one word are not masked
        ("", ""),
    ],
)
def test_known_full_names_are_masked_whole_in_any_case(text, masked):
    known = KnownNames(["Trần Thị Lan", "Nguyễn Văn An", "Nguyễn Văn An Bình", "Lan", ""])
    assert known.mask(text) == masked
    assert mask_contacts(text, known=known) == masked


def test_identity_card_numbers_are_masked_but_not_other_numbers():
    assert (
        mask_contacts("CCCD 001234567890, năm 2024, 12 thủ tục") == "CCCD [số giấy tờ], năm 2024, 12 thủ tục"
    )
