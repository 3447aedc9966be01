"""The 1001/QĐ-BNV methods on six respondents computed by hand in the test: policy groups and service
elements, the two parts, SIPAS by each aggregation, every composite's linearised SE, perception shares."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from analysis.sipas import compute_sipas, get_method
from analysis.sipas.methods import METHODS, comparable_methods, part_of
from analysis.sipas.shares import CategoricalQuestion

INDEX = ("policy.a", "policy.b", "service.access", "service.staff")
ELEMENTS = {"policy.a": ["pa1"], "policy.b": ["pb1"], "service.access": ["a1", "a2"], "service.staff": ["s1"]}


def method(name: str, **changes):
    return dataclasses.replace(get_method(name), index_elements=INDEX, **changes)


def six_respondents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "weight": [1, 2, 1, 3, 1, 2],
            "pa1": [5, 4, 2, 4, 1, 5],  # satisfied 1, 2, 4, 6: weights 1+2+3+2 = 8 of 10
            "pb1": [3, 5, 0, 4, 4, 2],  # 3rd "don't know": satisfied 2, 4, 5: 2+3+1 = 6 of 9
            "a1": [5, 4, 2, 0, 3, 4],
            "a2": [4, 1, 5, 5, np.nan, 2],  # access: Y = 10 of X = 16 (test_sipas_formulas)
            "s1": [5, 5, 4, 4, 5, 3],  # staff: 8 of 10
        },
        index=range(2, 8),
    )


def whole(table, **where):
    rows = table[table["by"].isna()]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return rows.iloc[0]


# Linearised values z_i = w_i (y_i − R x_i) / X of each element, written out:
W = np.array([1, 2, 1, 3, 1, 2])
Z_A = W * (np.array([1, 1, 0, 1, 0, 1]) - 0.8) / 10
Z_B = W * (np.array([0, 1, 0, 1, 1, 0]) - 2 / 3 * np.array([1, 1, 0, 1, 1, 1])) / 9
Z_ACCESS = np.array([0.75, -0.5, -0.25, 1.125, -0.625, -0.5]) / 16
Z_STAFF = np.array([0.2, 0.4, 0.2, 0.6, 0.2, -1.6]) / 10
POLICY, SERVICE = (0.8 + 2 / 3) / 2, (10 / 16 + 0.8) / 2


def se(z: np.ndarray) -> float:
    """One stratum, each respondent its own PSU: v = n/(n−1) Σ (z − z̄)²."""
    return math.sqrt(6 / 5 * ((z - z.mean()) ** 2).sum())


def test_policy_groups_and_service_elements_are_satisfied_shares_of_their_items():
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=method("sipas-1001-parts"))
    assert whole(result.elements, element="policy.a")["estimate"] == pytest.approx(0.8, abs=1e-15)
    assert whole(result.elements, element="policy.b")["estimate"] == pytest.approx(2 / 3, abs=1e-15)
    assert whole(result.elements, element="policy.b")["se"] == pytest.approx(se(Z_B), abs=1e-15)
    assert whole(result.elements, element="service.access")["estimate"] == pytest.approx(10 / 16, abs=1e-15)


def test_each_part_is_the_mean_of_its_groups_or_elements_with_a_linearised_se():
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=method("sipas-1001-parts"))
    policy, service = whole(result.parts, part="policy"), whole(result.parts, part="service")
    assert policy["estimate"] == pytest.approx(POLICY, abs=1e-15)
    assert policy["se"] == pytest.approx(se((Z_A + Z_B) / 2), abs=1e-15)
    assert service["estimate"] == pytest.approx(SERVICE, abs=1e-15)
    assert service["se"] == pytest.approx(se((Z_ACCESS + Z_STAFF) / 2), abs=1e-15)
    assert (policy["n"], service["n"]) == (6, 6)


def test_parts_method_sipas_is_the_mean_of_the_two_parts():
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=method("sipas-1001-parts"))
    sipas = whole(result.sipas)
    assert sipas["estimate"] == pytest.approx((POLICY + SERVICE) / 2, abs=1e-15)
    z = ((Z_A + Z_B) / 2 + (Z_ACCESS + Z_STAFF) / 2) / 2
    assert sipas["se"] == pytest.approx(se(z), abs=1e-15)


def test_pooled_method_sipas_is_the_satisfied_share_of_all_valid_satisfaction_answers():
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=method("sipas-1001-pooled"))
    sipas = whole(result.sipas)
    assert sipas["estimate"] == pytest.approx((8 + 6 + 10 + 8) / (10 + 9 + 16 + 10), abs=1e-15)
    # per respondent, satisfied and valid answers over the four elements' items
    y = np.array([1 + 0 + 2 + 1, 1 + 1 + 1 + 1, 0 + 0 + 1 + 1, 1 + 1 + 1 + 1, 0 + 1 + 0 + 1, 1 + 0 + 1 + 0])
    x = np.array([1 + 1 + 2 + 1, 1 + 1 + 2 + 1, 1 + 0 + 2 + 1, 1 + 1 + 1 + 1, 1 + 1 + 1 + 1, 1 + 1 + 2 + 1])
    assert (W * y).sum() == 32 and (W * x).sum() == 45
    assert sipas["se"] == pytest.approx(se(W * (y - 32 / 45 * x) / 45), abs=1e-15)
    # the parts are still the means of their groups and elements
    assert whole(result.parts, part="policy")["estimate"] == pytest.approx(POLICY, abs=1e-15)


@pytest.mark.parametrize("w", [0.6, 0.25, 1.0])
def test_weighted_method_sipas_is_w_policy_plus_1_minus_w_service(w):
    chosen = method("sipas-1001-weighted").with_parameters(policy_weight=w)
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=chosen)
    sipas = whole(result.sipas)
    assert sipas["estimate"] == pytest.approx(w * POLICY + (1 - w) * SERVICE, abs=1e-15)
    z = w * (Z_A + Z_B) / 2 + (1 - w) * (Z_ACCESS + Z_STAFF) / 2
    assert sipas["se"] == pytest.approx(se(z), abs=1e-15)
    assert result.to_dict()["policy_weight"] == w


def test_the_default_weight_is_the_one_documented_and_each_result_names_its_method():
    assert get_method("sipas-1001-weighted").policy_weight == 0.6
    assert round(0.6 * 83.84 + 0.4 * 84.09, 2) == 83.94  # the 2024 national figures it was inferred from
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=method("sipas-1001-parts"))
    assert result.to_dict()["method"] == "sipas-1001-parts"


def test_the_other_methods_are_computed_beside_for_comparison():
    chosen = get_method("sipas-1001-parts")
    assert {m.name for m in comparable_methods(chosen)} == {"sipas-1001-pooled", "sipas-1001-weighted"}
    result = compute_sipas(six_respondents(), elements=ELEMENTS, method=method("sipas-1001-parts"))
    assert result.alternatives.empty  # a hand-made index has no registered peers
    everything = {e: ELEMENTS.get(e, ["pa1"]) for e in chosen.index_elements}
    full = compute_sipas(six_respondents(), elements=everything, method=chosen)
    pooled = whole(full.alternatives, method="sipas-1001-pooled")
    assert pooled["estimate"] == pytest.approx(
        compute_sipas(
            six_respondents(), elements=everything, method=get_method("sipas-1001-pooled")
        ).sipas.iloc[0]["estimate"],
        abs=1e-15,
    )


def test_overall_linearisation_is_the_derivative_of_the_index_with_respect_to_each_weight():
    chosen = method("sipas-1001-weighted").with_parameters(policy_weight=0.6)
    frame = six_respondents().astype({"weight": float})
    base = whole(compute_sipas(frame, elements=ELEMENTS, method=chosen).sipas)["estimate"]
    z = 0.6 * (Z_A + Z_B) / 2 + 0.4 * (Z_ACCESS + Z_STAFF) / 2
    for i in range(6):
        nudged = frame.copy()
        nudged.iloc[i, 0] += 1e-6
        moved = whole(compute_sipas(nudged, elements=ELEMENTS, method=chosen).sipas)["estimate"]
        assert (moved - base) / 1e-6 == pytest.approx(z[i] / frame["weight"].iloc[i], abs=1e-6)


def test_a_part_nobody_answered_in_a_cell_leaves_the_other_part_as_the_overall():
    frame = six_respondents().assign(district=["x", "x", "x", "y", "y", "y"])
    frame.loc[frame["district"] == "y", ["pa1", "pb1"]] = 0  # "don't know" on every policy item
    result = compute_sipas(
        frame, elements=ELEMENTS, method=method("sipas-1001-parts", min_respondents=1), by=["district"]
    )
    y = result.sipas[result.sipas["group"] == "y"].iloc[0]
    service_y = result.parts[(result.parts["group"] == "y") & (result.parts["part"] == "service")].iloc[0]
    assert y["estimate"] == pytest.approx(service_y["estimate"], abs=1e-15)


def test_first_questionnaire_elements_read_as_the_service_part():
    assert part_of("access") == "service" and part_of("service.access") == "service"
    assert part_of("policy.roads") == "policy" and part_of("overall") is None
    legacy = {"access": ["a1", "a2"], "staff": ["s1"]}
    chosen = dataclasses.replace(get_method("sipas-2023"), index_elements=("access", "staff"))
    result = compute_sipas(six_respondents(), elements=legacy, method=chosen)
    assert list(result.parts["part"]) == ["service"]
    assert whole(result.parts)["estimate"] == pytest.approx(whole(result.sipas)["estimate"], abs=1e-15)


def test_every_registered_method_reads_a_questionnaire_with_its_elements():
    for chosen in METHODS.values():
        layout = {e: ["pa1"] for e in chosen.index_elements}
        assert compute_sipas(six_respondents(), elements=layout, method=chosen).sipas.iloc[0]["n"] == 6


def test_perceptions_are_weighted_shares_of_the_respondents_who_answered():
    frame = six_respondents().assign(harassment=[1, 2, 2, 0, np.nan, 2])  # 0 = no answer, left out
    question = CategoricalQuestion("harassment", "perception", options=(1, 2, 0), missing=(0,))
    result = compute_sipas(
        frame, elements=ELEMENTS, method=method("sipas-1001-parts", min_respondents=1), categorical=[question]
    )
    yes = whole(result.shares, question="harassment", option=1)
    # answered: respondents 1, 2, 3, 6 with weights 1 + 2 + 1 + 2 = 6; "yes": respondent 1, weight 1
    assert yes["estimate"] == pytest.approx(1 / 6, abs=1e-15)
    z = W * (np.array([1, 0, 0, 0, 0, 0]) - 1 / 6 * np.array([1, 1, 1, 0, 0, 1])) / 6
    assert yes["se"] == pytest.approx(se(z), abs=1e-15)
    assert (yes["n"], yes["weighted_n"], yes["weighted_count"]) == (4, 6, pytest.approx(1.0))
    assert set(result.shares["option"]) == {1, 2}  # the "don't know" option is not a share


def test_needs_with_several_choices_count_each_choice_of_the_respondents_who_answered():
    frame = six_respondents().assign(needs=[["a", "b"], ["b"], [], ["a"], np.nan, ["a", "b"]])
    question = CategoricalQuestion("needs", "need", options=("a", "b"), multiple=True)
    result = compute_sipas(
        frame, elements=ELEMENTS, method=method("sipas-1001-parts", min_respondents=1), categorical=[question]
    )
    a, b = whole(result.shares, option="a"), whole(result.shares, option="b")
    # answered (at least one choice): 1, 2, 4, 6 → weights 1 + 2 + 3 + 2 = 8
    assert a["estimate"] == pytest.approx((1 + 3 + 2) / 8, abs=1e-15)
    assert b["estimate"] == pytest.approx((1 + 2 + 2) / 8, abs=1e-15)
    assert a["weighted_count"] == pytest.approx(6.0)
    assert result.to_dict()["needs"][0]["option"] == "a"
