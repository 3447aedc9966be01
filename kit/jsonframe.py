"""JSON objects, as the database stores them, into one DataFrame: one row per object, one column per key.

`object_frame` gives what `pandas.DataFrame.from_records([json.loads(t) for t in texts])` gives, with a
null answer and an absent key both blank, but parsed by pyarrow's JSON reader (C++, several threads, no
Python object per value): on 100,000 answers of 60 questions about a third of the time and a small part of
the memory of the Python objects. Whatever the reader would change is read the Python way instead, so the
frame never depends on which path read it (docs/decisions.md D453):

- a key whose values mix kinds (a number in one row, text in the next) or objects (nested answers): the
  reader refuses or fills the absent sub-keys;
- text the reader would turn into timestamps ("2026-05-01"): read again as text;
- whole numbers beyond 2**53 the reader would round to floating point.
"""

import io
import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

EXACT_FLOAT = 2**53


def object_frame(texts: Sequence[str | None], *, index: Sequence[object] | None = None) -> pd.DataFrame:
    """One row per JSON object text (None or a blank text is an empty object), one column per key in the
    order the keys first appear; `index` labels the rows."""
    rows = len(texts)
    objects: list[str] = [t if t else "{}" for t in texts]
    frame = _arrow(objects) if objects and all(t.lstrip().startswith("{") for t in objects) else None
    if frame is None:
        frame = pd.DataFrame.from_records([json.loads(t) for t in objects])
        if len(frame) != rows:  # objects with no key at all
            frame = pd.DataFrame(index=pd.RangeIndex(rows))
    if index is not None:
        frame.index = pd.Index(index)
    return frame


def _arrow(texts: list[str]) -> pd.DataFrame | None:
    import pyarrow as pa
    import pyarrow.json as pa_json

    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1 or "\r" in joined:  # line breaks between a text's tokens
        joined = "\n".join(t.replace("\n", " ").replace("\r", " ") for t in texts)
    data = joined.encode()
    read = pa_json.ReadOptions(block_size=max(1 << 20, min(len(data) // 4 + 1, 1 << 26)))
    try:
        table = pa_json.read_json(io.BytesIO(data), read_options=read)
        stamps = [f.name for f in table.schema if pa.types.is_timestamp(f.type) or pa.types.is_date(f.type)]
        if stamps:  # what looked like dates stays the text it was
            schema = pa.schema([pa.field(name, pa.string()) for name in stamps])
            parse = pa_json.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
            table = pa_json.read_json(io.BytesIO(data), read_options=read, parse_options=parse)
    except pa.ArrowInvalid:  # kinds mixed within a key
        return None
    if table.num_rows != len(texts):
        return None
    columns: dict[str, pd.Series] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        kind = column.type
        if pa.types.is_struct(kind) or pa.types.is_map(kind) or pa.types.is_timestamp(kind):
            return None
        if pa.types.is_list(kind):
            if not _plain(kind.value_type):
                return None
            columns[name] = pd.Series(column.to_pylist(), dtype=object)
        elif pa.types.is_null(kind):
            columns[name] = pd.Series([None] * len(column), dtype=object)
        else:
            series = column.to_pandas()
            if pa.types.is_floating(kind) and _beyond_exact(series):
                return None
            columns[name] = series
    return pd.DataFrame(columns, index=pd.RangeIndex(len(texts)))


def _plain(kind: object) -> bool:
    import pyarrow as pa

    return any(
        test(kind)
        for test in (pa.types.is_string, pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean)
    ) or pa.types.is_null(kind)


def _beyond_exact(series: pd.Series) -> bool:
    values = series.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    return bool(np.any(np.abs(finite) >= EXACT_FLOAT))
