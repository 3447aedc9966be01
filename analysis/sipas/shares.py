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

from .methods import SipasMethod


@dataclass(frozen=True)
class CategoricalQuestion:
    code: str
    kind: str  # "perception" | "need"
    options: tuple[int | str, ...]  # option values, in questionnaire order
    missing: tuple[
        int | str, ...
    ] = ()  # options that are no opinion ("don't know"): left out of the denominator
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
    options = [o for o in question.options if o not in question.missing]
    chosen = np.zeros((len(series), len(options)), dtype=bool)
    if question.multiple:
        # Lists (JSON answers) or "a;b" texts (CSV): one row per choice, compared per option, vectorised.
        plain = series.reset_index(drop=True)
        present = plain.dropna()
        if len(present) and isinstance(present.iloc[0], list | tuple | np.ndarray):
            exploded = plain.explode()
        else:
            exploded = plain.astype("string").str.split(r"[;,]").explode()
        exploded = exploded.astype("string").str.strip()
        rows = exploded.index.to_numpy()
        values = exploded.fillna("").to_numpy(dtype="object")
        for j, option in enumerate(options):
            hit = rows[values == str(option)]
            chosen[hit, j] = True
        return chosen.any(axis=1), chosen
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        numbers = series.to_numpy(dtype=float, na_value=np.nan)
        for j, option in enumerate(options):
            chosen[:, j] = numbers == option if isinstance(option, int | float) else False
    else:
        text = series.astype("string").str.strip().fillna("").to_numpy(dtype="object")
        for j, option in enumerate(options):
            chosen[:, j] = text == str(option)
    return chosen.any(axis=1), chosen


class _Summer:
    """Sums per (stratum, category) block of PSU totals and of their squares and products, for one
    breakdown: rows sorted by block once (each respondent its own PSU), or first summed into their (PSU,
    category) cells (clustered designs; a domain's PSU totals are zero outside it)."""

    def __init__(
        self,
        strata: np.ndarray,
        n_strata: int,
        groups: np.ndarray,
        n_groups: int,
        psus: np.ndarray | None,
        weights: np.ndarray,
    ) -> None:
        self.shape = (n_strata, n_groups)
        self.weights = weights
        self.cells = None
        if psus is not None:
            keys, inverse = np.unique(psus * n_groups + groups, return_inverse=True)
            stratum_of_psu = np.zeros(int(psus.max()) + 1, dtype=np.int64)
            stratum_of_psu[psus] = strata
            self.cells = _Sorted(inverse, len(keys))
            block = stratum_of_psu[keys // n_groups] * n_groups + keys % n_groups
        else:
            block = strata * n_groups + groups
        self.blocks = _Sorted(block, n_strata * n_groups)
        self.sorted_weights = weights[self.blocks.order] if psus is None else None

    def _per_block(self, totals: np.ndarray) -> np.ndarray:
        return self.blocks.sums_sorted(totals).reshape(*self.shape, totals.shape[1])

    def moments(self, chosen: np.ndarray, answered: np.ndarray) -> dict[str, np.ndarray]:
        """Sums of the PSU totals (in block order) of w·chosen and w·answered, their squares and products;
        `chosen` (n, options) and `answered` (n,) are booleans."""
        if self.cells is None or self.sorted_weights is not None:
            # each respondent its own PSU: sort the (narrow) booleans, not the floats
            order, weights = self.blocks.order, self.sorted_weights
            assert weights is not None
            wy = chosen[order] * weights[:, None]
            wx = (answered[order] * weights)[:, None]
        else:
            order = self.blocks.order
            wy = self.cells.sums(chosen * self.weights[:, None])[order]
            wx = self.cells.sums((answered * self.weights)[:, None])[order]
        return {
            "y1": self._per_block(wy),
            "x1": self._per_block(wx),
            "yy": self._per_block(wy * wy),
            "xy": self._per_block(wy * wx),
            "xx": self._per_block(wx * wx),
        }

    def counts(self, answered: np.ndarray) -> np.ndarray:
        if self.cells is None:
            totals = answered[self.blocks.order][:, None].astype(float)
        else:
            totals = self.cells.sums(answered[:, None].astype(float))[self.blocks.order]
        return self._per_block(totals).sum(axis=0)


class _Sorted:
    """Row sums of matrices per key (0..size-1) with one sort shared by every matrix."""

    def __init__(self, keys: np.ndarray, size: int) -> None:
        self.order = np.argsort(keys, kind="stable")
        sorted_keys = keys[self.order]
        self.starts: np.ndarray = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        self.keys = sorted_keys[self.starts] if len(keys) else np.array([], dtype=np.int64)
        self.size = size

    def sums(self, values: np.ndarray) -> np.ndarray:
        return self.sums_sorted(values[self.order])

    def sums_sorted(self, values: np.ndarray) -> np.ndarray:
        """As sums, for values already in key order."""
        out = np.zeros((self.size, values.shape[1]))
        if len(self.keys):
            out[self.keys] = np.add.reduceat(values, self.starts, axis=0)
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
    method: SipasMethod,
    source: str,
) -> pd.DataFrame:
    """One row per (breakdown cell, question, option); the whole sample first."""
    questions = [q for q in questions if q.code in frame.columns]
    if not questions:
        return pd.DataFrame(columns=COLUMNS)
    answered: list[np.ndarray] = []
    chosen: list[np.ndarray] = []
    labels: list[tuple[CategoricalQuestion, int | str]] = []
    for question in questions:
        a, c = _chosen(frame[question.code], question)
        answered.append(a)
        chosen.append(c)
        labels.extend((question, o) for o in question.options if o not in question.missing)
    frames = []
    breakdowns: list[tuple[str | None, np.ndarray, list[object]]] = [
        (None, np.zeros(len(frame), dtype=np.int64), [None])
    ]
    for by_column in by:
        codes, values = pd.factorize(frame[by_column], use_na_sentinel=False, sort=True)
        names = [None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v) for v in values]
        breakdowns.append((by_column, codes.astype(np.int64), names))
    for column, groups, names in breakdowns:
        n_groups = len(names)
        summed = _Summer(strata, n_strata, groups, n_groups, psus, weights)
        ratios, variances, ns, weighted_ns = [], [], [], []
        for a, c in zip(answered, chosen, strict=True):
            moments = summed.moments(c, a)
            ratio, variance = statistics.ratio_variance(**moments, psus_per_stratum=psus_per_stratum)
            ratios.append(ratio)
            variances.append(variance)
            ns.append(np.repeat(summed.counts(a), c.shape[1], axis=1))
            weighted_ns.append(np.repeat(moments["x1"].sum(axis=0), c.shape[1], axis=1))
        ratio, variance = np.hstack(ratios), np.hstack(variances)
        n, weighted_n = np.hstack(ns), np.hstack(weighted_ns)
        low, high = statistics.korn_graubard_interval(
            estimate=ratio, variance=variance, n=n, n_respondents=n, df=df, level=method.confidence_level
        )
        suppressed = (n < method.min_respondents) | ~np.isfinite(ratio)
        table = pd.DataFrame(
            {
                "by": column,
                "group": np.repeat(np.array(names, dtype="object"), len(labels)),
                "kind": np.tile(np.array([q.kind for q, _ in labels], dtype="object"), n_groups),
                "question": np.tile(np.array([q.code for q, _ in labels], dtype="object"), n_groups),
                "option": np.tile(np.array([o for _, o in labels], dtype="object"), n_groups),
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
