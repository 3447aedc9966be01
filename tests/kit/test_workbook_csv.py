"""Reading CSV lists (kit/tabular/workbook.py): encodings, delimiters, quoted cells, and a broken quote that
must be a clear `file_unreadable` naming its line, never a cell swallowing the rest of the file or a 500."""

import pytest
from django.utils import translation

from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text
from tests.workbooks import cp1258


def read(tmp_path, data: bytes, name="ds.csv", max_rows=1000):
    path = tmp_path / name
    path.write_bytes(data)
    return read_sheets(path, file_name=name, max_bytes=10**6, max_rows=max_rows)


BROKEN = {  # case -> (CSV text, line named)
    "quote-never-closed": ('STT,Họ và tên,Email\n1,Lê An,a@x.vn\n2,"Trần Bình,b@x.vn\n3,Đỗ Chi,c@x.vn\n', 3),
    "text-after-a-closing-quote": ('STT,Họ và tên\n1,"Lê" An\n', 2),
    "quote-never-closed-in-a-long-file": (
        "STT,Họ và tên\n" + '1,"Lê An\n' + "".join(f"{n},Người {n} {'x' * 80}\n" for n in range(2, 3000)),
        2,
    ),
}


@pytest.mark.parametrize(("text", "line"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_quotation_mark_is_file_unreadable_naming_its_line(tmp_path, text, line):
    with translation.override("en"), pytest.raises(UnreadableFile) as caught:
        read(tmp_path, text.encode())
    assert caught.value.code == "file_unreadable"
    assert f"line {line}:" in caught.value.detail and "quotation mark" in caught.value.detail
    with translation.override("vi"), pytest.raises(UnreadableFile) as caught:
        read(tmp_path, text.encode())
    assert f"dòng {line}:" in caught.value.detail


def test_quoted_cells_are_read_as_excel_writes_them(tmp_path):
    text = 'STT;Họ và tên;Điện thoại\n1;"Lê ""Bé"" An";"0912345678\n0214 3840 123"\n2;Trần Bình;"0987, 654"\n'
    [sheet] = read(tmp_path, text.encode())
    assert sheet.rows[1] == ["1", 'Lê "Bé" An', "0912345678\n0214 3840 123"]
    assert sheet.rows[2] == ["2", "Trần Bình", "0987, 654"]
    assert sheet.name == "ds"


def test_a_windows_1258_csv_is_decoded_and_its_combining_accents_composed(tmp_path):
    [sheet] = read(tmp_path, cp1258("STT,Họ và tên\n1,Nguyễn Văn Đức\n"))
    written = sheet.rows[1][1]
    assert written != "Nguyễn Văn Đức" and "\u0303" in written  # "ễ" arrives as "ê" + a combining tilde
    assert clean_text(written) == "Nguyễn Văn Đức"


def test_too_many_rows_stop_the_reading_early(tmp_path):
    text = "".join(f"{n},Người {n}\n" for n in range(20))
    with pytest.raises(UnreadableFile) as caught:
        read(tmp_path, text.encode(), max_rows=5)
    assert caught.value.code == "file_too_large"
