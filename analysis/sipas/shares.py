"""Weighted shares of the options of categorical questions (SIPAS perceptions and needs, docs/methodology.md
"SIPAS under 1001/QĐ-BNV"): per question and option, the weighted share of the respondents who answered the
question, with its Taylor standard error (the ratio variance of analysis.statistics over the design's PSU
totals, domains estimated with zeros outside them), Korn–Graubard interval and the weighted count (the
estimated number of people). Pure numpy/pandas.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import statistics


@dataclass(frozen=True)
class CategoricalQuestion:
    code: str
    kind: str  # "perception" | "need"
    options: tuple  # option values, in questionnaire order
    missing: tuple = ()  # options that are no opinion ("don't know"): left out of the denominator
    multiple: bool = False  # several options may be chosen (the share is of respondents choosing each)


COLUMNS = [
    "by",
    "group",
    "kind",
    "question",
    "option",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "weighted_n",
    "weighted_count",
    "suppressed",
]


def _chosen(series: pd.Series, question: CategoricalQuestion) -> tuple[np.ndarray, np.ndarray]:
    """(answered: bool (n,), chosen: bool (n, options)) of one question's column."""
    values = series.to_numpy(dtype=object)
    options = [o for o in question.options if o not in question.missing]
    chosen = np.zeros((len(values), len(options)), dtype=bool)
    if question.multiple:
        for i, value in enumerate(values):
            if isinstance(value, str):
                value = [v.strip() for v in value.replace(",", ";").split(";") if v.strip()]
            if isinstance(value, list | tuple | np.ndarray):
                picked = {str(v) for v in value}
                chosen[i] = [str(o) in picked for o in options]
        return chosen.any(axis=1), chosen
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        numbers = series.to_numpy(dtype=float, na_value=np.nan)
        for j, option in enumerate(options):
            chosen[:, j] = numbers == option if isinstance(option, int | float) else False
    else:
        text = series.astype("string").str.strip().to_numpy(dtype=object, na_value=None)
        for j, option in enumerate(options):
            chosen[:, j] = text == str(option)
    return chosen.any(axis=1), chosen


def _group_sum(values: np.ndarray, keys: np.ndarray, size: int) -> np.ndarray:
    """Row sums of `values` per key (0..size-1): one sort and one reduceat, not a loop."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    out = np.zeros((size, values.shape[1]))
    if len(keys):
        out[sorted_keys[starts]] = np.add.reduceat(values[order], starts, axis=0)
    return out


def share_tables(
    frame: pd.DataFrame,
    questions: list[CategoricalQuestion],
    *,
    weights: np.ndarray,
    strata: np.ndarray,
    n_strata: int,
    psus: np.ndarray | None,
    psus_per_stratum: np.ndarray,
    df: int,
    by: list[str] | tuple[str, ...],
    method,
    source: str,
) -> pd.DataFrame:
    """One row per (breakdown cell, question, option); the whole sample first."""
    questions = [q for q in questions if q.code in frame.columns]
    if not questions:
        return pd.DataFrame(columns=COLUMNS)
    unit = psus if psus is not None else np.arange(len(frame))
    stratum_of_unit = np.zeros(int(unit.max()) + 1, dtype=np.int64)
    stratum_of_unit[unit] = strata
    answered, chosen, labels = [], [], []
    for question in questions:
        a, c = _chosen(frame[question.code], question)
        answered.append(a)
        chosen.append(c)
        labels.extend((question, o) for o in question.options if o not in question.missing)
    pairs = zip(answered, chosen, strict=True)
    x = np.column_stack([np.repeat(a[:, None], c.shape[1], axis=1) for a, c in pairs]).astype(float)
    y = np.column_stack(chosen).astype(float)
    frames = []
    breakdowns = [(None, np.zeros(len(frame), dtype=np.int64), [None])]
    for column in by:
        codes, values = pd.factorize(frame[column], use_na_sentinel=False, sort=True)
        names = [None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v) for v in values]
        breakdowns.append((column, codes.astype(np.int64), names))
    for column, groups, names in breakdowns:
        n_groups = len(names)
        # PSU totals within each (PSU, category): a domain's PSU totals are zero outside it.
        keys, inverse = np.unique(unit * n_groups + groups, return_inverse=True)
        cell_unit, cell_group = keys // n_groups, keys % n_groups
        sums = _group_sum(np.hstack([y * weights[:, None], x * weights[:, None], x]), inverse, len(keys))
        wy, wx, counts = np.hsplit(sums, 3)
        block = stratum_of_unit[cell_unit] * n_groups + cell_group
        size = n_strata * n_groups

        def per_block(values, block=block, size=size, n_groups=n_groups):
            return _group_sum(values, block, size).reshape(n_strata, n_groups, values.shape[1])

        ratio, variance = statistics.ratio_variance(
            y1=per_block(wy),
            x1=per_block(wx),
            yy=per_block(wy * wy),
            xy=per_block(wy * wx),
            xx=per_block(wx * wx),
            psus_per_stratum=psus_per_stratum,
        )
        n = per_block(counts).sum(axis=0)
        weighted_n = per_block(wx).sum(axis=0)
        low, high = statistics.korn_graubard_interval(
            estimate=ratio, variance=variance, n=n, n_respondents=n, df=df, level=method.confidence_level
        )
        suppressed = (n < method.min_respondents) | ~np.isfinite(ratio)
        table = pd.DataFrame(
            {
                "by": column,
                "group": np.repeat(np.array(names, dtype=object), len(labels)),
                "kind": np.tile(np.array([q.kind for q, _ in labels], dtype=object), n_groups),
                "question": np.tile(np.array([q.code for q, _ in labels], dtype=object), n_groups),
                "option": np.tile(np.array([o for _, o in labels], dtype=object), n_groups),
                "estimate": ratio.ravel(),
                "se": np.sqrt(variance).ravel(),
                "ci_low": low.ravel(),
                "ci_high": high.ravel(),
                "n": n.ravel().astype(np.int64),
                "weighted_n": weighted_n.ravel(),
                "weighted_count": (ratio * weighted_n).ravel(),
                "suppressed": suppressed.ravel(),
            }
        )
        table.loc[table["suppressed"], ["estimate", "se", "ci_low", "ci_high", "weighted_count"]] = np.nan
        frames.append(table)
    return pd.concat(frames, ignore_index=True)[COLUMNS]
