"""SIPAS indices from a table of answers (one row per respondent, one column per item): per item, per service
element and overall, for the whole sample and per category of any breakdown column, with Taylor-linearised
standard errors, Korn–Graubard intervals and small-cell suppression. Pure pandas/numpy; no ORM.

Here: input checks, calibration, and estimates with SEs and intervals from the sums that
analysis.sipas.moments gathers in one pass over the answers per breakdown (docs/methodology.md §6, §7).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn, cast

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from analysis import statistics
from analysis.statistics import Margin

from .methods import SipasMethod, comparable_methods, part_of, same_element
from .moments import FamilyStats, Layout, family_stats, lookup_tables, stats_from_cells
from .shares import CategoricalQuestion, share_tables

# Internal code of a blank answer in the int8 answer matrix. Blanks and "don't know" (missing_values) need no
# recoding: the satisfied / valid lookup tables give 0 for both.
MISSING_CODE = 127


class SipasInputError(ValueError):
    """Bad input the user can fix; the message names the source, the row and the column."""


@dataclass
class SipasResult:
    """Estimates are proportions in [0, 1]; suppressed cells have no estimate, SE or interval.

    Tables (pandas DataFrames), one row per cell:
      sipas:    by, group, estimate, se, ci_low, ci_high, n, weighted_n, suppressed
      parts:    by, group, part (policy | service), estimate, ...
      elements: by, group, element, estimate, ...   (policy groups, service elements, overall)
      items:    by, group, element, item, estimate, ...
      alternatives: by, group, method, estimate, ...   (SIPAS by the comparable methods)
      shares:   by, group, kind (perception | need), question, option, estimate, ..., weighted_count
    `by` is None and `group` None for the whole sample; otherwise the breakdown column and its category.
    n = respondents with at least one valid answer in the cell (unweighted), weighted_n = their weights.
    """

    method: SipasMethod
    respondents: int
    weighted_respondents: float
    calibration: str
    design: dict[str, int | bool]
    sipas: pd.DataFrame
    elements: pd.DataFrame
    items: pd.DataFrame
    parts: pd.DataFrame = field(default_factory=pd.DataFrame)
    alternatives: pd.DataFrame = field(default_factory=pd.DataFrame)
    shares: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    # How a campaign's figures were weighted (analysis.sipas.campaign): weights calibrated | design | equal,
    # margins, method source. Empty for the CSV path.
    weighting: dict[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method.name,
            "method_description": self.method.description,
            "policy_weight": self.method.policy_weight,
            "respondents": self.respondents,
            "weighted_respondents": self.weighted_respondents,
            "calibration": self.calibration,
            "design": self.design,
            "sipas": _records(self.sipas),
            "parts": _records(self.parts),
            "elements": _records(self.elements),
            "items": _records(self.items),
            "alternatives": _records(self.alternatives),
            "perceptions": self._shares("perception"),
            "needs": self._shares("need"),
            "notes": self.notes,
            **({"weighting": self.weighting} if self.weighting else {}),
        }

    def _shares(self, kind: str) -> list[dict[str, object]]:
        return _records(self.shares[self.shares["kind"] == kind]) if len(self.shares) else []


UNWEIGHTED_KEYS = {
    "sipas": ["by", "group"],
    "parts": ["by", "group", "part"],
    "elements": ["by", "group", "element"],
    "items": ["by", "group", "element", "item"],
    "alternatives": ["by", "group", "method"],
    "shares": ["by", "group", "question", "option"],
}


def with_unweighted(weighted: SipasResult, plain: SipasResult) -> SipasResult:
    """The weighted result with, in each table, the unweighted estimate and the design effect (the weighted
    estimate's variance over the variance of the unweighted estimate of the same cell as a simple random
    sample: docs/decisions.md D206) beside each cell."""
    for name, keys in UNWEIGHTED_KEYS.items():
        table = getattr(weighted, name)
        other = getattr(plain, name)
        if table.empty:
            continue
        lookup = other[[*keys, "estimate", "se"]].rename(columns={"estimate": "unweighted", "se": "_se"})
        merged = table.merge(lookup.astype({k: object for k in keys}), on=keys, how="left")
        with np.errstate(divide="ignore", invalid="ignore"):
            merged["deff"] = (merged["se"] / merged["_se"]) ** 2
        merged.loc[merged["suppressed"], ["unweighted", "deff"]] = np.nan
        setattr(weighted, name, merged.drop(columns=["_se"]))
    return weighted


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    rows = table.astype(object).where(table.notna(), None).to_dict("records")
    records = cast(list[dict[str, Any]], rows)  # the columns are named by strings
    for record in records:
        for key in ("n",):
            record[key] = int(record[key])
        record["suppressed"] = bool(record["suppressed"])
    return records


def compute_sipas(
    frame: pd.DataFrame,
    *,
    elements: dict[str, list[str]],
    method: SipasMethod,
    by: list[str] | tuple[str, ...] = (),
    margins: list[Margin] | None = None,
    weight: str | None = "weight",
    stratum: str | None = "stratum",
    psu: str | None = "psu",
    source: str = "data",
    margins_source: str = "margins",
    categorical: list[CategoricalQuestion] | None = None,
    calibrated: bool = True,
) -> SipasResult:
    """SIPAS estimates for `frame`; `elements` maps element code (policy.education, service.access, …,
    overall; or the first questionnaire's access, …) to its item columns; `categorical` lists perception and
    needs questions, estimated as weighted shares of their options.

    `weight`, `stratum`, `psu` name optional design columns (used when present in the frame; no weight
    column = weight 1, no stratum = one stratum, no psu = each respondent its own PSU). Row labels of the
    frame are used in error messages (the CSV reader sets them to file line numbers).
    """
    if frame.empty:
        raise SipasInputError(f"{source}: no respondents (no data rows)")
    layout = _layout(elements, method, frame, source)
    codes = _answer_codes(frame, layout.items, method, source)
    weights = _weights(frame, weight, source)
    for column in by:
        if column not in frame.columns:
            raise SipasInputError(f"{source}: no column {column!r} to break down by")
    calibration = "none"
    if margins:
        weights, calibration = calibrated_weights(frame, weights, margins, method, source, margins_source)
    strata, n_strata = _codes_of(frame, stratum, source)
    psus, psus_per_stratum = _psus(frame, psu, strata, n_strata, source)
    total_psus = int(psus_per_stratum.sum())
    df = total_psus - n_strata

    # The block products are small; threaded BLAS only adds contention (10× slower on a busy 2-core host).
    with threadpool_limits(limits=1, user_api="blas"):
        design = _Design(strata, n_strata, psus, psus_per_stratum, df)
        tables = _all_tables(frame, codes, weights, design, by=by, layout=layout, method=method)
        shares = share_tables(
            frame,
            categorical or [],
            weights=weights,
            strata=strata,
            n_strata=n_strata,
            psus=psus,
            psus_per_stratum=psus_per_stratum,
            df=df,
            by=by,
            method=method,
            source=source,
        )

    columns = ["by", "group"]
    value_columns = ["estimate", "se", "ci_low", "ci_high", "n", "weighted_n", "suppressed"]
    return SipasResult(
        method=method,
        respondents=len(frame),
        weighted_respondents=float(weights.sum()),
        calibration=calibration,
        design={
            "strata": n_strata,
            "psus": total_psus,
            "clustered": psus is not None,
            "degrees_of_freedom": df,
        },
        sipas=_table(tables["sipas"], columns + value_columns),
        parts=_table(tables["parts"], [*columns, "part", *value_columns]),
        elements=_table(tables["elements"], [*columns, "element", *value_columns]),
        items=_table(tables["items"], [*columns, "element", "item", *value_columns]),
        alternatives=_table(tables["alternatives"], [*columns, "method", *value_columns]),
        shares=shares,
    )


@dataclass(frozen=True)
class _Design:
    strata: np.ndarray
    n_strata: int
    psus: np.ndarray | None
    psus_per_stratum: np.ndarray
    df: int


def _all_tables(
    frame: pd.DataFrame,
    codes: np.ndarray,
    weights: np.ndarray,
    design: _Design,
    *,
    by: Sequence[str],
    layout: Layout,
    method: SipasMethod,
) -> dict[str, list[pd.DataFrame]]:
    """Estimate tables for each breakdown column and for the whole sample."""
    luts = lookup_tables(method)
    strata, n_strata, psus = design.strata, design.n_strata, design.psus
    psus_per_stratum, df = design.psus_per_stratum, design.df
    tables: dict[str, list[pd.DataFrame]] = {
        "sipas": [],
        "parts": [],
        "elements": [],
        "items": [],
        "alternatives": [],
    }
    whole = None
    for column in by:
        groups, labels = _group_codes(frame[column])
        stats, cells = family_stats(
            codes, weights, strata, n_strata, groups, len(labels), psus, layout, luts, psus_per_stratum
        )
        _estimates(stats, psus_per_stratum, df, layout, method, column, labels, tables)
        if whole is None:
            # The whole sample's moments follow from the first breakdown's: they add up over categories
            # without clusters; with clusters, the cells merge into PSUs first.
            whole = (
                stats.collapsed()
                if cells is None
                else stats_from_cells(cells.merged_over_categories(len(labels)), n_strata, 1, layout)
            )
    if whole is None:
        zeros = np.zeros(len(frame), dtype=np.int64)
        whole, _ = family_stats(
            codes, weights, strata, n_strata, zeros, 1, psus, layout, luts, psus_per_stratum
        )
    _estimates(whole, psus_per_stratum, df, layout, method, None, [None], tables)
    return tables


def _table(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    # The whole sample first, then each breakdown in the order asked.
    ordered = parts[-1:] + parts[:-1]
    return pd.concat(ordered, ignore_index=True)[columns] if ordered else pd.DataFrame(columns=columns)


# --- input checks -------------------------------------------------------------------------------------


def _layout(elements: dict[str, list[str]], method: SipasMethod, frame: pd.DataFrame, source: str) -> Layout:
    """Item columns grouped by element, the method's index elements first (matched to the questionnaire's
    codes by methods.same_element), then the parts' element positions."""
    resolved = []
    for wanted in method.index_elements:
        found = next((e for e in elements if elements.get(e) and same_element(wanted, e)), None)
        if found is None:
            raise SipasInputError(f"{source}: no item feeds the element {wanted!r} (sipas.{wanted})")
        resolved.append(found)
    ordered = resolved + [e for e in elements if e not in resolved and elements.get(e)]
    items: list[str] = []
    item_elements: list[str] = []
    starts: list[int] = []
    for element in ordered:
        starts.append(len(items))
        for code in elements[element]:
            if code not in frame.columns:
                raise SipasInputError(f"{source}: missing column {code!r} (an item of element {element!r})")
            items.append(code)
            item_elements.append(element)
    index = np.arange(len(resolved))
    parts = method.parts
    part_positions = tuple(
        np.array([i for i, wanted in enumerate(method.index_elements) if part_of(wanted) == part])
        for part in parts
    )
    return Layout(items, item_elements, ordered, np.array(starts), index, parts, part_positions)


def _row_label(frame: pd.DataFrame, position: int) -> str:
    return f"row {frame.index[position]}"


def _answer_codes(frame: pd.DataFrame, items: list[str], method: SipasMethod, source: str) -> np.ndarray:
    """int8 matrix of answers (MISSING_CODE for blank / don't know); any other value is an error."""
    allowed = np.zeros(128, dtype=bool)
    for value in (*method.valid_values, *method.missing_values):
        allowed[value] = True
    allowed[MISSING_CODE] = True
    codes = np.empty((len(frame), len(items)), dtype=np.int8, order="F")
    for j, column in enumerate(items):
        series = frame[column]
        if pd.api.types.is_integer_dtype(series.dtype) and isinstance(series.dtype, np.dtype):
            values = series.to_numpy()
            low, high = (int(values.min()), int(values.max())) if len(values) else (0, 0)
            # Two reductions settle the usual case (all values in an allowed range) without a lookup.
            if not (low >= 0 and high < MISSING_CODE and allowed[low : high + 1].all()):
                in_range = (values >= 0) & (values < MISSING_CODE)
                bad = np.flatnonzero(~(in_range & allowed[np.where(in_range, values, 0)]))
                if len(bad):
                    _bad_value(frame, source, bad[0], column, values[bad[0]], method)
            codes[:, j] = values
        else:
            numbers = _numbers(series, frame, source, column)
            blank = np.isnan(numbers)
            safe = np.where(blank, MISSING_CODE, numbers)
            in_range = (safe >= 0) & (safe <= MISSING_CODE) & (safe == np.floor(safe))
            ok = in_range & allowed[np.where(in_range, safe, 0).astype(np.int64)]
            if not ok.all():
                bad = np.flatnonzero(~ok)[0]
                _bad_value(frame, source, bad, column, numbers[bad], method)
            codes[:, j] = safe.astype(np.int8)
    return codes


def _bad_value(
    frame: pd.DataFrame, source: str, position: int, column: str, value: float, method: SipasMethod
) -> NoReturn:
    shown = int(value) if float(value).is_integer() else value
    allowed = ", ".join(str(v) for v in (*method.valid_values, *method.missing_values))
    raise SipasInputError(
        f"{source}: {_row_label(frame, position)}, column {column!r}: {shown!r} is not a scale value "
        f"(allowed: {allowed} or blank)"
    )


def _numbers(series: pd.Series, frame: pd.DataFrame, source: str, column: str) -> np.ndarray:
    """Float values of a column, NaN for blanks; a non-numeric cell is an error naming its row."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan)
    text = series.astype("string").str.strip()
    # pandas-stubs types replace() on a string Series without pd.NA as the new value.
    numbers = pd.to_numeric(text.replace("", pd.NA), errors="coerce")  # type: ignore[call-overload]
    bad = numbers.isna() & text.notna() & (text != "")
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise SipasInputError(
            f"{source}: {_row_label(frame, position)}, column {column!r}: "
            f"{text.iloc[position]!r} is not a number"
        )
    values: np.ndarray = numbers.to_numpy(dtype=float, na_value=np.nan)
    return values


def _weights(frame: pd.DataFrame, column: str | None, source: str) -> np.ndarray:
    if not column or column not in frame.columns:
        return np.ones(len(frame))
    weights = _numbers(frame[column], frame, source, column)
    bad = ~(np.isfinite(weights) & (weights > 0))
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        shown = "blank" if np.isnan(weights[position]) else repr(float(weights[position]))
        raise SipasInputError(
            f"{source}: {_row_label(frame, position)}, column {column!r}: weight {shown}; weights must be > 0"
        )
    return weights


def _codes_of(frame: pd.DataFrame, column: str | None, source: str) -> tuple[np.ndarray, int]:
    if not column or column not in frame.columns:
        return np.zeros(len(frame), dtype=np.int64), 1
    codes, labels = pd.factorize(frame[column])
    if (codes < 0).any():
        position = int(np.flatnonzero(codes < 0)[0])
        raise SipasInputError(f"{source}: {_row_label(frame, position)}, column {column!r}: blank")
    return codes.astype(np.int64), len(labels)


def _psus(
    frame: pd.DataFrame, column: str | None, strata: np.ndarray, n_strata: int, source: str
) -> tuple[np.ndarray | None, np.ndarray]:
    """PSU codes (PSU labels are nested in strata) and the number of PSUs per stratum."""
    if not column or column not in frame.columns:
        return None, np.bincount(strata, minlength=n_strata)
    labels, _ = _codes_of(frame, column, source)
    psus, _ = pd.factorize(strata * (labels.max() + 1) + labels)
    stratum_of_psu = np.zeros(psus.max() + 1, dtype=np.int64)
    stratum_of_psu[psus] = strata
    return psus.astype(np.int64), np.bincount(stratum_of_psu, minlength=n_strata)


def _group_codes(series: pd.Series) -> tuple[np.ndarray, list[object]]:
    codes, labels = pd.factorize(series, use_na_sentinel=False, sort=True)
    return codes.astype(np.int64), [None if pd.isna(label) else _plain(label) for label in labels]


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def calibrated_weights(
    frame: pd.DataFrame,
    weights: np.ndarray,
    margins: list[Margin],
    method: SipasMethod,
    source: str,
    margins_source: str,
) -> tuple[np.ndarray, str]:
    """Post-stratification for one margin variable, raking for several (docs/methodology.md §7)."""
    by_variable: dict[str, list[Margin]] = {}
    for margin in margins:
        by_variable.setdefault(margin.variable, []).append(margin)
    fitted: list[tuple[np.ndarray, np.ndarray]] = []
    for variable, rows in by_variable.items():
        if variable not in frame.columns:
            raise SipasInputError(f"{margins_source}: variable {variable!r} is not a column of {source}")
        categories = [m.category for m in rows]
        if len(set(categories)) != len(categories):
            raise SipasInputError(f"{margins_source}: variable {variable!r} lists a category twice")
        values = frame[variable].astype("string").str.strip()
        codes = pd.Index(categories).get_indexer(values)  # type: ignore[arg-type]  # any array-like works
        present = np.bincount(codes[codes >= 0], minlength=len(categories))
        if (codes < 0).any():
            position = int(np.flatnonzero(codes < 0)[0])
            raise SipasInputError(
                f"{source}: {_row_label(frame, position)}, column {variable!r}: category "
                f"{values.iloc[position]!r} has no population total in the margins"
            )
        if (present == 0).any():
            missing = categories[int(np.flatnonzero(present == 0)[0])]
            raise SipasInputError(
                f"{margins_source}: category {missing!r} of {variable!r} has no respondent in {source}"
            )
        fitted.append((codes.astype(np.int64), np.array([m.population for m in rows], dtype=float)))
    if len(fitted) == 1:
        return statistics.poststratify(weights, *fitted[0]), "post-stratification"
    try:
        calibrated, iterations = statistics.rake(
            weights,
            fitted,
            tolerance=method.raking_tolerance,
            max_iterations=method.raking_max_iterations,
        )
    except statistics.CalibrationError as exc:
        raise SipasInputError(f"{margins_source}: {exc}") from None
    return calibrated, f"raking ({iterations} iterations)"


def _estimates(
    stats: FamilyStats,
    psus_per_stratum: np.ndarray,
    df: int,
    layout: Layout,
    method: SipasMethod,
    by: str | None,
    labels: Sequence[object],
    tables: dict[str, list[pd.DataFrame]],
) -> None:
    n_elements = len(layout.elements)
    index = layout.index_positions
    n_h = psus_per_stratum if stats.n_h is None else stats.n_h  # per stratum, or per slot and category

    item_ratio, item_var = statistics.ratio_variance(
        y1=stats.y1, x1=stats.x1, yy=stats.yy, xy=stats.xy, xx=stats.xx, psus_per_stratum=n_h
    )
    item_n = stats.item_n.sum(axis=0)
    tables["items"].append(
        _cells(
            by,
            labels,
            {"element": layout.item_elements, "item": layout.items},
            item_ratio,
            item_var,
            n=item_n,
            answers=item_n,
            weighted_n=stats.x1.sum(axis=0),
            df=df,
            method=method,
        )
    )

    e1, eg = stats.e1, stats.eg
    diagonal = np.arange(n_elements)
    element_ratio, element_var = statistics.ratio_variance(
        y1=e1[..., :n_elements],
        x1=e1[..., n_elements:],
        yy=eg[..., diagonal, diagonal],
        xy=eg[..., diagonal, diagonal + n_elements],
        xx=eg[..., diagonal + n_elements, diagonal + n_elements],
        psus_per_stratum=n_h,
    )
    counts = stats.counts.sum(axis=0)
    weighted = stats.weighted_counts.sum(axis=0)
    answers = stats.element_answers.sum(axis=0)
    tables["elements"].append(
        _cells(
            by,
            labels,
            {"element": layout.elements},
            element_ratio,
            element_var,
            n=counts[:, :n_elements],
            answers=answers,
            weighted_n=weighted[:, :n_elements],
            df=df,
            method=method,
        )
    )

    # Parts and the SIPAS index are smooth functions of the element totals (Y_e, X_e): each is linearised
    # as z = sum_e c_y[e]·y_e + c_x[e]·x_e with the gradient c, so its PSU totals are that combination of
    # the element totals and its variance is c' S c with S the element totals' second moments (eg).
    y_total = e1[..., :n_elements].sum(axis=0)
    x_total = e1[..., n_elements:].sum(axis=0)
    n_parts = len(layout.parts)
    composites: dict[str, list[tuple[np.ndarray, np.ndarray, object]]] = {
        "parts": [],
        "sipas": [],
        "alternatives": [],
    }
    part_values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for p, positions in enumerate(layout.part_positions):
        estimate, gradient = _mean_of_ratios(y_total, x_total, positions)
        part_values[layout.parts[p]] = (estimate, gradient)
        composites["parts"].append((estimate, gradient, p))
    for m in [method, *comparable_methods(method)]:
        estimate, gradient = _overall(m, y_total, x_total, index, part_values)
        composites["sipas" if m is method else "alternatives"].append((estimate, gradient, m.name))

    def variance(gradient: np.ndarray) -> np.ndarray:
        t1 = np.einsum("hgk,gk->hg", e1, gradient)
        tt = np.einsum("hgkl,gk,gl->hg", eg, gradient, gradient)
        return statistics.linear_variance(t1=t1, tt=tt, psus_per_stratum=n_h)

    if composites["parts"]:
        estimates = np.column_stack([c[0] for c in composites["parts"]])
        variances = np.column_stack([variance(c[1]) for c in composites["parts"]])
        part_answers = np.column_stack([answers[:, pos].sum(axis=1) for pos in layout.part_positions])
        tables["parts"].append(
            _cells(
                by,
                labels,
                {"part": list(layout.parts)},
                estimates,
                variances,
                n=counts[:, n_elements : n_elements + n_parts],
                answers=part_answers,
                weighted_n=weighted[:, n_elements : n_elements + n_parts],
                df=df,
                method=method,
            )
        )
    index_answers = answers[:, index].sum(axis=1, keepdims=True)
    for name in ("sipas", "alternatives"):
        rows = composites[name]
        if not rows:
            continue
        tables[name].append(
            _cells(
                by,
                labels,
                {} if name == "sipas" else {"method": [str(r[2]) for r in rows]},
                np.column_stack([r[0] for r in rows]),
                np.column_stack([variance(r[1]) for r in rows]),
                n=np.repeat(counts[:, -1:], len(rows), axis=1),
                answers=np.repeat(index_answers, len(rows), axis=1),
                weighted_n=np.repeat(weighted[:, -1:], len(rows), axis=1),
                df=df,
                method=method,
            )
        )


def _mean_of_ratios(
    y_total: np.ndarray, x_total: np.ndarray, positions: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(estimate, gradient) of the mean of the element ratios at `positions` that are defined in each cell
    (an element nobody rated in a cell is left out of that cell's mean)."""
    groups, n_elements = x_total.shape
    member = np.zeros(n_elements, dtype=bool)
    member[positions] = True
    with np.errstate(divide="ignore", invalid="ignore"):
        defined = (x_total > 0) & member
        k = defined.sum(axis=1, keepdims=True)
        ratios = np.where(defined, y_total / x_total, 0.0)
        estimate = np.where(k[:, 0] > 0, ratios.sum(axis=1) / k[:, 0], np.nan)
        c_y = np.where(defined, 1.0 / (k * x_total), 0.0)
    gradient = np.zeros((groups, 2 * n_elements))
    gradient[:, :n_elements] = np.nan_to_num(c_y)
    gradient[:, n_elements:] = np.nan_to_num(-ratios * c_y)
    return estimate, gradient


def _overall(
    method: SipasMethod,
    y_total: np.ndarray,
    x_total: np.ndarray,
    index: np.ndarray,
    part_values: dict[str, tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """(estimate, gradient) of the SIPAS index under `method` (methods.py: sipas_aggregation)."""
    groups, n_elements = x_total.shape
    if method.sipas_aggregation == "mean_of_elements":
        return _mean_of_ratios(y_total, x_total, index)
    if method.sipas_aggregation == "pooled_items":
        pooled_y = y_total[:, index].sum(axis=1)
        pooled_x = x_total[:, index].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = pooled_y / pooled_x
            gradient = np.zeros((groups, 2 * n_elements))
            gradient[:, index] = (1.0 / pooled_x)[:, None]
            gradient[:, index + n_elements] = (-estimate / pooled_x)[:, None]
        return estimate, np.nan_to_num(gradient)
    # mean_of_parts, weighted_parts: sum_p w_p·part_p over the parts defined in the cell, divided by the sum
    # of their weights (a cell where one part has no answer takes the other; the weights are constants, so
    # the gradient is the same combination of the parts' gradients).
    weights = method.part_weights()
    total = np.zeros(groups)
    estimate = np.zeros(groups)
    gradient = np.zeros((groups, 2 * n_elements))
    for part, (value, part_gradient) in part_values.items():
        w = np.where(np.isfinite(value), weights.get(part, 0.0), 0.0)
        total += w
        estimate += w * np.nan_to_num(value)
        gradient += w[:, None] * part_gradient
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, estimate / total, np.nan), np.nan_to_num(gradient / total[:, None])


def _cells(
    by: str | None,
    labels: Sequence[object],
    columns: dict[str, list[str]],
    estimate: np.ndarray,
    variance: np.ndarray,
    *,
    n: np.ndarray,
    answers: np.ndarray,
    weighted_n: np.ndarray,
    df: int,
    method: SipasMethod,
) -> pd.DataFrame:
    """A table of cells (categories × estimates) with SE, interval and suppression."""
    groups, width = estimate.shape
    low, high = statistics.korn_graubard_interval(
        estimate=estimate,
        variance=variance,
        n=answers,
        n_respondents=n,
        df=df,
        level=method.confidence_level,
    )
    suppressed = (n < method.min_respondents) | ~np.isfinite(estimate)
    table = pd.DataFrame(
        {
            "by": by,
            "group": np.repeat(np.array(labels, dtype=object), width),
            **{name: np.tile(np.asarray(values, dtype=object), groups) for name, values in columns.items()},
            "estimate": estimate.ravel(),
            "se": np.sqrt(variance).ravel(),
            "ci_low": low.ravel(),
            "ci_high": high.ravel(),
            "n": n.ravel().astype(np.int64),
            "weighted_n": np.asarray(weighted_n, dtype=float).ravel(),
            "suppressed": suppressed.ravel(),
        }
    )
    table.loc[table["suppressed"], ["estimate", "se", "ci_low", "ci_high"]] = np.nan
    return table
