"""Finding the header row of a sheet, one row or two (merged group titles over their columns), among its
first rows, and the columns of each field of a Layout."""

from collections.abc import Sequence
from dataclasses import dataclass

from .layout import Layout

HEADER_SEARCH_ROWS = 20


@dataclass
class Header:
    row: int  # 0-based index of the last header row; data starts on the next row
    columns: dict[str, list[int]]  # field -> column indexes (0-based), preferred ones first
    labels: dict[int, str]  # column index -> header text as written (" / " between the rows of two)

    def first(self, field: str) -> int | None:
        cols = self.columns.get(field)
        return cols[0] if cols else None


def find_header(rows: Sequence[Sequence[object]], layout: Layout) -> Header | None:
    """The best header among the first HEADER_SEARCH_ROWS rows: the most recognised fields, and on a tie
    the single-row reading; a two-row header is read column by column, its lower row first."""
    best: tuple[int, int, Header] | None = None
    limit = min(HEADER_SEARCH_ROWS, len(rows))
    for r in range(limit):
        for span in (1, 2):
            if r + span > len(rows):
                continue
            header = _header_from(rows[r : r + span], r + span - 1, layout)
            score = len(header.columns)
            if score < layout.min_fields or any(f not in header.columns for f in layout.required):
                continue
            if best is None or (score, -span) > (best[0], -best[1]):
                best = (score, span, header)
        if best is not None and r > best[2].row + 1:
            break
    return best[2] if best else None


def _header_from(block: Sequence[Sequence[object]], last_row: int, layout: Layout) -> Header:
    width = max((len(row) for row in block), default=0)
    columns: dict[str, list[int]] = {}
    labels: dict[int, str] = {}
    for col in range(width):
        texts = [_label(row[col]) for row in block if col < len(row) and _label(row[col])]
        field = None
        for text in reversed(texts):  # the lower row of a two-row header is the specific one
            field = layout.classify(text)
            if field:
                break
        if field:
            columns.setdefault(field, []).append(col)
            labels[col] = " / ".join(texts)
    for field, cols in columns.items():
        if len(cols) > 1 and field in layout.preferred:
            cols.sort(key=lambda c: 0 if layout.is_preferred(field, labels[c]) else 1)
    return Header(row=last_row, columns=columns, labels=labels)


def _label(value: object) -> str:
    return "" if value is None else str(value).strip()
