"""Writing an export frame in each format, and its codebook (pure: a DataFrame and its columns' metadata in,
files out). Text is never a formula in xlsx (kit.xlsx); CSV is UTF-8 with a BOM so Excel reads Vietnamese.

SPSS and Stata carry variable labels (the question text) and value labels (the choices) through pyreadstat;
their variable names are `layout.stata_names` of the columns, and a choice whose values are not integers is
numbered 1, 2, … in the questionnaire's order there (the codebook gives the numbers; docs/decisions.md D303).
Parquet keeps text-valued choice columns (and the choices' labels) as dictionary (categorical) columns;
integer codes stay integer columns, as Parquet reads integer dictionaries back as plain integers (D304).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kit.xlsx import stream_table, write_large_table

FORMATS = ("csv", "xlsx", "parquet", "sav", "dta")
CHUNK_ROWS = 5000
Progress = Callable[[int, int], None]


@dataclass
class VariableInfo:
    """What the labelled formats and the codebook know of one column."""

    name: str
    label: str = ""
    options: list[tuple[Any, str]] = field(default_factory=list)  # value labels (value, label)
    categorical: bool = False  # a dictionary column in Parquet


def _noop(done: int, total: int) -> None:
    return None


def write(
    frame: pd.DataFrame,
    path: Path,
    fmt: str,
    variables: Sequence[VariableInfo],
    *,
    progress: Progress = _noop,
) -> list[str]:
    """Writes `frame` to `path` in `fmt`; returns the column names as written (SPSS/Stata names differ)."""
    if fmt == "csv":
        return _csv(frame, path, progress)
    if fmt == "xlsx":
        return _xlsx(frame, path, progress)
    if fmt == "parquet":
        return _parquet(frame, path, variables, progress)
    if fmt in ("sav", "dta"):
        return _labelled(frame, path, fmt, variables, progress)
    raise ValueError(f"unknown format {fmt!r}")


def _chunks(total: int) -> range:
    return range(0, max(total, 1), CHUNK_ROWS)


def _csv(frame: pd.DataFrame, path: Path, progress: Progress) -> list[str]:
    total = len(frame)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        for start in _chunks(total):
            frame.iloc[start : start + CHUNK_ROWS].to_csv(handle, index=False, header=start == 0)
            progress(min(start + CHUNK_ROWS, total), total)
    return [str(c) for c in frame.columns]


def _xlsx(frame: pd.DataFrame, path: Path, progress: Progress) -> list[str]:
    total = len(frame)
    columns = [_cells(frame[c]) for c in frame.columns]

    def rows():
        for i, row in enumerate(zip(*columns, strict=True), start=1):
            yield row
            if i % CHUNK_ROWS == 0 or i == total:
                progress(i, total)

    headers = [str(c) for c in frame.columns]
    write_large_table(path, sheet="data", headers=headers, rows=rows(), widths=[14] * len(columns))
    return headers


def _cells(series: pd.Series) -> list[Any]:
    """A column as the Python values kit.xlsx.write_large_table takes (blank as None), converted a column
    at a time; only text columns go through _cell value by value."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return [None if pd.isna(v) else v for v in series.dt.to_pydatetime()]
    values = series.astype(object).where(series.notna(), None).tolist()
    return [_cell(v) for v in values] if series.dtype == object else values


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _parquet(
    frame: pd.DataFrame, path: Path, variables: Sequence[VariableInfo], progress: Progress
) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    info = {v.name: v for v in variables}
    arrays, names = [], []
    for name in frame.columns:
        series = frame[name]
        variable = info.get(str(name))
        if variable is not None and variable.categorical:
            values = [v for v, _ in variable.options] if variable.options else None
            categories = values if values and _same_kind(series, values) else None
            if categories is not None and isinstance(series.dtype, pd.Int64Dtype):
                categorical = pd.Categorical(series, categories=categories)
            else:
                text = series.astype("string")
                categorical = pd.Categorical(
                    text, categories=[str(v) for v in categories] if categories else None
                )
            arrays.append(pa.DictionaryArray.from_pandas(categorical))
        else:
            arrays.append(pa.Array.from_pandas(series.astype(object) if series.dtype == object else series))
        names.append(str(name))
    table = pa.Table.from_arrays(arrays, names=names)
    metadata = {f"label:{v.name}".encode(): v.label.encode() for v in variables if v.label}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, path)
    progress(len(frame), len(frame))
    return names


def _same_kind(series: pd.Series, values: list[Any]) -> bool:
    """Whether the column holds the option values themselves (codes), not their labels."""
    present = pd.unique(series.dropna().to_numpy(dtype=object))
    return {str(v) for v in present} <= {str(v) for v in values}


def _labelled(
    frame: pd.DataFrame, path: Path, fmt: str, variables: Sequence[VariableInfo], progress: Progress
) -> list[str]:
    import pyreadstat

    from .layout import stata_names

    names = stata_names([str(c) for c in frame.columns])
    info = {v.name: v for v in variables}
    out: dict[str, pd.Series] = {}
    variable_labels: dict[str, str] = {}
    value_labels: dict[str, dict[Any, str]] = {}
    for original, name in zip(frame.columns, names, strict=True):
        series = frame[original]
        variable = info.get(str(original))
        if variable is not None:
            variable_labels[name] = variable.label[:80] if fmt == "dta" else variable.label
            if variable.options and _same_kind(series, [v for v, _ in variable.options]):
                series, labels = numbered(series, variable.options)
                value_labels[name] = labels
        out[name] = _plain_column(series)
    data = pd.DataFrame(out)
    if fmt == "sav":
        pyreadstat.write_sav(
            data, str(path), column_labels=variable_labels, variable_value_labels=value_labels
        )
    else:
        pyreadstat.write_dta(
            data, str(path), column_labels=variable_labels, variable_value_labels=value_labels, version=15
        )
    progress(len(frame), len(frame))
    return names


def numbered(series: pd.Series, options: list[tuple[Any, str]]) -> tuple[pd.Series, dict[Any, str]]:
    """Integer codes and their labels: the option values when they are integers, else 1, 2, … in order."""
    if all(isinstance(v, int) and not isinstance(v, bool) for v, _ in options):
        return series, {int(v): label for v, label in options}
    categories = [str(v) for v, _ in options]
    codes = pd.Categorical(series.astype("string"), categories=categories).codes.astype(np.int64) + 1
    mapped = pd.Series(pd.array(codes, dtype="Int64"), index=series.index).mask(codes == 0)
    return mapped, {i: label for i, (_, label) in enumerate(options, start=1)}


def _plain_column(series: pd.Series) -> pd.Series:
    """pyreadstat takes floats (NaN = missing), text and datetimes: nullable integers become floats."""
    if isinstance(series.dtype, pd.Int64Dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("Float64").astype(float)
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series
    if series.isna().all():
        return pd.Series(np.nan, index=series.index, dtype=float)
    return series.astype(object).where(series.notna(), None)


CODEBOOK_HEADERS = [
    "Cột",
    "Tên trong SPSS/Stata",
    "Mã câu hỏi",
    "Nội dung câu hỏi",
    "Loại",
    "Lựa chọn (giá trị = nhãn)",
    "Số trong SPSS/Stata",
    "Thuộc (yếu tố / nhóm chính sách)",
    "Có trong các phiên bản",
]


def write_codebook(path: Path, rows: Sequence[Sequence[Any]]) -> None:
    """The codebook workbook: one row per column of the export (CODEBOOK_HEADERS)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    stream_table(
        workbook.create_sheet("codebook"), CODEBOOK_HEADERS, rows, [28, 24, 28, 60, 12, 50, 30, 28, 18]
    )
    workbook.save(path)
