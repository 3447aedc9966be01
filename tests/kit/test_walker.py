"""The sheet walker every list importer uses (kit/tabular): header search, headings, totals, merged cells,
duplicates and the problems it reports, on plain rows as calamine reads them (no database, no file)."""

import pytest

from kit.tabular.headers import find_header
from kit.tabular.layout import Layout
from kit.tabular.walker import Duplicates, walk_sheets
from kit.tabular.workbook import Sheet
from kit.text import match_key

PEOPLE = Layout(
    labels={
        "stt": ["stt", "tt"],
        "email": ["*email*"],
        "phone": ["*dien thoai*", "sdt"],
        "name": ["*ho va ten*", "*ho ten*", "name"],
        "group": ["*nhom*"],
        "unit": ["*don vi*"],
    },
    fallback={"name": ["ten *"]},
    names={"name": "Họ và tên", "unit": "Đơn vị", "phone": "Điện thoại", "email": "Email"},
    required=("name",),
    min_fields=3,
    data_fields=("email", "phone"),
    fill_down=("unit", "group"),
)
GROUPS = {"dai bieu hdnd tinh": "hdnd", "lanh dao so ban nganh": "dept", "lanh dao cap phong thuoc so": "div"}
UNITS = {"so tu phap": "STP", "so noi vu": "SNV"}


def read_heading(title):
    key = match_key(title)
    group, unit = GROUPS.get(key), UNITS.get(key)
    return {"group": group, "unit": unit} if group or unit else None


H = ["STT", "Họ và tên", "Đơn vị", "Nhóm", "Điện thoại", "Email"]


def p(n, unit="", group=""):
    return [n, f"Người {n}", unit, group, f"09120000{n:02d}", f"p{n}@x.vn"]


def cells(rows):
    """Rows as calamine gives them: every row as wide as the sheet, "" for an empty cell."""
    width = max(len(r) for r in rows)
    return [["" if v is None else v for v in r] + [""] * (width - len(r)) for r in rows]


def ranges(merges):
    """'A2:F2' -> ((1, 0), (1, 5)), 0-based and inclusive like calamine."""

    def cell(ref):
        letters = "".join(ch for ch in ref if ch.isalpha())
        return int(ref[len(letters) :]) - 1, ord(letters) - 65

    return [tuple(cell(ref) for ref in m.split(":")) for m in merges]


def walk(rows, merges=(), *, name="Danh sách", sheets=None):
    """(data rows as (Excel row, name, group, unit), error codes, warnings as (code, row))."""
    errors, warnings = [], []
    sheets = sheets or [Sheet(name=name, rows=cells(rows), merged=ranges(merges))]
    seen = []
    for sheet_walk in walk_sheets(
        sheets, PEOPLE, file_name="ds.xlsx", errors=errors, warnings=warnings, heading=read_heading
    ):
        for row, _cells, texts in sheet_walk:
            context = sheet_walk.context
            seen.append((row, sheet_walk.text(texts, "name"), context.get("group"), context.get("unit")))
    return seen, [e.code for e in errors], [(w.code, w.row) for w in warnings]


SIGNATURES = [[None], [None, "NGƯỜI LẬP BIỂU", None, "THỦ TRƯỞNG ĐƠN VỊ"], [None, "Trần Văn Ký"]]
LAYOUTS = {  # case -> (rows, merged ranges, data rows as (Excel row, name, group, unit), warnings)
    "header-on-row-6": (
        [
            ["UBND TỈNH LÀO CAI"],
            ["SỞ TƯ PHÁP"],
            [None],
            ["DANH SÁCH"],
            ["(Kèm theo Công văn số 12)"],
            H,
            p(1),
        ],
        ["A4:F4"],
        [(7, "Người 1", None, None)],
        [],
    ),
    "two-row-header-with-merged-group-title": (
        [
            ["STT", "Họ và tên", "Đơn vị", "Nhóm", "Thông tin liên hệ"],
            [None, None, None, None, "SĐT", "Email"],
            p(1),
        ],
        ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"],
        [(3, "Người 1", None, None)],
        [],
    ),
    "numbering-row": (
        [H, ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"], p(1)],
        [],
        [(3, "Người 1", None, None)],
        [],
    ),
    "numbering-row-without-brackets": ([H, [1, 2, 3, 4, 5, 6], p(1)], [], [(3, "Người 1", None, None)], []),
    "blank-rows": (
        [H, [], p(1), [None] * 6, [None], p(2)],
        [],
        [(3, "Người 1", None, None), (6, "Người 2", None, None)],
        [],
    ),
    "unused-numbered-rows-of-a-form": ([H, p(1), [2], [3], [4]], [], [(2, "Người 1", None, None)], []),
    "heading-in-stt-merged-across-numbering-restarting": (
        [
            H,
            ["I. ĐẠI BIỂU HĐND TỈNH"],
            p(1),
            p(2),
            ["II. LÃNH ĐẠO SỞ, BAN, NGÀNH"],
            p(1),
            ["III. LÃNH ĐẠO CẤP PHÒNG THUỘC SỞ"],
            p(1),
        ],
        ["A2:F2", "A5:F5", "A7:F7"],
        [
            (3, "Người 1", "hdnd", None),
            (4, "Người 2", "hdnd", None),
            (6, "Người 1", "dept", None),
            (8, "Người 1", "div", None),
        ],
        [],
    ),
    "heading-in-the-name-column": (
        [H, [None, "LÃNH ĐẠO SỞ, BAN, NGÀNH"], p(1)],
        [],
        [(3, "Người 1", "dept", None)],
        [],
    ),
    "heading-in-the-unit-column": (
        [H, [None, None, "SỞ NỘI VỤ"], p(1)],
        [],
        [(3, "Người 1", None, "SNV")],
        [],
    ),
    "heading-numbered-in-its-own-cell": (
        [H, ["I", "ĐẠI BIỂU HĐND TỈNH"], p(1)],
        [],
        [(3, "Người 1", "hdnd", None)],
        [],
    ),
    "units-under-a-group-section": (
        [H, ["I", "LÃNH ĐẠO SỞ, BAN, NGÀNH"], ["1", "Sở Tư pháp"], p(1), ["2", "Sở Nội vụ"], p(2)],
        [],
        [(4, "Người 1", "dept", "STP"), (6, "Người 2", "dept", "SNV")],
        [],
    ),
    "a-new-section-ends-the-unit-of-the-last": (
        [H, ["A", "Sở Tư pháp"], p(1), ["II", "LÃNH ĐẠO CẤP PHÒNG THUỘC SỞ"], p(2)],
        [],
        [(3, "Người 1", None, "STP"), (5, "Người 2", "div", None)],
        [],
    ),
    "unrecognised-roman-heading-ends-the-section": (
        [H, ["I", "ĐẠI BIỂU HĐND TỈNH"], p(1), ["II", "ĐỐI TƯỢNG KHÁC"], p(2)],
        [],
        [(3, "Người 1", "hdnd", None), (5, "Người 2", None, None)],
        [("heading_unrecognised", 4)],
    ),
    "unrecognised-letter-heading-keeps-the-section": (
        [H, ["I", "ĐẠI BIỂU HĐND TỈNH"], ["a", "Thường trực HĐND"], p(1)],
        [],
        [(4, "Người 1", "hdnd", None)],
        [("heading_unrecognised", 3)],
    ),
    "unrecognised-title-merged-across": (
        [H, p(1), ["DANH SÁCH BỔ SUNG"], p(2)],
        ["A3:F3"],
        [(2, "Người 1", None, None), (4, "Người 2", None, None)],
        [("heading_unrecognised", 3)],
    ),
    "person-with-a-number-and-a-name-only-is-a-row": (
        [H, [1, "Nguyễn Văn An"]],
        [],
        [(2, "Nguyễn Văn An", None, None)],
        [],
    ),
    "totals-line-then-signature-block": (
        [H, p(1), p(2), [None, "Tổng cộng: 02 người"], *SIGNATURES],
        [],
        [(2, "Người 1", None, None), (3, "Người 2", None, None)],
        [],
    ),
    "totals-in-the-first-column-merged": (
        [H, p(1), ["Tổng cộng", None, 1], *SIGNATURES],
        ["A3:B3"],
        [(2, "Người 1", None, None)],
        [],
    ),
    "subtotal-per-section-then-the-next-section": (
        [
            H,
            ["I", "ĐẠI BIỂU HĐND TỈNH"],
            p(1),
            [None, "Cộng: 1"],
            ["II", "LÃNH ĐẠO SỞ, BAN, NGÀNH"],
            p(2),
            [None, "Cộng"],
            [None, "Tổng cộng: 2"],
            *SIGNATURES,
        ],
        [],
        [(3, "Người 1", "hdnd", None), (6, "Người 2", "dept", None)],
        [],
    ),
    "people-under-the-totals-line-are-reported": (
        [H, p(1), [None, "Tổng cộng"], p(2), *SIGNATURES],
        [],
        [(2, "Người 1", None, None)],
        [("rows_after_totals", 3)],
    ),
    "signature-block-without-a-totals-line": ([H, p(1), *SIGNATURES], [], [(2, "Người 1", None, None)], []),
    "place-and-date-line-starts-the-signatures": (
        [H, p(1), [None, None, None, "Lào Cai, ngày 15 tháng 11 năm 2025"], [None, None, None, "GIÁM ĐỐC"]],
        [],
        [(2, "Người 1", None, None)],
        [],
    ),
    "signature-words-in-a-contact-column-are-not-contact-details": (
        [
            H,
            p(1),
            [None, "Tổng cộng"],
            [None, "NGƯỜI LẬP BIỂU", None, None, None, "GIÁM ĐỐC"],
            [None, "Trần Ký"],
        ],
        [],
        [(2, "Người 1", None, None)],
        [],
    ),
    "person-without-contacts-is-still-a-row": (
        [H, [1, "Nguyễn Văn An", "Sở Tư pháp", "Giám đốc"]],
        [],
        [(2, "Nguyễn Văn An", None, None)],
        [],
    ),
    "tổng-công-ty-is-an-organisation-not-a-total": (
        [H, [None, "Tổng công ty Điện lực", "Sở Tư pháp"], p(2)],
        [],
        [(2, "Tổng công ty Điện lực", None, None), (3, "Người 2", None, None)],
        [],
    ),
}


@pytest.mark.parametrize(("rows", "merges", "expected", "warnings"), LAYOUTS.values(), ids=LAYOUTS.keys())
def test_the_walker_gives_the_data_rows_and_what_the_headings_above_them_say(
    rows, merges, expected, warnings
):
    seen, errors, said = walk(rows, merges)
    assert (seen, errors, said) == (expected, [], warnings)


def test_vertically_merged_cells_are_copied_into_every_row_they_cover():
    rows = [H, p(1, unit="Sở Nội vụ", group="Lãnh đạo sở"), p(2), p(3), p(4, unit="Sở Tư pháp")]
    sheet = Sheet(name="S", rows=cells(rows), merged=ranges(["C2:C4", "D2:D5", "B2:B3"]))
    [sheet_walk] = walk_sheets([sheet], PEOPLE, file_name="ds.xlsx", errors=[], warnings=[])
    read = [
        (sheet_walk.text(t, "name"), sheet_walk.text(t, "unit"), sheet_walk.text(t, "group"))
        for _, _, t in sheet_walk
    ]
    assert read == [
        ("Người 1", "Sở Nội vụ", "Lãnh đạo sở"),
        ("Người 2", "Sở Nội vụ", "Lãnh đạo sở"),  # the name column is not filled down
        ("Người 3", "Sở Nội vụ", "Lãnh đạo sở"),
        ("Người 4", "Sở Tư pháp", "Lãnh đạo sở"),
    ]


def test_a_sheet_named_after_a_unit_places_its_rows():
    assert walk([H, p(1)], name="SỞ NỘI VỤ")[0] == [(2, "Người 1", None, "SNV")]


def test_a_heading_under_a_sheet_named_after_a_unit_does_not_end_the_sheets_unit():
    rows = [H, ["I", "ĐỐI TƯỢNG KHÁC"], p(1)]
    assert walk(rows, name="Sở Tư pháp")[0] == [(3, "Người 1", None, "STP")]


def test_a_sheet_without_a_header_is_skipped_with_a_warning_and_no_sheet_with_one_is_no_header():
    sheets = [
        Sheet(name="Hướng dẫn", rows=cells([["Gửi về Sở Nội vụ trước 10/12"]])),
        Sheet(name="Trống", rows=[]),
        Sheet(name="DS", rows=cells([H, p(1)])),
    ]
    seen, errors, warnings = walk(None, sheets=sheets)
    assert (seen, errors, warnings) == ([(2, "Người 1", None, None)], [], [("sheet_skipped", None)])
    errors, warnings = [], []
    walks = walk_sheets(sheets[:2], PEOPLE, file_name="ds.xlsx", errors=errors, warnings=warnings)
    assert walks == [] and [e.code for e in errors] == ["no_header"]
    assert "Họ và tên, Đơn vị, Điện thoại, Email" in errors[0].message and "20" in errors[0].message


@pytest.mark.parametrize(
    ("rows", "header_row"),
    [
        ([["x"]] * 19 + [H], 19),  # on row 20: still found
        ([["x"]] * 21 + [H], None),  # on row 22: not looked for (a two-row header may start on row 20)
        ([["STT", "Họ và tên", "Ghi chú"]], None),  # the name and one other field: not a header
        ([["Đơn vị", "Điện thoại", "Email"]], None),  # no name column
        ([["Liên hệ"], H], 1),  # the best-scoring row, not the first that names something
    ],
    ids=["row-20", "row-22", "too-few-fields", "no-required-field", "best-row"],
)
def test_the_header_is_searched_in_the_first_20_rows_and_needs_the_required_fields(rows, header_row):
    header = find_header(cells(rows), PEOPLE)
    assert (header.row if header else None) == header_row


def test_two_row_header_reads_the_lower_row_first_and_keeps_both_as_the_label():
    rows = cells([["STT", "Họ và tên", "Liên hệ", None, "Đơn vị"], [None, None, "Điện thoại", "Email", None]])
    header = find_header(rows, PEOPLE)
    assert header.row == 1
    assert header.columns == {"stt": [0], "name": [1], "phone": [2], "email": [3], "unit": [4]}
    assert header.labels[2] == "Liên hệ / Điện thoại"


LABELS = {  # label -> field, for the patterns of PEOPLE
    "Họ và tên": "name",  # contains
    "HỌ VÀ TÊN ĐẠI BIỂU": "name",
    "Tên đơn vị": "unit",  # "ten *" is a fallback: the unit column wins
    "Tên người": "name",
    "Số điện thoại di động": "phone",
    "Địa chỉ email": "email",  # email comes before the rest
    "SĐT": "phone",  # exact
    "SĐT2": None,  # exact means exact
    "Ghi chú": None,
    "": None,
}


@pytest.mark.parametrize(("label", "field"), LABELS.items())
def test_layout_patterns_match_whole_labels_prefixes_or_words_in_order(label, field):
    assert PEOPLE.classify(label) == field


def test_preferred_labels_put_their_column_first():
    layout = Layout(
        labels={"name": ["name"], "phone": ["*dien thoai*"]},
        names={},
        preferred={"phone": ["*di dong*"]},
    )
    header = find_header(cells([["Name", "Điện thoại cơ quan", "Điện thoại di động"]]), layout)
    assert header.columns["phone"] == [2, 1]


def test_problems_name_the_file_sheet_row_and_column_and_lengths_are_checked():
    sheet = Sheet(name="DS", rows=cells([["Mở đầu"], H, p(1)]))
    [sheet_walk] = walk_sheets([sheet], PEOPLE, file_name="ds.xlsx", errors=[], warnings=[])
    found = sheet_walk.problem("email_invalid", 3, "email", value="sai")
    assert (found.file, found.sheet, found.row, found.column, found.field) == (
        "ds.xlsx",
        "DS",
        3,
        "F",
        "email",
    )
    assert sheet_walk.too_long(3, "name", "x" * 10, 10) is None
    long = sheet_walk.too_long(3, "name", "x" * 300, 200)
    assert (long.code, long.column, long.row) == ("value_too_long", "B", 3)
    assert "Họ và tên" in long.message and "300" in long.message and "200" in long.message
    assert len(long.value) <= 80  # a runaway cell does not fill the report
    no_phone = Sheet(name="DS", rows=cells([["STT", "Họ và tên", "Đơn vị", "Email"]]))
    [sheet_walk] = walk_sheets([no_phone], PEOPLE, file_name="ds.xlsx", errors=[], warnings=[])
    [missing] = sheet_walk.missing(["name", "phone", "email"])
    assert (missing.code, missing.field, missing.row) == ("column_missing", "phone", None)
    assert missing.column == "Điện thoại" and "Điện thoại" in missing.message  # its usual header


def test_duplicates_name_the_place_a_key_was_first_seen():
    seen = Duplicates({"a@x.vn": "Sở Nội vụ (dòng 4)"})
    assert seen.earlier("a@x.vn", "ds.xlsx / S / dòng 2") == "Sở Nội vụ (dòng 4)"
    assert seen.earlier("b@x.vn", "ds.xlsx / S / dòng 3") is None
    assert seen.earlier("b@x.vn", "ds.xlsx / S / dòng 9") == "ds.xlsx / S / dòng 3"
