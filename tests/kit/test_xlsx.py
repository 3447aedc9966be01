"""kit.xlsx: text stays text in every workbook writer (never a formula, an error value, a link or a number),
and the large-table writer keeps values, dates and the frozen header."""

import datetime
import math

from openpyxl import Workbook, load_workbook

from kit.xlsx import HEADER_BACKGROUND, not_plain_text, stream_table, write_large_table

TRICKY = ["=1+1", '=HYPERLINK("http://x","y")', "#N/A", "http://example.vn", "0123", "1.5", "Hà Nội", "="]


def test_the_large_table_writer_keeps_text_as_text_and_values_as_they_are(tmp_path):
    path = tmp_path / "large.xlsx"
    when = datetime.datetime(2026, 10, 1, 7, 5, 3)
    rows = [[text, i, i + 0.5, True, when, datetime.date(2026, 10, 2), None] for i, text in enumerate(TRICKY)]
    rows.append(["a\x01b", math.inf, None, False, None, None, "cuối"])
    write_large_table(
        path,
        sheet="data",
        headers=["Chữ", "Số", "Thập phân", "Có", "Lúc", "Ngày", "Khác"],
        rows=rows,
        widths=[14] * 7,
    )
    sheet = load_workbook(path)["data"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].value == "Chữ" and sheet["A1"].font.b
    assert sheet["A1"].fill.fgColor.rgb.endswith(HEADER_BACKGROUND)  # the other workbooks' header colour
    for r, text in enumerate(TRICKY, start=2):
        cell = sheet.cell(row=r, column=1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert sheet.cell(row=r, column=2).value == r - 2 and sheet.cell(row=r, column=3).value == r - 1.5
        assert sheet.cell(row=r, column=4).value is True
        assert sheet.cell(row=r, column=5).value == when
        assert sheet.cell(row=r, column=6).value == datetime.datetime(2026, 10, 2)
        assert sheet.cell(row=r, column=7).value is None
    last = len(TRICKY) + 2
    assert sheet.cell(row=last, column=1).data_type == "s"  # a control character does not break the file
    assert sheet.cell(row=last, column=2).value == "inf"  # as CSV writes it; not a formula, not a failure
    assert sheet.cell(row=last, column=7).value == "cuối"


def test_the_write_only_writer_keeps_text_as_text(tmp_path):
    path = tmp_path / "stream.xlsx"
    workbook = Workbook(write_only=True)
    stream_table(workbook.create_sheet("s"), ["Chữ", "Số"], [[t, 1] for t in TRICKY], [14, 8])
    workbook.save(path)
    sheet = load_workbook(path)["s"]
    for r, text in enumerate(TRICKY, start=2):
        assert (sheet.cell(row=r, column=1).value, sheet.cell(row=r, column=1).data_type) == (text, "s")


def test_only_formulas_and_error_values_need_a_text_cell_of_their_own():
    assert [not_plain_text(t) for t in TRICKY] == [True, True, True, False, False, False, False, False]
