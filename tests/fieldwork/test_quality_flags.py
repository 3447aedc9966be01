"""Data-quality flags (fieldwork/quality.py): small hand-computed frames; scipy as the independent check."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fieldwork.quality import (
    Thresholds,
    _two_row_chi2,
    design_effect,
    duplicate_phones,
    enumerator_outliers,
    holm,
    short_interviews,
    straight_lining,
)

ITEMS = [f"q{i}" for i in range(1, 11)]
NA = np.nan


def answers(rows: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=ITEMS)


# --- straight-lining -------------------------------------------------------------------------------------


def test_straight_lining_flags_the_same_answer_on_all_or_nine_in_ten_items_but_not_eight_in_ten():
    frame = answers(
        {
            "all_fours": [4] * 10,
            "nine_fives": [5] * 9 + [3],
            "eight_fours": [4] * 8 + [2, 2],
        }
    )
    flagged = straight_lining(frame, items=ITEMS)
    assert list(flagged.index) == ["all_fours", "nine_fives"]
    assert flagged.loc["all_fours", ["answered", "value", "same", "share"]].tolist() == [10, 4, 10, 1.0]
    assert flagged.loc["nine_fives", ["answered", "value", "same", "share"]].tolist() == [10, 5, 9, 0.9]
    assert set(flagged["reason"]) == {"straight_lining"}


def test_straight_lining_ignores_dont_know_and_needs_eight_answered_items():
    frame = answers(
        {
            "eight_twos_and_two_dont_know": [2] * 8 + [0, 0],
            "seven_threes_and_blanks": [3] * 7 + [NA] * 3,
            "all_dont_know": [0] * 10,
            "text_answers_are_not_scale_values": ["x"] * 10,
        }
    )
    flagged = straight_lining(frame, items=ITEMS)
    assert list(flagged.index) == ["eight_twos_and_two_dont_know"]
    assert flagged.loc["eight_twos_and_two_dont_know", "answered"] == 8


def test_straight_lining_thresholds_come_from_the_settings_names():
    frame = answers({"nine_fives": [5] * 9 + [3]})
    strict = Thresholds.from_mapping({"STRAIGHT_MIN_SHARE": 0.95})
    assert straight_lining(frame, items=ITEMS, thresholds=strict).empty
    with pytest.raises(ValueError, match="STRAIGHT_SHARE"):
        Thresholds.from_mapping({"STRAIGHT_SHARE": 0.95})


# --- short interviews ------------------------------------------------------------------------------------


def test_short_interviews_below_the_sipas_floor_or_a_third_of_the_median():
    interviews = pd.DataFrame(
        {
            "questionnaire": ["sipas-citizens"] * 6 + ["par-officials"] * 5,
            "duration_seconds": [600, 900, 1200, 150, 350, NA, 100, 600, 2000, 2100, 2200],
        },
        index=list("abcdefghijk"),
    )
    flagged = short_interviews(interviews)
    # SIPAS: median of 150, 350, 600, 900, 1200 = 600; a third = 200; floor 180 → only 150 (350 is fine).
    # PAR: median of 100, 600, 2000, 2100, 2200 = 2000; a third = 666.7; default floor 120 → 100 and 600.
    assert list(flagged.index) == ["d", "g", "h"]
    assert flagged.loc["d", "reason"] == "below_floor"
    assert flagged.loc["d", ["floor_seconds", "median_seconds", "ratio"]].tolist() == [180, 600, 0.25]
    assert flagged.loc["g", "reason"] == "below_floor"
    assert flagged.loc["h", "reason"] == "below_median_share"
    assert flagged.loc["h", ["floor_seconds", "median_seconds", "ratio"]].tolist() == [120, 2000, 0.3]


def test_interviews_without_a_recorded_duration_are_never_flagged_short():
    interviews = pd.DataFrame({"questionnaire": ["sipas-citizens"] * 2, "duration_seconds": [NA, None]})
    assert short_interviews(interviews).empty


# --- duplicate phones ------------------------------------------------------------------------------------


def test_the_same_phone_twice_is_flagged_with_how_many_enumerators_took_it():
    interviews = pd.DataFrame(
        {
            "respondent_phone": [*["+84912345678"] * 2, "+84987654321", None, "", *["+84911111111"] * 2, NA],
            "enumerator": ["an", "binh", "an", "an", "binh", "chi", "chi", "chi"],
        }
    )
    flagged = duplicate_phones(interviews)
    assert list(flagged.index) == [0, 1, 5, 6]
    assert flagged.loc[0, ["times", "enumerators"]].tolist() == [2, 2]
    assert flagged.loc[5, ["times", "enumerators"]].tolist() == [2, 1]


# --- enumerator distribution -----------------------------------------------------------------------------


def test_holm_adjusts_p_values_step_down():
    # sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → monotone 0.02, 0.03, 0.06, 0.06
    assert holm(np.array([0.01, 0.04, 0.03, 0.005])) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm(np.array([0.9, 0.8])) == pytest.approx([1.0, 1.0])


def test_design_effect_is_the_interview_size_when_answers_repeat_within_an_interview_and_one_otherwise():
    # Perfect within-interview correlation: ICC 1, m̄ = 2 → deff 2. Anti-correlated: ICC < 0 clamps to 1.
    assert design_effect(np.array([[1.0, 1.0], [3.0, 3.0]])) == pytest.approx(2.0)
    assert design_effect(np.array([[1.0, 3.0], [3.0, 1.0]])) == pytest.approx(1.0)


def test_two_row_chi_square_matches_a_hand_computation_and_scipy():
    # [10, 0] against [0, 10]: every expected count is 5, each of the four cells adds 25/5 = 5.
    chi2, df = _two_row_chi2(np.array([[10.0, 0.0]]), np.array([[0.0, 10.0]]))
    assert chi2[0] == pytest.approx(20.0) and df[0] == 1
    rng = np.random.default_rng(7)
    own, rest = rng.integers(1, 40, size=(6, 5)).astype(float), rng.integers(1, 90, size=(6, 5)).astype(float)
    chi2, df = _two_row_chi2(own, rest)
    for e in range(6):
        expected = stats.chi2_contingency(np.vstack([own[e], rest[e]]), correction=False)
        assert chi2[e] == pytest.approx(expected.statistic) and df[e] == expected.dof


def _interviews(enumerator: str, forms: int, pattern) -> tuple[pd.DataFrame, pd.Series]:
    rows = {f"{enumerator}-{i}": pattern(i) for i in range(forms)}
    frame = answers(rows)
    return frame, pd.Series(enumerator, index=frame.index)


def test_an_enumerator_whose_answers_are_all_high_is_flagged_and_a_flat_one_is_too_uniform():
    def varied(i):
        return [(i + k) % 5 + 1 for k in range(10)]  # every value 1–5 twice per interview

    parts = [_interviews(name, 12, varied) for name in ("an", "binh", "chi")]
    parts.append(_interviews("dung", 12, lambda i: [5, 4] * 5))
    parts.append(_interviews("em", 12, lambda i: [3] * 9 + [0]))
    parts.append(_interviews("few", 5, lambda i: [1] * 10))  # too few interviews to be tested
    frame = pd.concat([p[0] for p in parts])
    who = pd.concat([p[1] for p in parts])
    flagged = enumerator_outliers(frame, enumerator=who, items=ITEMS)
    assert flagged["reason"].to_dict() == {"dung": "distribution", "em": "too_uniform"}
    dung = flagged.loc["dung"]
    assert dung["forms"] == 12 and dung["answers"] == 120 and dung["mean"] == 4.5
    assert dung["p_adjusted"] < 0.05 and dung["deff"] >= 1
    assert flagged.loc["em", "sd"] == 0 and flagged.loc["em", "answers"] == 108  # don't know left out
    # The evidence is the chi-square of the table divided by the design effect, Holm over five enumerators.
    own = np.array([0, 0, 0, 60, 60.0])
    everyone = 3 * np.array([24, 24, 24, 24, 24.0]) + np.array([0, 0, 108, 0, 0]) + own + [50, 0, 0, 0, 0]
    raw = stats.chi2_contingency(np.vstack([own, everyone - own]), correction=False).statistic
    assert dung["chi2"] == pytest.approx(raw / dung["deff"], rel=1e-3)


def test_no_enumerator_is_flagged_when_all_answer_alike():
    def varied(i):
        return [(i + k) % 5 + 1 for k in range(10)]

    parts = [_interviews(name, 15, varied) for name in ("an", "binh", "chi")]
    frame = pd.concat([p[0] for p in parts])
    who = pd.concat([p[1] for p in parts])
    assert enumerator_outliers(frame, enumerator=who, items=ITEMS).empty


def test_a_lone_enumerator_cannot_be_compared_but_can_still_be_too_uniform():
    frame, who = _interviews("an", 12, lambda i: [3] * 10)
    flagged = enumerator_outliers(frame, enumerator=who, items=ITEMS)
    assert flagged["reason"].to_dict() == {"an": "too_uniform"}
    assert np.isnan(flagged.loc["an", "p_adjusted"])
