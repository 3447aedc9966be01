"""Streamed sheets (kit/tabular/workbook.py, D428) give the rows to_python() gives, and the walker reads
them as it reads a list: same rows, cells, merged fill-down and problems."""

import pytest
from openpyxl import Workbook

from kit.tabular.walker import walk_sheets
from kit.tabular.workbook import STREAM_HEAD_ROWS, StreamedRows, read_sheets
from respondents.services.headers import LAYOUT
from tests.workbooks import STANDARD_HEADER, person, write_xlsx


def _read(path, stream):
    return read_sheets(path, file_name=path.name, max_bytes=10**7, max_rows=10**6, stream=stream)


def _offset_workbook(path, first_row, first_column, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "DS"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.cell(row=first_row + r, column=first_column + c, value=value)
    workbook.save(path)
    return path


@pytest.mark.parametrize(("first_row", "first_column"), [(1, 1), (3, 1), (1, 3), (5, 4), (30, 2)])
@pytest.mark.parametrize("count", [0, 5, STREAM_HEAD_ROWS - 2, STREAM_HEAD_ROWS, 60])
def test_streamed_rows_are_the_rows_to_python_gives(tmp_path, first_row, first_column, count):
    rows = [STANDARD_HEADER, *(person(n) for n in range(1, count + 1)), [None, None, "Tổng cộng", None, 3]]
    path = _offset_workbook(tmp_path / "ds.xlsx", first_row, first_column, rows)
    [listed], [streamed] = _read(path, False), _read(path, True)
    assert isinstance(streamed.rows, StreamedRows)
    assert len(streamed.rows) == len(listed.rows)
    assert streamed.rows[: min(STREAM_HEAD_ROWS, len(listed.rows))] == listed.rows[:STREAM_HEAD_ROWS]
    assert list(streamed.rows) == listed.rows


def test_a_streamed_sheet_is_read_once_and_only_its_head_by_index(tmp_path):
    rows = [STANDARD_HEADER, *(person(n) for n in range(1, 40))]
    [sheet] = _read(write_xlsx(tmp_path / "ds.xlsx", {"DS": rows}), True)
    assert sheet.rows[0][1] == "Họ và tên"
    with pytest.raises(IndexError):
        sheet.rows[STREAM_HEAD_ROWS + 1]
    assert len(list(sheet.rows.from_row(30))) == 10
    with pytest.raises(RuntimeError):
        list(sheet.rows)


def test_walker_reads_a_streamed_sheet_as_a_list_merged_cells_included(tmp_path):
    rows = [["DANH SÁCH"], [], STANDARD_HEADER]
    rows += [person(n, unit="Sở Tư pháp" if n % 5 == 1 else None) for n in range(1, 41)]
    rows += [["", "Tổng cộng", "40 người"], ["", "NGƯỜI LẬP BIỂU"], person(99)]
    merges = {"DS": [f"D{r}:D{r + 4}" for r in range(4, 44, 5)] + ["A1:G1"]}
    path = write_xlsx(tmp_path / "ds.xlsx", {"DS": rows}, merges)
    walked = {}
    for stream in (False, True):
        errors, warnings = [], []
        [walk] = walk_sheets(
            _read(path, stream), LAYOUT, file_name="ds.xlsx", errors=errors, warnings=warnings
        )
        walked[stream] = ([(r, list(c), t) for r, c, t in walk], errors, warnings)
    assert walked[True] == walked[False]
    data = walked[True][0]
    assert len(data) == 40 and all(texts[3] == "Sở Tư pháp" for _r, _c, texts in data)
