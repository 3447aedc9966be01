"""The streaming xlsx reader (kit/tabular/xlsx_stream.py) gives the rows calamine gives for the same file,
as the walker reads them (a row may stop at its last value where calamine pads it to the sheet's width),
and a streamed sheet walks like the same sheet read whole (D459)."""

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from kit.tabular import xlsx_stream
from kit.tabular.walker import walk_sheets
from kit.tabular.workbook import Sheet, UnreadableFile, read_sheets

from .test_walker import PEOPLE, read_heading


def read(path: Path, *, stream: bool) -> list[Sheet]:
    return read_sheets(
        path, file_name=path.name, max_bytes=10**8, max_rows=10**6, stream_above=0 if stream else None
    )


def trimmed(rows):
    """Rows without their trailing empty cells, and without trailing empty rows."""
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] == "":
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


def same_rows(path: Path) -> None:
    whole, streamed = read(path, stream=False), read(path, stream=True)
    assert [s.name for s in streamed] == [s.name for s in whole]
    for a, b in zip(whole, streamed, strict=True):
        assert b.stream is not None  # really streamed
        got = trimmed(b.iter_rows())
        expected = trimmed(a.rows)
        assert got == expected
        assert [tuple(map(type, r)) for r in got] == [tuple(map(type, r)) for r in expected]
        assert sorted(b.merged) == sorted(a.merged)


def test_values_written_by_openpyxl(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giờ", "Số", "Đúng", None, "Ghi chú"])
    ws.append([1, "Nguyễn Văn An", dt.date(1980, 5, 17), dt.time(7, 30), 0.1, True, None, "  cách  "])
    ws.append([2, "Trần Thị Bình", dt.datetime(2025, 11, 15, 8, 45, 30), dt.time(0, 0, 1), 1e20, False])
    ws.append([])
    ws.append([None, None, None, None, None, None, None, None, None, None, "xa"])
    ws.append([3, "=1+2", dt.date(1900, 1, 1), dt.timedelta(hours=30), -5, None, "", "a_x000D_b"])
    ws["C8"] = dt.date(1900, 2, 28)
    ws["C8"].number_format = "dd/mm/yyyy"
    ws["D8"] = 1.5
    ws["D8"].number_format = "[h]:mm:ss"
    ws["E8"] = 44000
    ws["E8"].number_format = '#,##0" ngày"'
    ws["F8"] = 44000.25
    ws["F8"].number_format = "yyyy-mm-dd hh:mm"
    ws["B9"] = CellRichText(
        [TextBlock(InlineFont(b=True), "Lê "), "Văn ", TextBlock(InlineFont(i=True), "Cường")]
    )
    ws["A12"] = "sau khoảng trống"
    ws.merge_cells("C2:C3")
    ws.merge_cells("A5:B5")
    hidden = wb.create_sheet("Ẩn")
    hidden.append(["không đọc"])
    hidden.sheet_state = "hidden"
    second = wb.create_sheet("Trang 2")
    second["D3"] = "thưa"
    second["B1"] = 7
    path = tmp_path / "ds.xlsx"
    wb.save(path)
    same_rows(path)


def test_write_only_inline_strings(tmp_path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("DS")
    ws.append(["Họ và tên", "Email", "Điện thoại"])
    for i in range(300):
        ws.append([f"Người {i}", f"p{i}@x.vn", 912000000 + i if i % 2 else f"0912 000 {i:03d}"])
    path = tmp_path / "wo.xlsx"
    wb.save(path)
    same_rows(path)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def handmade(
    path: Path,
    sheet_data: str,
    *,
    strings: str = "",
    numfmts: str = "",
    xfs: str = '<xf numFmtId="0"/>',
    date1904: bool = False,
    tail: str = "",
    prefix: str = "",
) -> Path:
    """An xlsx written by hand, for what openpyxl never writes (no r attributes, phonetic runs, t="e"…)."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{_MAIN}"' if prefix else f'xmlns="{_MAIN}"'
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            "sheet."
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_REL}/styles" '
            'Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}workbook {ns} xmlns:r="{_REL}">'
            f"<{p}workbookPr{' date1904="1"' if date1904 else ''}/><{p}sheets>"
            f'<{p}sheet name="Tờ 1" sheetId="1" '
            f'r:id="rId1"/></{p}sheets></{p}workbook>'
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}"><numFmts>{numfmts}</numFmts>'
            f"<cellXfs>{xfs}</cellXfs></styleSheet>"
        ),
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}">{strings}</sst>',
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {ns}><{p}sheetData>{sheet_data}'
            f"</{p}sheetData>{tail}</{p}worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def test_shared_strings_rich_text_phonetic_runs_spaces_and_escapes(tmp_path):
    strings = (
        "<si><t>Họ và tên</t></si>"
        '<si><r><rPr><b/></rPr><t>Nguyễn </t></r><r><t xml:space="preserve"> Văn </t></r><r><t>An</t></r>'
        '<rPh sb="0" eb="1"><t>ふりがな</t></rPh></si>'
        "<si><t>  cắt khoảng trắng \n</t></si>"
        '<si><t xml:space="preserve">  giữ  </t></si>'
        "<si><t>dòng 1_x000D_\ndòng 2 _x005F_ _xZZ00_</t></si>"
        "<si></si>"
        "<si><t>a &amp; b &#7897;</t></si>"
    )
    data = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
        '<row r="3"><c r="B3" t="s"><v>2</v></c><c t="s"><v>3</v></c><c t="s"><v>4</v></c></row>'
        '<row><c t="s"><v>5</v></c><c t="s"><v>6</v></c>'
        '<c r="E4" t="inlineStr"><is><t> nội dòng </t></is></c>'
        '<c t="inlineStr"><is><r><t>giàu</t></r><r><t xml:space="preserve"> chữ</t></r></is></c></row>'
        '<row r="6"><c r="A6" t="b"><v>1</v></c><c r="B6" t="b"><v>0</v></c>'
        '<c r="C6" t="e"><v>#DIV/0!</v></c>'
        '<c r="D6" t="str"><f>A1&amp;"x"</f><v> công thức </v></c><c r="E6"><f>1+1</f><v>2</v></c>'
        '<c r="F6" s="0"/><c r="G6" t="n"><v></v></c><c r="H6"><v>1.5E3</v></c>'
        '<c r="I6"><v> 5 </v></c><c r="J6"><v>abc</v></c>'
        '<c r="K6" s="9"><v>3</v></c></row>'
        '<row r="8" spans="1:3"><c r="A8" s="0"/></row>'
    )
    path = handmade(tmp_path / "hand.xlsx", data, strings=strings)
    same_rows(path)


def test_dates_by_style_in_both_date_systems(tmp_path):
    numfmts = (
        '<numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="[h]:mm"/>'
        '<numFmt numFmtId="166" formatCode="&quot;Y:&quot;0.00"/>'
        '<numFmt numFmtId="167" formatCode="h:mm AM/PM"/>'
        '<numFmt numFmtId="168" formatCode="0.00_);[Red]\\(0.00\\)"/>'
    )
    xfs = "".join(f'<xf numFmtId="{n}"/>' for n in (0, 14, 164, 165, 166, 167, 168, 22, 46, 47, 49))
    values = ["0", "0.5", "1", "59", "60", "61", "45000", "45000.75", "-1", "2958466", "3e6", "0.999999999"]
    rows = "".join(
        f'<row r="{i + 1}">'
        + "".join(f'<c r="{chr(65 + s)}{i + 1}" s="{s}"><v>{v}</v></c>' for s in range(12))
        + "</row>"
        for i, v in enumerate(values)
    )
    same_rows(handmade(tmp_path / "d1900.xlsx", rows, xfs=xfs, numfmts=numfmts))
    same_rows(handmade(tmp_path / "d1904.xlsx", rows, xfs=xfs, numfmts=numfmts, date1904=True))


def test_prefixed_namespace_and_merged_cells(tmp_path):
    data = '<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:t>tiền tố</x:t></x:is></x:c></x:row>'
    tail = '<x:mergeCells count="2"><x:mergeCell ref="B2:B5"/><x:mergeCell ref="C7:E7"/></x:mergeCells>'
    same_rows(handmade(tmp_path / "x.xlsx", data, prefix="x", tail=tail))


CUSTOM_FORMATS = ["dd/mm/yy", "[h]:mm:ss", "mm:ss", "0.00", '"d"0', "\\d0", "[Red]0", "AM/PM h"]
CUSTOM_FORMATS += ["[$-42A]dd mmmm yyyy", "General", "h:mm;@", "0;[h]", "[mm]:ss", "@"]


@pytest.mark.parametrize("custom", CUSTOM_FORMATS)
def test_custom_formats_read_like_calamine(tmp_path, custom):
    code = custom.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    path = handmade(
        tmp_path / "f.xlsx",
        '<row r="1"><c r="A1" s="1"><v>45000.5</v></c><c r="B1" s="1"><v>0.25</v></c></row>',
        numfmts=f'<numFmt numFmtId="200" formatCode="{code}"/>',
        xfs='<xf numFmtId="0"/><xf numFmtId="200"/>',
    )
    same_rows(path)


cell_values = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)).map(lambda d: d.replace(microsecond=0)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell_values, max_size=8), max_size=12), shared=st.booleans())
def test_any_sheet_openpyxl_writes(tmp_path, rows, shared):
    wb = Workbook(write_only=not shared)
    ws = wb.create_sheet("S") if not shared else wb.active
    for row in rows:
        ws.append([v.strip() or None if isinstance(v, str) and v.startswith("=") else v for v in row])
    path = tmp_path / "any.xlsx"
    wb.save(path)
    same_rows(path)


def walked(sheets):
    errors, warnings = [], []
    seen = []
    for sheet_walk in walk_sheets(
        sheets, PEOPLE, file_name="ds.xlsx", errors=errors, warnings=warnings, heading=read_heading
    ):
        for row, _cells, texts in sheet_walk:
            seen.append((row, texts, dict(sheet_walk.context)))
    return seen, [e.as_dict() for e in errors], [w.as_dict() for w in warnings]


def test_a_streamed_sheet_walks_like_the_whole_sheet(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH"])
    ws.append([])
    ws.append(["STT", "Họ và tên", "Nhóm", "Điện thoại", "Email", "Đơn vị"])
    ws.append(["I. ĐẠI BIỂU HĐND TỈNH"])
    for n in range(1, 9):
        ws.append(
            [n, f"Người {n}", None, f"09120000{n:02d}", f"p{n}@x.vn", "Sở Tư pháp" if n in (1, 5) else None]
        )
    ws.merge_cells("F5:F8")  # the unit, merged down in the last column: the rows below have no cell there
    ws.merge_cells("F9:F12")
    ws.append(["", "Tổng cộng"])
    ws.append([99, "Sau tổng", None, "0912999999", "z@x.vn"])
    path = tmp_path / "walk.xlsx"
    wb.save(path)
    whole = walked(read(path, stream=False))
    streamed = walked(read(path, stream=True))
    assert streamed[1:] == whole[1:]
    assert [(r, [t for t in texts if t], c) for r, texts, c in streamed[0]] == [
        (r, [t for t in texts if t], c) for r, texts, c in whole[0]
    ]
    assert [texts[5] for _r, texts, _c in whole[0]][:4] == ["Sở Tư pháp"] * 4


def test_too_many_rows_or_a_damaged_sheet_is_found_while_streaming(tmp_path):
    wb = Workbook()
    for n in range(30):
        wb.active.append([n])
    path = tmp_path / "big.xlsx"
    wb.save(path)
    sheets = read_sheets(path, file_name="big.xlsx", max_bytes=10**8, max_rows=20, stream_above=0)
    with pytest.raises(UnreadableFile) as raised:
        list(sheets[0].iter_rows())
    assert raised.value.code == "file_too_large"
    broken = handmade(tmp_path / "broken.xlsx", '<row r="1"><c r="A1" t="s"><v>7</v></c></row>')
    sheets = read_sheets(broken, file_name="broken.xlsx", max_bytes=10**8, max_rows=20, stream_above=0)
    with pytest.raises(UnreadableFile) as raised:
        list(sheets[0].iter_rows())
    assert raised.value.code == "file_unreadable"


def test_custom_format_rules():
    assert xlsx_stream.custom_format("dd/mm/yyyy") == xlsx_stream.DATETIME
    assert xlsx_stream.custom_format("[h]:mm:ss") == xlsx_stream.DURATION
    assert xlsx_stream.custom_format('#,##0" ngày"') == xlsx_stream.OTHER
