"""Writing workbooks that users open in Excel: text stays text (never a live formula), headers formatted."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from math import isfinite
from pathlib import Path
from typing import cast

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# What a cell holds: the values the exports write (openpyxl takes these types and no others).
CellValue = str | int | float | Decimal | bool | datetime.date | datetime.time | datetime.timedelta | None

# The header's colours, for openpyxl (below) and XlsxWriter (write_large_table) alike.
HEADER_TEXT, HEADER_BACKGROUND, GRID = "FFFFFF", "1F4E78", "BFBFBF"
HEADER_FONT = Font(bold=True, color=HEADER_TEXT)
HEADER_FILL = PatternFill("solid", fgColor=HEADER_BACKGROUND)
THIN = Side(style="thin", color=GRID)
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
            # Only text openpyxl would store as something else and formatted columns need a cell object of
            # their own (openpyxl stores other text as text); data cells carry no border, as styling each of
            # a million cells costs a minute in openpyxl.
            if col in formats or (isinstance(value, str) and not_plain_text(value)):
                cell = write_only_cell(ws, value)
                if col in formats:
                    cell.number_format = formats[col]
                cells.append(cell)
            else:
                cells.append(value)
        ws.append(cells)


def not_plain_text(value: str) -> bool:
    """Whether openpyxl, given this text, would store a formula ("=…") or an error value ("#N/A")."""
    return (len(value) > 1 and value[0] == "=") or value in ERROR_CODES


def write_large_table(
    path: Path,
    *,
    sheet: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    widths: Sequence[int],
) -> None:
    """A one-sheet workbook of many rows (an analyst's export: millions of cells) through XlsxWriter in its
    constant-memory mode, about a third faster than openpyxl's write-only mode (docs/decisions.md D455).
    Same rules as the other workbooks: text is always written as text (never a formula, a link or a
    number), the header formatted and frozen. Dates get a date-and-time format. Text beyond Excel's
    32,767 characters a cell is cut there (CSV and Parquet keep it whole)."""
    import xlsxwriter

    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(str(path), options) as workbook:
        ws = workbook.add_worksheet(sheet)
        header = workbook.add_format(
            {
                "bold": True,
                "font_color": f"#{HEADER_TEXT}",
                "bg_color": f"#{HEADER_BACKGROUND}",
                "border": 1,
                "border_color": f"#{GRID}",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        stamp = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        day = workbook.add_format({"num_format": "dd/mm/yyyy"})
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.set_row(0, 30)
        for col, title in enumerate(headers):
            ws.write_string(0, col, title, header)
        write_string, write_number = ws.write_string, ws.write_number
        for r, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                if value is None:
                    continue
                kind = type(value)
                if kind is str:
                    write_string(r, col, value)
                elif kind is int:
                    write_number(r, col, value)
                elif isinstance(value, float):  # infinite or NaN: as CSV writes it ("inf"), not a formula
                    write_number(r, col, value) if isfinite(value) else write_string(r, col, str(value))
                elif isinstance(value, bool):
                    ws.write_boolean(r, col, value)
                elif isinstance(value, datetime.datetime):
                    ws.write_datetime(r, col, value, stamp)
                elif isinstance(value, datetime.date):
                    ws.write_datetime(r, col, value, day)
                elif isinstance(value, str):
                    write_string(r, col, str(value))
                else:
                    write_number(r, col, float(value))  # type: ignore[arg-type]  # Decimal, numpy


def write_only_cell(ws: WriteOnlyWorksheet, value: CellValue) -> Cell:
    """A cell for a write-only worksheet; strings are always stored as text, as in `put`."""
    cell = WriteOnlyCell(ws, value)  # type: ignore[arg-type]  # the stubs leave out date, Decimal and bool
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
