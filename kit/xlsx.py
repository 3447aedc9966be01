"""Writing workbooks that users open in Excel: text stays text (never a live formula), headers formatted."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import cast

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# What a cell holds: the values the exports write (openpyxl takes these types and no others).
CellValue = str | int | float | Decimal | bool | datetime.date | datetime.time | datetime.timedelta | None

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
THIN = Side(style="thin", color="BFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def put(ws: Worksheet, row: int, col: int, value: CellValue) -> Cell:
    """Set a cell; strings are always stored as text, so '=HYPERLINK(...)' from a list is shown, not run."""
    cell = cast(Cell, ws.cell(row=row, column=col))  # a merged cell (MergedCell) would refuse the value
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def write_table(
    ws: Worksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    widths: Sequence[int],
    *,
    first_row: int = 1,
) -> None:
    for col, title in enumerate(headers, start=1):
        cell = put(ws, first_row, col, title)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(rows, start=first_row + 1):
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value).border = BORDER
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = cast(Cell, ws.cell(row=first_row + 1, column=1))
    ws.row_dimensions[first_row].height = 30


def stream_table(
    ws: WriteOnlyWorksheet,
    headers: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    widths: Sequence[int],
    *,
    number_formats: dict[int, str] | None = None,
) -> None:
    """`write_table` for a write-only worksheet (Workbook(write_only=True)): rows go straight to the file,
    so a 100,000-row sheet takes a few MB of memory instead of hundreds. Same text rule and header.

    `number_formats` maps a 1-based column to a format (e.g. {1: "DD/MM/YYYY"}). In write-only mode the
    widths, frozen header and row height must be set before the first row, as done here.
    """
    # types-openpyxl omits the dimensions a write-only sheet gets from Worksheet._setup().
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width  # type: ignore[attr-defined]
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30  # type: ignore[attr-defined]
    header: list[Cell] = []
    for title in headers:
        cell = write_only_cell(ws, title)
        cell.font, cell.fill, cell.border = HEADER_FONT, HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)
    formats = number_formats or {}
    for values in rows:
        cells: list[Cell | CellValue] = []
        for col, value in enumerate(values, start=1):
            # Only strings and formatted columns need a cell object; data cells carry no border, as styling
            # each of a million cells costs a minute in openpyxl.
            if isinstance(value, str) or col in formats:
                cell = write_only_cell(ws, value)
                if col in formats:
                    cell.number_format = formats[col]
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)


def write_only_cell(ws: WriteOnlyWorksheet, value: CellValue) -> Cell:
    """A cell for a write-only worksheet; strings are always stored as text, as in `put`."""
    cell = WriteOnlyCell(ws, value)  # type: ignore[arg-type]  # the stubs leave out date, Decimal and bool
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
