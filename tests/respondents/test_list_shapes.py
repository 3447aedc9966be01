"""The kinds of list file a coordinator receives from the units, built here as real workbooks (merged cells
and all), each imported whole with the units and groups the policy gives (docs/guides/lists.md).

These shapes were not used to write the importer's rules: each is what one unit or another actually sends.
"""

from collections import Counter

import pytest

from respondents.models import Respondent
from respondents.services.importing import import_list
from tests.workbooks import cp1258, write_xlsx

TITLE = [
    ["UBND TỈNH LÀO CAI", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["SỞ NỘI VỤ", None, None, "Độc lập - Tự do - Hạnh phúc"],
    ["Số: 1234/SNV-CCHC", None, None, "Lào Cai, ngày 15 tháng 11 năm 2025"],
    ["DANH SÁCH CÁN BỘ, CÔNG CHỨC THAM GIA KHẢO SÁT PAR INDEX"],
]
TITLE_MERGES = ["A1:C1", "D1:G1", "A2:C2", "D2:G2", "A3:C3", "D3:G3", "A4:G4"]
SIGNATURES = [
    [None],
    [None, "NGƯỜI LẬP BIỂU", None, None, "GIÁM ĐỐC"],
    [None, "(Ký, ghi rõ họ tên)", None, None, "(Ký tên, đóng dấu)"],
    [None, "Trần Văn Ký", None, None, "Phạm Thu Hà"],
]
_n = iter(range(1, 10_000))


def someone(stt, *, position="Phó Giám đốc", unit=None, group=None, note=None):
    """One person (unique e-mail and phone); unit and group only when the shape has those columns."""
    n = next(_n)
    cells = [stt, f"Nguyễn Văn Người{n}", position]
    cells += [unit] if unit is not None else []
    cells += [group] if group is not None else []
    cells += [f"0912{n:06d}", f"nguoi{n}@laocai.gov.vn"]
    return [*cells, note] if note is not None else cells


def section_headings_in_stt_merged_across(tmp_path):
    """The most common layout: headings typed in STT and merged across, no group column, STT restarting."""
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Email", "Ghi chú"]
    rows = [*TITLE, header]
    rows += [["I. ĐẠI BIỂU HĐND TỈNH"], someone(1, unit="Sở Tư pháp"), someone(2, unit="Thị xã Sa Pa")]
    rows += [["II. LÃNH ĐẠO SỞ, BAN, NGÀNH"], someone(1, unit="Sở Nội vụ"), someone(2, unit="Sở Tài chính")]
    rows += [["III. LÃNH ĐẠO CẤP PHÒNG THUỘC SỞ"], someone(1, unit="Sở Tư pháp", position="Trưởng phòng")]
    heads = [f"A{i}:G{i}" for i in (6, 9, 12)]
    return write_xlsx(
        tmp_path / "ds.xlsx", {"Danh sách": [*rows, *SIGNATURES]}, {"Danh sách": TITLE_MERGES + heads}
    )


def headings_in_the_name_column(tmp_path):
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "SĐT", "Email"]
    rows = [header, [None, "Đại biểu HĐND tỉnh"], someone(1, unit="Sở Tư pháp")]
    rows += [[None, "Lãnh đạo sở, ban, ngành"], someone(1, unit="Sở Nội vụ"), someone(2, unit="Sở Nội vụ")]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": rows}, {"DS": ["B2:F2", "B4:F4"]})


def unit_headings_under_group_sections(tmp_path):
    """No unit column: "1. Sở Tư pháp" under "I. LÃNH ĐẠO SỞ, BAN, NGÀNH" places the people below."""
    rows = [["STT", "Họ và tên", "Chức vụ", "Điện thoại", "Email"]]
    rows += [["I", "LÃNH ĐẠO SỞ, BAN, NGÀNH"], ["1", "Sở Tư pháp"], someone("1.1"), someone("1.2")]
    rows += [["2", "Sở Nội vụ"], someone("2.1")]
    rows += [
        ["II", "LÃNH ĐẠO CẤP PHÒNG THUỘC SỞ"],
        ["1", "Sở Tài chính"],
        someone("1.1", position="Trưởng phòng"),
    ]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": rows})


def two_row_header_with_merged_group_titles(tmp_path):
    top = ["STT", "Thông tin cán bộ", None, None, None, "Thông tin liên hệ", None]
    bottom = [None, "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Điện thoại di động", "Thư điện tử"]
    rows = [top, bottom, *(someone(i, unit="Sở Tư pháp", group="Lãnh đạo sở") for i in (1, 2, 3))]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": rows}, {"DS": ["A1:A2", "B1:E1", "F1:G1"]})


def header_on_row_5_under_a_title_and_reference(tmp_path):
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Số điện thoại", "Email"]
    people = [
        someone(i, unit="Huyện Bát Xát", group="Lãnh đạo UBND huyện", position="Chủ tịch") for i in (1, 2)
    ]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": [*TITLE, header, *people]}, {"DS": TITLE_MERGES})


def a_sheet_per_group(tmp_path):
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Email"]
    return write_xlsx(
        tmp_path / "ds.xlsx",
        {
            "Đại biểu HĐND": [header, someone(1, unit="Sở Tư pháp"), someone(2, unit="Huyện Bát Xát")],
            "LĐ sở": [header, someone(1, unit="Sở Nội vụ")],
            "Lãnh đạo cấp phòng": [header, someone(1, unit="Sở Tài chính", position="Phó Trưởng phòng")],
            "Hướng dẫn": [["Gửi về Sở Nội vụ trước ngày 10/12"]],
        },
    )


def a_sheet_per_unit(tmp_path):
    header = ["STT", "Họ và tên", "Chức vụ", "Nhóm", "Số điện thoại", "Email"]
    return write_xlsx(
        tmp_path / "ds.xlsx",
        {
            "Sở Tư pháp": [header, someone(1, group="Lãnh đạo sở"), someone(2, group="Lãnh đạo phòng")],
            "SNV": [header, someone(1, group="LĐ sở")],
            "Huyện Bát Xát": [header, someone(1, group=""), someone(2, group="")],  # inferred from the unit
        },
    )


def english_headers(tmp_path):
    header = ["No.", "Full name", "Job title", "Organisation", "Group", "Mobile", "E-mail"]
    rows = [
        header,
        someone(1, unit="STP", group="Department leader"),
        someone(2, unit="SNV", group="dept_leader"),
    ]
    return write_xlsx(tmp_path / "list.xlsx", {"Sheet1": rows})


def headers_without_diacritics(tmp_path):
    header = [
        "STT",
        "HO VA TEN",
        "CHUC VU",
        "DON VI CONG TAC",
        "NHOM DOI TUONG",
        "SO DIEN THOAI",
        "DIA CHI EMAIL",
    ]
    rows = [
        header,
        someone(1, unit="So Tu phap", group="Lanh dao so"),
        someone(2, unit="HDND tinh", group=""),
    ]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": rows})


def numbering_row_blank_rows_and_a_totals_line(tmp_path):
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Số điện thoại", "Email"]
    rows = [
        header,
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        someone(1, unit="Sở Tư pháp", group="LĐ sở"),
    ]
    rows += [[None] * 7, someone(2, unit="Sở Tư pháp", group="LĐ phòng"), [None] * 7, [None] * 7]
    rows += [someone(3, unit="Sở Nội vụ", group="LĐ sở"), [None, "Tổng cộng: 03 người"], *SIGNATURES]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": rows})


def subtotals_per_section(tmp_path):
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Email"]
    rows = [header, ["I", "ĐẠI BIỂU HĐND TỈNH"], someone(1, unit="Sở Tư pháp"), [None, "Cộng: 01 người"]]
    rows += [["II", "LÃNH ĐẠO SỞ, BAN, NGÀNH"], someone(1, unit="Sở Nội vụ"), someone(2, unit="Sở Nội vụ")]
    rows += [[None, "Cộng: 02 người"], [None, "Tổng cộng: 03 người"], *SIGNATURES]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": rows})


def template_with_unused_numbered_rows(tmp_path):
    """The Ministry's template comes with STT 1–20 typed in; units fill the first few."""
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Số điện thoại", "Email"]
    people = [someone(i, unit="Sở Tài chính", group="Lãnh đạo sở") for i in (1, 2)]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": [header, *people, *([i] for i in range(3, 21))]})


def vertically_merged_unit_and_group(tmp_path):
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Số điện thoại", "Email"]
    rows = [header, someone(1, unit="Sở Tư pháp", group="Lãnh đạo sở"), someone(2, unit="", group="")]
    rows += [someone(3, unit="", group="Lãnh đạo phòng"), someone(4, unit="Sở Nội vụ", group="Lãnh đạo sở")]
    return write_xlsx(tmp_path / "ds.xlsx", {"DS": rows}, {"DS": ["D2:D4", "E2:E3"]})


def csv_in_windows_1258(tmp_path):
    """An .xls saved as CSV on a Vietnamese Windows: semicolons, Windows-1258, combining tone marks."""
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Số điện thoại", "Email"]
    rows = [
        header,
        someone(1, unit="Sở Tư pháp", group="Lãnh đạo sở"),
        someone(2, unit="Sở Nội vụ", group="Lãnh đạo phòng"),
    ]
    path = tmp_path / "Danh sách.csv"
    path.write_bytes(cp1258("\r\n".join(";".join(str(c) for c in row) for row in rows) + "\r\n"))
    return path


SHAPES = {  # builder -> (unit code, group code) -> people
    section_headings_in_stt_merged_across: {
        ("STP", "hdnd"): 1, ("SAPA", "hdnd"): 1, ("SNV", "dept_leader"): 1, ("STC", "dept_leader"): 1,
        ("STP", "division_leader"): 1,
    },
    headings_in_the_name_column: {("STP", "hdnd"): 1, ("SNV", "dept_leader"): 2},
    unit_headings_under_group_sections: {
        ("STP", "dept_leader"): 2, ("SNV", "dept_leader"): 1, ("STC", "division_leader"): 1,
    },
    two_row_header_with_merged_group_titles: {("STP", "dept_leader"): 3},
    header_on_row_5_under_a_title_and_reference: {("BATXAT", "district_leader"): 2},
    a_sheet_per_group: {
        ("STP", "hdnd"): 1, ("BATXAT", "hdnd"): 1, ("SNV", "dept_leader"): 1, ("STC", "division_leader"): 1,
    },
    a_sheet_per_unit: {("STP", "dept_leader"): 1, ("STP", "division_leader"): 1, ("SNV", "dept_leader"): 1,
                       ("BATXAT", "district_leader"): 2},
    english_headers: {("STP", "dept_leader"): 1, ("SNV", "dept_leader"): 1},
    headers_without_diacritics: {("STP", "dept_leader"): 1, ("HDND", "hdnd"): 1},
    numbering_row_blank_rows_and_a_totals_line: {
        ("STP", "dept_leader"): 1, ("STP", "division_leader"): 1, ("SNV", "dept_leader"): 1,
    },
    subtotals_per_section: {("STP", "hdnd"): 1, ("SNV", "dept_leader"): 2},
    template_with_unused_numbered_rows: {("STC", "dept_leader"): 2},
    vertically_merged_unit_and_group: {
        ("STP", "dept_leader"): 2, ("STP", "division_leader"): 1, ("SNV", "dept_leader"): 1,
    },
    csv_in_windows_1258: {("STP", "dept_leader"): 1, ("SNV", "division_leader"): 1},
}  # fmt: skip
# The warnings each shape gives, as the policy wants them (the rest give none).
WARNINGS = {
    a_sheet_per_group: ["sheet_skipped"],
    a_sheet_per_unit: ["group_inferred", "group_inferred"],
    headers_without_diacritics: ["group_inferred"],
}


@pytest.mark.parametrize(("build", "placed"), SHAPES.items(), ids=[b.__name__ for b in SHAPES])
def test_each_kind_of_list_a_coordinator_receives_is_imported_whole(campaign, tmp_path, build, placed):
    report = import_list(campaign=campaign, path=build(tmp_path))
    assert (report.status, [(e.code, e.sheet, e.row, e.column) for e in report.errors]) == ("imported", [])
    assert [w.code for w in report.warnings] == WARNINGS.get(build, [])
    people = Respondent.objects.all()
    assert Counter((r.unit.code, r.group.code) for r in people) == placed
    assert report.added == sum(placed.values())
    assert all(r.full_name.startswith("Nguyễn Văn Người") for r in people)  # no heading read as a person
