"""Every SIPAS formula on small cases computed by hand in the test."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.sipas import compute_sipas, get_method
from analysis.statistics import CalibrationError, Margin, korn_graubard_interval, poststratify, rake

# Two index elements keep the hand computation short; everything else is sipas-2023.
METHOD = dataclasses.replace(get_method("sipas-2023"), index_elements=("access", "staff"))
ELEMENTS = {"access": ["a1", "a2"], "staff": ["s1"]}


def six_respondents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "weight": [1, 2, 1, 3, 1, 2],
            "a1": [5, 4, 2, 0, 3, 4],  # 0 = don't know: left out
            "a2": [4, 1, 5, 5, np.nan, 2],  # blank: left out
            "s1": [5, 5, 4, 4, 5, 3],
        },
        index=range(2, 8),
    )


def row(table, **where):
    selected = table[table["by"].isna()]
    for column, value in where.items():
        selected = selected[selected[column] == value]
    return selected.iloc[0]


def test_item_share_is_the_weighted_satisfied_share_of_valid_answers_with_its_linearised_error():
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=METHOD)
    a1 = row(result.items, item="a1")
    # satisfied (4, 5): respondents 1, 2, 6 with weights 1 + 2 + 2 = 5; valid: all but the 4th, 1+2+1+1+2 = 7
    assert a1["estimate"] == pytest.approx(5 / 7, abs=1e-15)
    # z_i = w_i (s_i - R v_i) / X = 2/49, 4/49, -5/49, 0, -5/49, 4/49; v = 6/5 · sum z² (sum z = 0)
    assert a1["se"] == pytest.approx(math.sqrt(6 / 5 * 86 / 2401), abs=1e-15)
    assert (a1["n"], a1["weighted_n"]) == (5, 7)


def test_element_index_pools_the_answers_to_its_items():
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=METHOD)
    access = row(result.elements, element="access")
    # per respondent satisfied / valid answers: (2,2) (1,2) (1,2) (1,1) (0,1) (1,2); Y = 10, X = 16
    assert access["estimate"] == pytest.approx(10 / 16, abs=1e-15)
    z = np.array([0.75, -0.5, -0.25, 1.125, -0.625, -0.5]) / 16  # w (y - 5/8 x) / 16
    assert z.sum() == pytest.approx(0)
    assert access["se"] == pytest.approx(math.sqrt(6 / 5 * (z**2).sum()), abs=1e-15)
    assert (access["n"], access["weighted_n"]) == (6, 10)


def test_sipas_is_the_mean_of_element_indices_and_its_error_is_linearised_through_the_mean():
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=METHOD)
    sipas = row(result.sipas)
    assert sipas["estimate"] == pytest.approx((10 / 16 + 8 / 10) / 2, abs=1e-15)
    access = np.array([0.75, -0.5, -0.25, 1.125, -0.625, -0.5]) / 16
    staff = np.array([0.2, 0.4, 0.2, 0.6, 0.2, -1.6]) / 10  # w (y - 0.8) / 10
    z = (access + staff) / 2
    assert sipas["se"] == pytest.approx(math.sqrt(6 / 5 * (z**2).sum()), abs=1e-15)


def test_pooled_method_divides_all_satisfied_answers_by_all_valid_answers():
    pooled = dataclasses.replace(METHOD, sipas_aggregation="pooled_items")
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=pooled)
    assert row(result.sipas)["estimate"] == pytest.approx((10 + 8) / (16 + 10), abs=1e-15)


def test_sipas_linearised_value_is_the_derivative_of_the_index_with_respect_to_each_weight():
    frame = six_respondents().astype({"weight": float})
    base = row(compute_sipas(frame, elements=ELEMENTS, method=METHOD).sipas)["estimate"]
    access = np.array([0.75, -0.5, -0.25, 1.125, -0.625, -0.5]) / 16
    staff = np.array([0.2, 0.4, 0.2, 0.6, 0.2, -1.6]) / 10
    derivative = (access + staff) / 2 / frame["weight"].to_numpy()
    step = 1e-6
    for i in range(6):
        nudged = frame.copy()
        nudged.iloc[i, 0] += step
        moved = row(compute_sipas(nudged, elements=ELEMENTS, method=METHOD).sipas)["estimate"]
        assert (moved - base) / step == pytest.approx(derivative[i], abs=1e-6)


def test_strata_add_their_own_between_psu_variances():
    frame = six_respondents().assign(stratum=["a", "a", "a", "b", "b", "b"])
    result = compute_sipas(frame, elements=ELEMENTS, method=METHOD)
    z = np.array([2, 4, -5, 0, -5, 4]) / 49  # as in the unstratified case: R and X do not depend on strata
    by_stratum = [z[:3], z[3:]]
    expected = sum(3 / 2 * ((part - part.mean()) ** 2).sum() for part in by_stratum)
    assert row(result.items, item="a1")["se"] == pytest.approx(math.sqrt(expected), abs=1e-15)
    assert result.design["degrees_of_freedom"] == 4


def test_clusters_sum_their_members_before_the_variance():
    frame = six_respondents().assign(psu=["c1", "c1", "c2", "c2", "c3", "c3"])
    result = compute_sipas(frame, elements=ELEMENTS, method=METHOD)
    z = np.array([2, 4, -5, 0, -5, 4]) / 49
    totals = np.array([z[0] + z[1], z[2] + z[3], z[4] + z[5]])
    expected = 3 / 2 * ((totals - totals.mean()) ** 2).sum()
    assert row(result.items, item="a1")["se"] == pytest.approx(math.sqrt(expected), abs=1e-15)


def test_korn_graubard_interval_uses_the_effective_sample_size():
    p, v = 5 / 7, 6 / 5 * 86 / 2401
    n_eff = p * (1 - p) / v  # 4.75 < 5 answers; t_4 / t_5 > 1 so no degrees-of-freedom shrinking
    low, high = korn_graubard_interval(estimate=p, variance=v, n=5, n_respondents=5, df=5)
    assert low == pytest.approx(stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1), abs=1e-12)
    assert high == pytest.approx(stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)), abs=1e-12)
    assert 0 < low < p < high < 1


def test_interval_shrinks_the_effective_size_when_the_design_has_few_degrees_of_freedom():
    p, v = 0.6, 0.24 / 100
    low, high = korn_graubard_interval(estimate=p, variance=v, n=200, n_respondents=200, df=4)
    n_eff = 100 * (stats.t.ppf(0.975, 199) / stats.t.ppf(0.975, 4)) ** 2
    assert low == pytest.approx(stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1), abs=1e-12)
    assert high == pytest.approx(stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)), abs=1e-12)


@pytest.mark.parametrize(
    ("p", "low", "high"),
    [(1.0, 0.025 ** (1 / 10), 1.0), (0.0, 0.0, 1 - 0.025 ** (1 / 10))],
)
def test_an_estimate_of_exactly_0_or_1_still_gets_a_clopper_pearson_interval_on_all_answers(p, low, high):
    got_low, got_high = korn_graubard_interval(estimate=p, variance=0.0, n=10, n_respondents=10, df=9)
    assert (got_low, got_high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))
    assert got_high - got_low > 0.2


def test_everyone_satisfied_gives_estimate_1_with_zero_se_and_a_sensible_interval():
    frame = pd.DataFrame({"a1": [5] * 10, "a2": [4] * 10, "s1": [5] * 10})
    cell = row(compute_sipas(frame, elements=ELEMENTS, method=METHOD).items, item="a1")
    assert (cell["estimate"], cell["se"], cell["ci_high"]) == (1.0, 0.0, 1.0)
    assert cell["ci_low"] == pytest.approx(0.025 ** (1 / 10), abs=1e-12)


def test_cells_with_fewer_than_5_respondents_are_suppressed():
    frame = pd.DataFrame(
        {
            "district": ["x"] * 4 + ["y"] * 5,
            "a1": [5, 4, 3, 2, 5, 5, 5, 1, 2],
            "a2": [4, 4, 4, 4, 4, 4, 4, 4, 0],
            "s1": [5] * 9,
        }
    )
    result = compute_sipas(frame, elements=ELEMENTS, method=METHOD, by=["district"])
    x = result.items[(result.items["group"] == "x") & (result.items["item"] == "a1")].iloc[0]
    assert x["suppressed"] and x["n"] == 4
    assert all(math.isnan(x[c]) for c in ("estimate", "se", "ci_low", "ci_high"))
    y = result.items[(result.items["group"] == "y") & (result.items["item"] == "a1")].iloc[0]
    assert not y["suppressed"] and y["estimate"] == pytest.approx(3 / 5)
    y_a2 = result.items[(result.items["group"] == "y") & (result.items["item"] == "a2")].iloc[0]
    assert y_a2["suppressed"] and y_a2["n"] == 4  # one "don't know": 4 valid answers
    assert bool(result.sipas[result.sipas["group"] == "x"]["suppressed"].iloc[0])


def test_post_stratification_scales_each_cell_to_its_population():
    weights = poststratify(np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]), np.array([30.0, 60.0]))
    assert weights.tolist() == [10.0, 20.0, 60.0]


def test_raking_two_margins_by_hand():
    # 2×2 sample, weights 1: gender → 30, 30, 20, 20; age (young ×30/50, old ×70/50) → 18, 42, 12, 28,
    # which already meets the gender margin: one iteration.
    gender = (np.array([0, 0, 1, 1]), np.array([60.0, 40.0]))
    age = (np.array([0, 1, 0, 1]), np.array([30.0, 70.0]))
    weights, iterations = rake(np.ones(4), [gender, age])
    assert weights == pytest.approx([18, 42, 12, 28], abs=1e-12)
    assert iterations == 1


def test_raking_iterates_until_both_margins_hold():
    gender = (np.array([0, 0, 1, 1, 1]), np.array([50.0, 50.0]))
    age = (np.array([0, 1, 0, 1, 1]), np.array([40.0, 60.0]))
    start = np.array([1.0, 2.0, 1.0, 1.0, 3.0])
    # the first iteration written out: gender, then age
    w = start * np.array([50 / 3, 50 / 3, 50 / 5, 50 / 5, 50 / 5])
    young, old = w[0] + w[2], w[1] + w[3] + w[4]
    w = w * np.where(age[0] == 0, 40 / young, 60 / old)
    after_one, _ = rake(start, [gender, age], tolerance=1.0, max_iterations=1)
    assert after_one == pytest.approx(w, abs=1e-12)
    weights, iterations = rake(start, [gender, age], tolerance=1e-12)
    assert iterations > 1
    assert np.bincount(gender[0], weights=weights) == pytest.approx([50, 50], rel=1e-11)
    assert np.bincount(age[0], weights=weights) == pytest.approx([40, 60], rel=1e-11)


def test_raking_to_margins_that_disagree_does_not_converge():
    gender = (np.array([0, 0, 1, 1]), np.array([60.0, 40.0]))
    age = (np.array([0, 1, 0, 1]), np.array([30.0, 90.0]))  # totals 100 vs 120
    with pytest.raises(CalibrationError, match="did not converge in 100 iterations"):
        rake(np.ones(4), [gender, age])


def test_margins_calibrate_the_weights_used_by_every_estimate():
    frame = six_respondents().assign(sex=["m", "m", "f", "f", "f", "m"])
    result = compute_sipas(
        frame,
        elements=ELEMENTS,
        method=METHOD,
        margins=[Margin("sex", "m", 50), Margin("sex", "f", 50)],
    )
    # m weights 1, 2, 2 (sum 5) ×10 → 10, 20, 20; f weights 1, 3, 1 (sum 5) ×10 → 10, 30, 10
    # a1 satisfied: rows 1, 2, 6 → 10 + 20 + 20 = 50; valid: all but row 4 → 100 - 30 = 70
    assert row(result.items, item="a1")["estimate"] == pytest.approx(50 / 70, abs=1e-15)
    assert result.weighted_respondents == pytest.approx(100)


def test_a_method_may_count_any_set_of_scale_values_as_satisfied():
    odd = dataclasses.replace(METHOD, satisfied_values=(3, 5))
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=odd)
    # a1 = 5, 4, 2, dk, 3, 4: satisfied now 5 and 3 → weights 1 + 1 = 2 of 7
    assert row(result.items, item="a1")["estimate"] == pytest.approx(2 / 7, abs=1e-15)


def test_an_element_nobody_rated_is_left_out_of_the_sipas_mean():
    frame = six_respondents().assign(s1=0)  # everyone answered "don't know" on the staff item
    result = compute_sipas(frame, elements=ELEMENTS, method=METHOD)
    staff = row(result.elements, element="staff")
    assert staff["n"] == 0 and staff["suppressed"] and math.isnan(staff["estimate"])
    sipas = row(result.sipas)
    assert sipas["estimate"] == pytest.approx(10 / 16, abs=1e-15)
    access = np.array([0.75, -0.5, -0.25, 1.125, -0.625, -0.5]) / 16
    assert sipas["se"] == pytest.approx(math.sqrt(6 / 5 * (access**2).sum()), abs=1e-15)
