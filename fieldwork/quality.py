"""Data-quality flags on field interviews: pure functions over pandas DataFrames (no ORM), vectorised.

Each flag function returns the flagged rows only (an empty frame with the same columns when nothing is
flagged), keeping the input's index (a record id) or the enumerator as index, with a `reason` code and the
numbers that justify the flag, so a supervisor can judge it. A flag asks for a look, it proves nothing.

Thresholds are named fields of `Thresholds`; the `FIELD_QUALITY` setting overrides them (see
docs/guides/supervision.md).
"""

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
from scipy import stats

# Reason codes of the flags, in the order a supervisor reads them.
REASONS = (
    "straight_lining",
    "below_floor",
    "below_median_share",
    "duplicate_phone",
    "distribution",
    "too_uniform",
)


@dataclass(frozen=True)
class Thresholds:
    # Straight-lining: at least `straight_min_items` scale items answered (don't know left out) and at least
    # `straight_min_share` of them with the same value.
    straight_min_items: int = 8
    straight_min_share: float = 0.9
    # Short interviews: below an absolute floor per questionnaire code (the SIPAS citizens' form takes well
    # over 3 minutes read aloud), or below a fraction of the median duration of the same questionnaire in
    # the campaign.
    short_floor_seconds: dict = field(default_factory=lambda: {"sipas-citizens": 180})
    short_default_floor_seconds: int = 120
    short_median_fraction: float = 1 / 3
    # Enumerator distribution: enumerators with at least this many interviews are tested; family-wise
    # error rate over all tested enumerators (Holm).
    outlier_min_forms: int = 10
    outlier_alpha: float = 0.05
    # Too uniform: standard deviation of all the enumerator's scale answers below this (1–5 scale).
    uniform_max_sd: float = 0.35

    @classmethod
    def from_mapping(cls, overrides: dict | None) -> "Thresholds":
        """Thresholds with the given names overridden; an unknown name is a configuration bug."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(key for key in overrides or {} if key.lower() not in known)
        if unknown:
            raise ValueError(f"Unknown FIELD_QUALITY settings: {', '.join(unknown)}")
        return cls(**{key.lower(): value for key, value in (overrides or {}).items()})

    def floor_for(self, questionnaire_code: str) -> int:
        return int(self.short_floor_seconds.get(questionnaire_code, self.short_default_floor_seconds))


def scale_values(answers: pd.DataFrame, items: list[str], dont_know=(0,)) -> pd.DataFrame:
    """The scale items as floats: unanswered, non-numeric and "don't know" answers become NaN."""
    frame = answers.reindex(columns=items).apply(pd.to_numeric, errors="coerce").astype(float)
    return frame.mask(frame.isin(list(dont_know)))


def straight_lining(
    answers: pd.DataFrame, *, items: list[str], dont_know=(0,), thresholds: Thresholds = Thresholds()
) -> pd.DataFrame:
    """Interviews giving the same answer to (nearly) all the scale items they answered.

    Returns, per flagged interview: answered (items answered, don't know excluded), value (the repeated
    answer), same (how many items got it), share (same / answered).
    """
    values = scale_values(answers, items, dont_know).to_numpy()
    answered = np.sum(~np.isnan(values), axis=1)
    levels = np.unique(values[~np.isnan(values)])
    if levels.size == 0:
        return _empty(answers.index, ["reason", "answered", "value", "same", "share"])
    # counts[i, k]: how many items interview i answered with levels[k]
    counts = (values[:, :, None] == levels[None, None, :]).sum(axis=1)
    top = counts.argmax(axis=1)
    same = counts[np.arange(len(values)), top]
    share = np.divide(same, answered, out=np.zeros(len(values)), where=answered > 0)
    flagged = (answered >= thresholds.straight_min_items) & (share >= thresholds.straight_min_share)
    result = pd.DataFrame(
        {
            "reason": "straight_lining",
            "answered": answered,
            "value": levels[top],
            "same": same,
            "share": share.round(3),
        },
        index=answers.index,
    )
    return result[flagged]


def short_interviews(interviews: pd.DataFrame, *, thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Interviews much shorter than a questionnaire can be read in.

    `interviews` has columns `questionnaire` (code) and `duration_seconds` (NaN when not recorded; never
    flagged). The median is taken per questionnaire code over the interviews given, i.e. the campaign's.
    Returns duration_seconds, floor_seconds, median_seconds, ratio (duration / median) and the reason:
    `below_floor` (absolute floor, checked first) or `below_median_share`.
    """
    duration = pd.to_numeric(interviews["duration_seconds"], errors="coerce").astype(float)
    code = interviews["questionnaire"]
    median = duration.groupby(code).transform("median")
    floor = code.map(thresholds.floor_for).astype(float)
    below_floor = duration < floor
    below_share = duration < median * thresholds.short_median_fraction
    result = pd.DataFrame(
        {
            "reason": np.where(below_floor, "below_floor", "below_median_share"),
            "duration_seconds": duration,
            "floor_seconds": floor,
            "median_seconds": median,
            "ratio": (duration / median).round(3),
        },
        index=interviews.index,
    )
    return result[below_floor | below_share]


def duplicate_phones(interviews: pd.DataFrame) -> pd.DataFrame:
    """Interviews whose respondent phone (normalised: E.164 or its hash) appears more than once.

    `interviews` has columns `respondent_phone` and `enumerator`; pass one campaign. Returns times (how
    many interviews share the phone), enumerators (how many different enumerators took them) and phone.
    """
    phone = interviews["respondent_phone"].fillna("").astype(str).str.strip()
    known = interviews[phone != ""].assign(phone=phone[phone != ""])
    grouped = known.groupby("phone")
    times = grouped["enumerator"].transform("size")
    enumerators = grouped["enumerator"].transform("nunique")
    result = pd.DataFrame(
        {
            "reason": "duplicate_phone",
            "phone": known["phone"],
            "times": times,
            "enumerators": enumerators,
        },
        index=known.index,
    )
    return result[result["times"] > 1]


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control, valid under any dependence)."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p)
    adjusted = np.maximum.accumulate(p[order] * (m - np.arange(m)))
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    return result


def design_effect(values: np.ndarray) -> float:
    """Design effect of answers clustered in interviews: 1 + (m̄ − 1)·ICC, ICC by one-way ANOVA.

    `values` is interviews × items with NaN for missing answers. Answers of one respondent are correlated,
    so a chi-square over pooled item answers overstates the evidence; dividing it by this design effect is
    Rao and Scott's first-order correction (J. Amer. Statist. Assoc. 76, 1981). ICC is clamped to [0, 1].
    """
    present = ~np.isnan(values)
    n = present.sum(axis=1)
    values, n = values[n > 0], n[n > 0]
    present = ~np.isnan(values)
    groups, total = len(n), n.sum()
    if groups < 2 or total <= groups:
        return 1.0
    means = np.nansum(values, axis=1) / n
    grand = np.nansum(values) / total
    between = np.sum(n * (means - grand) ** 2) / (groups - 1)
    within = np.nansum((values - means[:, None]) ** 2 * present) / (total - groups)
    m0 = (total - np.sum(n**2) / total) / (groups - 1)
    denominator = between + (m0 - 1) * within
    icc = 0.0 if denominator <= 0 else float(np.clip((between - within) / denominator, 0.0, 1.0))
    return 1.0 + (total / groups - 1.0) * icc


def enumerator_outliers(
    answers: pd.DataFrame,
    *,
    enumerator: pd.Series,
    items: list[str],
    dont_know=(0,),
    thresholds: Thresholds = Thresholds(),
) -> pd.DataFrame:
    """Enumerators whose scale answers are distributed differently from everybody else's, or too uniform.

    Test: for each enumerator with at least `outlier_min_forms` interviews, a chi-square test of
    homogeneity of the 2 × K table (this enumerator's answers / all other answers, by scale value), its
    statistic divided by the design effect of answers clustered in interviews, p-values adjusted by Holm
    over the enumerators tested. Too uniform: standard deviation of the enumerator's answers below
    `uniform_max_sd` (reported whether or not the chi-square flags them).

    Returns, indexed by enumerator: reason (`distribution` or `too_uniform`), forms, answers, mean,
    rest_mean, sd, chi2 (corrected), df, p_adjusted, deff, value (the scale value whose share differs
    most), share, rest_share.
    """
    columns = ["reason", "forms", "answers", "mean", "rest_mean", "sd", "chi2", "df", "p_adjusted", "deff"]
    columns += ["value", "share", "rest_share"]
    values = scale_values(answers, items, dont_know)
    who = enumerator.reindex(values.index)
    answered_forms = values.notna().any(axis=1)
    values, who = values[answered_forms], who[answered_forms]
    forms = who.value_counts()
    eligible = forms.index[forms >= thresholds.outlier_min_forms]
    if len(eligible) == 0:
        return pd.DataFrame(columns=columns)
    long = values.stack().rename("value").reset_index(level=1, drop=True).to_frame()
    long["enumerator"] = who.reindex(long.index).to_numpy()
    table = pd.crosstab(long["enumerator"], long["value"])
    counts = table.loc[eligible]
    own = counts.to_numpy(dtype=float)
    rest = table.sum(axis=0).to_numpy(dtype=float)[None, :] - own
    chi2, df = _two_row_chi2(own, rest)
    deff = design_effect(values.to_numpy())
    chi2 = chi2 / deff
    p = stats.chi2.sf(chi2, df)
    tested = ~np.isnan(p)  # untestable when nobody else answered
    p_adjusted = np.full(p.shape, np.nan)
    p_adjusted[tested] = holm(p[tested])
    own_share = own / own.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        rest_share = rest / rest.sum(axis=1, keepdims=True)
    widest = np.abs(own_share - rest_share).argmax(axis=1)
    rows = np.arange(len(eligible))
    scale = counts.columns.to_numpy(dtype=float)
    sums = long.groupby("enumerator")["value"].agg(["sum", "count", "mean", "std"]).loc[eligible]
    grand_sum, grand_count = long["value"].sum(), len(long)
    rest_mean = (grand_sum - sums["sum"]) / (grand_count - sums["count"])
    result = pd.DataFrame(
        {
            "forms": forms.loc[eligible].to_numpy(),
            "answers": sums["count"].to_numpy(),
            "mean": sums["mean"].round(3).to_numpy(),
            "rest_mean": rest_mean.round(3).to_numpy(),
            "sd": sums["std"].fillna(0.0).round(3).to_numpy(),
            "chi2": chi2.round(3),
            "df": df,
            "p_adjusted": p_adjusted,
            "deff": round(deff, 3),
            "value": scale[widest],
            "share": own_share[rows, widest].round(3),
            "rest_share": rest_share[rows, widest].round(3),
        },
        index=pd.Index(eligible, name="enumerator"),
    )
    result.insert(0, "reason", None)
    result.loc[result["p_adjusted"] < thresholds.outlier_alpha, "reason"] = "distribution"
    result.loc[result["sd"] < thresholds.uniform_max_sd, "reason"] = "too_uniform"
    return result[result["reason"].notna()][columns]


def _two_row_chi2(own: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson chi-square of each 2 × K table [own[e], rest[e]], for all e at once; columns empty in a
    table are left out of it (they add nothing and reduce its degrees of freedom)."""
    column = own + rest
    grand = column.sum(axis=1, keepdims=True)
    expected_own = own.sum(axis=1, keepdims=True) * column / grand
    expected_rest = rest.sum(axis=1, keepdims=True) * column / grand
    used = column > 0
    has_rest = rest.sum(axis=1) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (own - expected_own) ** 2 / expected_own + (rest - expected_rest) ** 2 / expected_rest
    chi2 = np.where(used, terms, 0.0).sum(axis=1)
    chi2[~has_rest] = np.nan
    df = np.maximum(used.sum(axis=1) - 1, 1)
    return chi2, df


def _empty(index: pd.Index, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns, index=index[:0])
