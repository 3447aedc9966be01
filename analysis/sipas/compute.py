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

from .methods import SipasMethod
from .moments import FamilyStats, Layout, family_stats, lookup_tables, stats_from_cells

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
      elements: by, group, element, estimate, ...
      items:    by, group, element, item, estimate, ...
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
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method.name,
            "method_description": self.method.description,
            "respondents": self.respondents,
            "weighted_respondents": self.weighted_respondents,
            "calibration": self.calibration,
            "design": self.design,
            "sipas": _records(self.sipas),
            "elements": _records(self.elements),
            "items": _records(self.items),
            "notes": self.notes,
        }


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
) -> SipasResult:
    """SIPAS estimates for `frame`; `elements` maps element code (access, …, overall) to its item columns.

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
        weights, calibration = _calibrate(frame, weights, margins, method, source, margins_source)
    strata, n_strata = _codes_of(frame, stratum, source)
    psus, psus_per_stratum = _psus(frame, psu, strata, n_strata, source)
    total_psus = int(psus_per_stratum.sum())
    df = total_psus - n_strata

    # The block products are small; threaded BLAS only adds contention (10× slower on a busy 2-core host).
    with threadpool_limits(limits=1, user_api="blas"):
        design = _Design(strata, n_strata, psus, psus_per_stratum, df)
        tables = _all_tables(frame, codes, weights, design, by=by, layout=layout, method=method)

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
        elements=_table(tables["elements"], [*columns, "element", *value_columns]),
        items=_table(tables["items"], [*columns, "element", "item", *value_columns]),
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
    tables: dict[str, list[pd.DataFrame]] = {"sipas": [], "elements": [], "items": []}
    whole = None
    for column in by:
        groups, labels = _group_codes(frame[column])
        stats, cells = family_stats(codes, weights, strata, n_strata, groups, len(labels), psus, layout, luts)
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
        whole, _ = family_stats(codes, weights, strata, n_strata, zeros, 1, psus, layout, luts)
    _estimates(whole, psus_per_stratum, df, layout, method, None, [None], tables)
    return tables


def _table(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    # The whole sample first, then each breakdown in the order asked.
    ordered = parts[-1:] + parts[:-1]
    return pd.concat(ordered, ignore_index=True)[columns] if ordered else pd.DataFrame(columns=columns)


# --- input checks -------------------------------------------------------------------------------------


def _layout(elements: dict[str, list[str]], method: SipasMethod, frame: pd.DataFrame, source: str) -> Layout:
    for element in method.index_elements:
        if not elements.get(element):
            raise SipasInputError(f"{source}: no item feeds the element {element!r} (sipas.{element})")
    ordered = [e for e in method.index_elements] + [e for e in elements if e not in method.index_elements]
    ordered = [e for e in ordered if elements.get(e)]
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
    index = np.array([ordered.index(e) for e in method.index_elements])
    return Layout(items, item_elements, ordered, np.array(starts), index)


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


def _calibrate(
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
    n_h = psus_per_stratum

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

    # The SIPAS index is a smooth function of the element ratios; its linearised value is
    # z = sum_e c_y[e]·y_e + c_x[e]·x_e, so its PSU totals are that combination of the element totals.
    y_total = e1[..., :n_elements].sum(axis=0)[:, index]
    x_total = e1[..., n_elements:].sum(axis=0)[:, index]
    coefficients = np.zeros((len(labels), 2 * n_elements))
    with np.errstate(divide="ignore", invalid="ignore"):
        if method.sipas_aggregation == "mean_of_elements":
            defined = x_total > 0
            k = defined.sum(axis=1, keepdims=True)
            ratios = np.where(defined, y_total / x_total, 0.0)
            estimate = np.where(k[:, 0] > 0, ratios.sum(axis=1) / k[:, 0], np.nan)
            c_y = np.where(defined, 1.0 / (k * x_total), 0.0)
            c_x = -ratios * c_y
        else:
            pooled_x = x_total.sum(axis=1, keepdims=True)
            estimate = y_total.sum(axis=1) / pooled_x[:, 0]
            c_y = np.broadcast_to(1.0 / pooled_x, x_total.shape)
            c_x = -estimate[:, None] * c_y
    coefficients[:, index] = np.nan_to_num(c_y)
    coefficients[:, index + n_elements] = np.nan_to_num(c_x)
    t1 = np.einsum("hgk,gk->hg", e1, coefficients)
    tt = np.einsum("hgkl,gk,gl->hg", eg, coefficients, coefficients)
    sipas_var = statistics.linear_variance(t1=t1, tt=tt, psus_per_stratum=n_h)
    tables["sipas"].append(
        _cells(
            by,
            labels,
            {},
            estimate[:, None],
            sipas_var[:, None],
            n=counts[:, -1:],
            answers=answers[:, index].sum(axis=1, keepdims=True),
            weighted_n=weighted[:, -1:],
            df=df,
            method=method,
        )
    )


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
