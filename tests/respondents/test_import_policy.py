"""Messy respondent lists through import_list, as real xlsx files (policy: docs/guides/lists.md).

Every error is asserted with its code and exact place (sheet, Excel row, column letter), and the database
state after the import is checked.
"""

import json
import re
import unicodedata
import zipfile

import pytest

from respondents.models import ImportBatch, Respondent, RespondentRevision
from respondents.services.importing import import_list
from tests.factories import RespondentFactory
from tests.workbooks import STANDARD_HEADER as H
from tests.workbooks import person, write_xlsx

SHEET = "Danh sách"
COLUMN_INDEX = {"full_name": 1, "position": 2, "unit": 3, "group": 4, "phone": 5, "email": 6}


@pytest.fixture
def load(campaign, tmp_path):
    """load(rows or {sheet: rows}, merges=[...], name="ds.xlsx", unit=..., skip_invalid=..., dry_run=...)"""

    def load(sheets, *, merges=(), name="ds.xlsx", **kwargs):
        sheets = sheets if isinstance(sheets, dict) else {SHEET: sheets}
        path = write_xlsx(tmp_path / name, sheets, {SHEET: list(merges)})
        return import_list(campaign=campaign, path=path, **kwargs)

    return load


def changed(n: int, **cells) -> list:
    """person(n) with some cells replaced: changed(2, email=None)."""
    row = person(n)
    for fld, value in cells.items():
        row[COLUMN_INDEX[fld]] = value
    return row


def hdr(labels: str) -> list:
    return [label or None for label in labels.split("|")]


def where(problems):
    return [(p.code, p.sheet, p.row, p.column) for p in problems]


def stored(**filters):
    return list(Respondent.objects.filter(**filters).order_by("source_sheet", "source_row"))


def placed():
    return [(r.unit.code, r.group.code) for r in stored()]


def names_place(message, file, sheet, row):
    return file in message and sheet in message and re.search(rf"\b{row}\b", message) is not None


# ---------------------------------------------------------------------------------- shapes of a list
P1, P2 = person(1), person(2)
SIGNATURES = [[None] * 7, [None, "NGƯỜI LẬP BIỂU", None, None, "THỦ TRƯỞNG ĐƠN VỊ"], [None, "Trần Văn Ký"]]
TITLE = [["UBND TỈNH LÀO CAI", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"], ["SỞ TƯ PHÁP"]]
REORDERED = [[p[6], "01/01/1970", p[1], "", p[5], p[3], p[2], p[4]] for p in (P1, P2)]
LAYOUTS = {  # case -> (rows, merged ranges, Excel rows of the two people)
    "title-rows-and-merged-cells-above-header": (
        [*TITLE, ["DANH SÁCH CÁN BỘ KHẢO SÁT PAR INDEX"], ["(Kèm theo Công văn số 12)"], H, P1, P2],
        ["A1:C1", "E1:G1", "A2:C2", "A3:G3", "A4:G4"],
        [6, 7],
    ),
    "header-on-row-3": ([["DANH SÁCH ĐỀ NGHỊ KHẢO SÁT"], [None], H, P1, P2], ["A1:G1"], [4, 5]),
    "header-on-row-6": ([*TITLE, [None], ["DANH SÁCH"], [None], H, P1, P2], ["A4:G4"], [7, 8]),
    "no-diacritics": ([hdr("STT|Ho va ten|Chuc vu|Don vi|Nhom|SO DIEN THOAI|Email"), P1, P2], [], [2, 3]),
    "english": ([hdr("No.|Full name|Position|Unit|Group|Phone|E-mail"), P1, P2], [], [2, 3]),
    "abbreviated": ([hdr("TT|Họ tên|Chức danh|Đơn vị công tác|Đối tượng|SĐT|Đ/c Email"), P1, P2], [], [2, 3]),
    "abbreviated-đt": ([hdr("STT|HỌ VÀ TÊN|CHỨC VỤ|Cơ quan|Nhóm|ĐT|Thư điện tử"), P1, P2], [], [2, 3]),
    "tên-đơn-vị": ([hdr("STT|Họ và tên|Chức vụ|Tên đơn vị|Nhóm đối tượng|SĐT|Email"), P1, P2], [], [2, 3]),
    "two-row-header": (
        [hdr("STT|Họ và tên|Chức vụ|Đơn vị|Nhóm|Thông tin liên hệ|"), hdr("|||||Điện thoại|Email"), P1, P2],
        ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:E2", "F1:G1"],
        [3, 4],
    ),
    "numbering-row": ([H, hdr("(1)|(2)|(3)|(4)|(5)|(6)|(7)"), P1, P2], [], [3, 4]),
    "blank-rows-inside": ([H, [None] * 7, P1, [None] * 7, [], [None] * 7, P2], [], [3, 7]),
    "totals-line-then-signatures": ([H, P1, P2, [None, "Tổng cộng: 02 người"], *SIGNATURES], [], [2, 3]),
    "totals-in-first-column": ([H, P1, P2, ["Tổng cộng", None, 2], *SIGNATURES], ["A4:B4"], [2, 3]),
    "reordered": ([hdr("Email|Sinh|Họ và tên|Ghi chú|SĐT|Đơn vị|Chức vụ|Nhóm"), *REORDERED], [], [2, 3]),
}


@pytest.mark.parametrize(("rows", "merges", "data_rows"), LAYOUTS.values(), ids=LAYOUTS.keys())
def test_usual_list_layouts_are_read_whole(load, rows, merges, data_rows):
    report = load(rows, merges=merges)
    assert (report.status, report.errors) == ("imported", [])
    saved = stored()
    assert [r.source_row for r in saved] == data_rows
    expected = [(p[1], p[6], "+84" + p[5][1:]) for p in (P1, P2)]
    assert [(r.full_name, r.email, r.phone) for r in saved] == expected
    assert {(r.unit.code, r.group.code) for r in saved} == {("STP", "dept_leader")}


@pytest.mark.parametrize(
    "rows",
    [[["tiêu đề"]] * 21 + [H, P1], [["Danh sách gửi kèm"], ["Nguyễn Văn An", "0912345678"]]],
    ids=["header-below-row-20", "no-header-at-all"],
)
def test_sheet_without_a_header_in_its_first_20_rows_is_no_header(load, rows):
    report = load(rows)
    assert (report.status, where(report.errors)) == ("rejected", [("no_header", SHEET, None, "")])


def test_every_sheet_with_a_header_is_read_and_one_without_is_skipped_with_a_warning(load):
    district = person(2, unit="Huyện Bát Xát", group="Lãnh đạo UBND huyện", position="Chủ tịch")
    sheets = {
        "Sở Tư pháp": [H, P1],
        "Huyện Bát Xát": [["DANH SÁCH LÃNH ĐẠO HUYỆN"], H, district],
        "Hướng dẫn": [["Gửi về Sở Nội vụ trước ngày 10/12"]],
        "Trống": [],
    }
    report = load(sheets)
    assert report.status == "imported"
    assert where(report.warnings) == [("sheet_skipped", "Hướng dẫn", None, "")]
    assert [(r.source_sheet, r.source_row, r.unit.code, r.group.code) for r in stored()] == [
        ("Huyện Bát Xát", 3, "BATXAT", "district_leader"),
        ("Sở Tư pháp", 2, "STP", "dept_leader"),
    ]


def test_vertically_merged_unit_and_group_cells_apply_to_every_row_they_cover(load):
    merged = [changed(n, unit=None, group=None) for n in (2, 3)]
    report = load([H, P1, *merged, person(4, unit="Sở Nội vụ")], merges=["D2:D4", "E2:E5"])
    assert (report.status, report.errors) == ("imported", [])
    assert placed() == [("STP", "dept_leader")] * 3 + [("SNV", "dept_leader")]


def test_section_heading_rows_set_the_group_of_the_rows_below(load):
    rows = [hdr("STT|Họ và tên|Chức vụ|Đơn vị|Số điện thoại|Email")]
    sections = [
        ("I", "ĐẠI BIỂU HĐND TỈNH", "Sở Tư pháp"),
        ("II", "LÃNH ĐẠO SỞ, BAN, NGÀNH", "Sở Nội vụ"),
        ("III", "LÃNH ĐẠO CẤP PHÒNG THUỘC SỞ", "Sở Tài chính"),
        ("IV", "LÃNH ĐẠO UBND CẤP HUYỆN", "Thị xã Sa Pa"),
    ]
    for n, (number, title, unit) in enumerate(sections, start=1):
        rows += [[number, title], [n, f"Lê Văn Hải{n}", "Giám đốc", unit, f"091200000{n}", f"hai{n}@x.vn"]]
    report = load(rows, merges=["B2:F2", "B4:F4"])
    assert (report.status, report.errors) == ("imported", [])
    assert [(r.source_row, r.unit.code, r.group.code) for r in stored()] == [
        (3, "STP", "hdnd"),  # a department leader who is also a delegate: the heading decides
        (5, "SNV", "dept_leader"),
        (7, "STC", "division_leader"),
        (9, "SAPA", "district_leader"),
    ]


def test_section_heading_naming_a_unit_sets_the_unit_of_the_rows_below(load):
    heads = [["A", "SỞ NỘI VỤ"], ["B", "HUYỆN BÁT XÁT"]]
    report = load([H, heads[0], changed(1, unit=None), heads[1], changed(2, unit=None, group=None)])
    assert report.status == "imported"
    assert where(report.warnings) == [("group_inferred", SHEET, 5, "E")]
    assert placed() == [("SNV", "dept_leader"), ("BATXAT", "district_leader")]


@pytest.mark.parametrize("sheet_name", ["Sở Nội vụ", "SNV", "SO NOI VU"])
def test_sheet_named_after_a_unit_supplies_the_unit(load, sheet_name):
    rows = [hdr("STT|Họ và tên|Chức vụ|Nhóm|SĐT|Email"), [1, "Lê Văn An", "GĐ", "LĐ sở", 912000001, "a@x.vn"]]
    report = load({sheet_name: rows})
    assert (report.status, report.errors) == ("imported", [])
    assert placed() == [("SNV", "dept_leader")]


INFERRED = {
    "Hội đồng nhân dân tỉnh": "hdnd",
    "Hội đồng nhân dân tỉnh Lào Cai": "hdnd",
    "HDND": "hdnd",
    "Huyện Bát Xát": "district_leader",
    "UBND huyện Bát Xát": "district_leader",
    "Sa Pa": "district_leader",
}


@pytest.mark.parametrize(("unit", "group"), INFERRED.items())
def test_missing_group_is_inferred_from_a_council_or_district_unit_with_a_warning(load, unit, group):
    report = load([H, changed(1, unit=unit, group=None)])
    assert (report.status, report.errors) == ("imported", [])
    assert where(report.warnings) == [("group_inferred", SHEET, 2, "E")]
    assert stored()[0].group.code == group


STP_SPELLINGS = ["STP", "stp", "SỞ TƯ PHÁP", "So tu phap", "Tư pháp", "Sở Tư pháp tỉnh Lào Cai"]


@pytest.mark.parametrize("unit", STP_SPELLINGS)
def test_unit_is_matched_by_code_or_by_name_ignoring_case_and_diacritics(load, unit):
    report = load([H, changed(1, unit=unit)])
    assert (report.status, report.errors, stored()[0].unit.code) == ("imported", [], "STP")


GROUP_LABELS = {
    "Đại biểu HĐND tỉnh": "hdnd",
    "ĐB HĐND": "hdnd",
    "dai bieu hdnd": "hdnd",
    "LANH DAO SO, BAN, NGANH": "dept_leader",
    "dept_leader": "dept_leader",
    "LĐ phòng": "division_leader",
    "Lãnh đạo cấp phòng thuộc sở": "division_leader",
    "Lãnh đạo UBND huyện": "district_leader",
    "Cấp huyện": "district_leader",
}


@pytest.mark.parametrize(("label", "group"), GROUP_LABELS.items())
def test_group_label_in_free_text_is_mapped_to_its_group(load, label, group):
    report = load([H, changed(1, group=label)])
    assert (report.status, report.errors, stored()[0].group.code) == ("imported", [], group)


# ------------------------------------------------------------------------------------- row errors
ROW_ERRORS = {  # case -> (field, cell written, code, column, problem value)
    "email-no-domain-suffix": ("email", "nguoi2@laocai", "email_invalid", "G", "nguoi2@laocai"),
    "email-two-ats": ("email", "nguoi2@@laocai.gov.vn", "email_invalid", "G", "nguoi2@@laocai.gov.vn"),
    "email-missing": ("email", None, "email_missing", "G", ""),
    "phone-invalid": ("phone", "12345", "phone_invalid", "F", "12345"),
    "phone-foreign": ("phone", "+1 202 555 0143", "phone_invalid", "F", "+1 202 555 0143"),
    "phone-missing": ("phone", None, "phone_missing", "F", ""),
    "group-unknown": ("group", "Chuyên viên", "group_unknown", "E", "Chuyên viên"),
    "group-missing-for-department": ("group", None, "group_unknown", "E", ""),
    "unit-unknown": ("unit", "Sở Xây dựng", "unit_unknown", "D", "Sở Xây dựng"),
    "unit-missing": ("unit", None, "unit_unknown", "D", ""),
    "name-missing": ("full_name", None, "name_missing", "B", ""),
    "duplicate-email-other-case": ("email", "NGUOI1@LaoCai.gov.vn", "duplicate", "G", "nguoi1@laocai.gov.vn"),
    "duplicate-phone-other-form": ("phone", "0910.000.001", "duplicate", "F", "0910000001"),
}


@pytest.mark.parametrize("field,cell,code,column,value", ROW_ERRORS.values(), ids=list(ROW_ERRORS))
def test_bad_row_is_reported_at_its_sheet_row_and_column(load, field, cell, code, column, value):
    report = load([H, P1, changed(2, **{field: cell}), person(3)])
    assert where(report.errors) == [(code, SHEET, 3, column)]
    error = report.errors[0]
    assert (error.file, error.field, error.value) == ("ds.xlsx", field, value)
    assert value in error.message
    assert (report.status, report.accepted, report.imported) == ("rejected", 2, 0)
    assert Respondent.objects.count() == 0


def test_error_places_are_excel_numbers_when_the_table_does_not_start_at_a1(load):
    report = load([["DANH SÁCH"], [None], [None, *H], [None, *P1], [None, *changed(2, email="sai")]])
    assert where(report.errors) == [("email_invalid", SHEET, 5, "H")]


def test_row_naming_another_unit_is_a_unit_mismatch_for_a_units_list(load, units):
    report = load([H, P1, changed(2, unit="Sở Nội vụ")], unit=units["STP"])
    assert where(report.errors) == [("unit_mismatch", SHEET, 3, "D")]
    assert "Sở Nội vụ" in report.errors[0].message
    assert Respondent.objects.count() == 0


def test_unit_column_is_not_needed_when_the_list_is_a_units_own(load, units):
    rows = [[c for i, c in enumerate(r) if i != 3] for r in (H, P1, P2)]
    report = load(rows, unit=units["STC"])
    assert (report.status, report.added) == ("imported", 2)
    assert {r.unit.code for r in stored()} == {"STC"}


@pytest.mark.parametrize(("index", "field"), [(6, "email"), (5, "phone"), (3, "unit")])
def test_missing_required_column_rejects_the_file_even_with_skip_invalid(load, index, field):
    rows = [[c for i, c in enumerate(r) if i != index] for r in (H, P1, P2)]
    report = load(rows, skip_invalid=True)
    assert [(p.code, p.row, p.field) for p in report.errors] == [("column_missing", None, field)]
    assert (report.status, Respondent.objects.count()) == ("rejected", 0)


# ------------------------------------------------------------------------------------- duplicates


def test_same_person_listed_on_two_sheets_is_a_duplicate_naming_the_first_place(load):
    also_delegate = person(5, unit="Hội đồng nhân dân tỉnh", group="Đại biểu HĐND")
    also_delegate[6] = P1[6].upper()
    report = load({"Sở": [H, P1], "HĐND": [H, also_delegate]})
    assert where(report.errors) == [("duplicate", "HĐND", 2, "G")]
    assert names_place(report.errors[0].message, "ds.xlsx", "Sở", 2)


def test_contact_already_in_the_campaign_is_a_duplicate_naming_its_unit(load, campaign, units):
    RespondentFactory(campaign=campaign, unit=units["SNV"], email="an.nv@laocai.gov.vn", phone="+84987654321")
    report = load([H, changed(1, phone="0987 654 321", email="An.NV@laocai.gov.vn")])
    assert sorted(where(report.errors)) == [("duplicate", SHEET, 2, "F"), ("duplicate", SHEET, 2, "G")]
    assert all("Sở Nội vụ" in p.message for p in report.errors)
    assert Respondent.objects.count() == 1


def test_importing_a_file_again_without_a_unit_is_refused_as_duplicates_of_the_first(load):
    assert load([H, P1], name="dot1.xlsx").status == "imported"
    report = load({"Sheet2": [["DS"], H, P1]}, name="dot2.xlsx")
    assert sorted(where(report.errors)) == [("duplicate", "Sheet2", 3, "F"), ("duplicate", "Sheet2", 3, "G")]
    assert all(names_place(p.message, "dot1.xlsx", SHEET, 2) for p in report.errors)
    assert Respondent.objects.count() == 1


def test_person_retired_from_one_unit_may_be_listed_by_another(load, units):
    load([H, P1, P2], unit=units["STP"])
    load([H, P1], unit=units["STP"])
    report = load([H, changed(2, unit="Sở Nội vụ")], unit=units["SNV"])
    assert (report.status, report.errors) == ("imported", [])
    assert Respondent.objects.current().get(email=P2[6]).unit.code == "SNV"


# ------------------------------------------------------------------------ all-or-nothing and modes


def test_one_bad_row_rejects_the_whole_file_and_nothing_is_written(load):
    report = load([H, P1, changed(2, phone="không có"), person(3)])
    assert (report.status, report.accepted, report.imported) == ("rejected", 2, 0)
    assert Respondent.objects.count() == 0
    batch = ImportBatch.objects.get(pk=report.batch_id)
    assert (batch.status, batch.error_count, batch.added) == ("rejected", 1, 0)


def test_skip_invalid_writes_the_valid_rows_and_still_reports_the_bad_one(load):
    report = load([H, P1, changed(2, phone="không có"), person(3)], skip_invalid=True)
    assert (report.status, report.accepted, report.imported, report.added) == ("imported", 2, 2, 2)
    assert where(report.errors) == [("phone_invalid", SHEET, 3, "F")]
    assert [r.source_row for r in stored()] == [2, 4]


@pytest.mark.parametrize("skip_invalid", [False, True])
def test_dry_run_writes_nothing(load, skip_invalid):
    report = load([H, P1, P2], dry_run=True, skip_invalid=skip_invalid)
    assert (report.status, report.accepted, report.imported, report.batch_id) == ("dry_run", 2, 0, None)
    assert (Respondent.objects.count(), ImportBatch.objects.count()) == (0, 0)


def test_dry_run_of_a_bad_file_reports_the_errors_and_writes_nothing(load):
    report = load([H, P1, changed(2, unit="Sở Xây dựng")], dry_run=True)
    assert (report.status, where(report.errors)) == ("rejected", [("unit_unknown", SHEET, 3, "D")])
    assert (Respondent.objects.count(), ImportBatch.objects.count()) == (0, 0)


# ------------------------------------------------------------------------------- a unit's own list


def test_reimporting_the_same_list_for_a_unit_changes_nothing(load, units):
    first = load([H, P1, P2, person(3)], unit=units["STP"])
    before = {r.pk: (r.full_name, r.phone, r.email) for r in stored()}
    again = load([H, P1, P2, person(3)], unit=units["STP"])
    assert (first.added, again.added, again.updated, again.unchanged, again.retired) == (3, 0, 0, 3, 0)
    assert again.imported == 3
    assert {r.pk: (r.full_name, r.phone, r.email) for r in stored()} == before
    assert RespondentRevision.objects.count() == 0


def test_changed_row_is_updated_in_place_and_its_previous_values_kept_as_a_revision(load, units):
    load([H, P1, P2], unit=units["STP"])
    original = Respondent.objects.get(email=P2[6])
    new = changed(2, position="Giám đốc", phone="0987 654 321 / 0214 3840 123")
    report = load([H, P1, new], name="ds-v2.xlsx", unit=units["STP"])
    assert (report.added, report.updated, report.unchanged, report.retired) == (0, 1, 1, 0)
    now = Respondent.objects.get(pk=original.pk)
    assert (now.position, now.phone, now.alternate_phones) == ("Giám đốc", "+84987654321", ["+842143840123"])
    assert (now.source_file, now.batch_id) == ("ds-v2.xlsx", report.batch_id)
    revision = RespondentRevision.objects.get()
    assert (revision.respondent_id, revision.batch_id) == (original.pk, report.batch_id)
    assert revision.previous["position"] == "Phó Giám đốc"
    assert (revision.previous["phone"], revision.previous["alternate_phones"]) == ("+84910000002", [])


def test_row_missing_from_the_new_list_is_retired_and_kept(load, units):
    load([H, P1, P2], unit=units["STP"])
    report = load([H, P1], unit=units["STP"])
    assert (report.added, report.unchanged, report.retired) == (0, 1, 1)
    gone = Respondent.objects.get(email=P2[6])
    assert gone.retired_at is not None and gone.retired_by_id == report.batch_id
    assert list(Respondent.objects.current().values_list("email", flat=True)) == [P1[6]]
    again = load([H, P1, P2], unit=units["STP"])  # back on the list: a new current row, history untouched
    assert (again.added, again.unchanged, Respondent.objects.count()) == (1, 1, 3)
    assert Respondent.objects.get(pk=gone.pk).retired_at == gone.retired_at


def test_a_units_list_replaces_only_that_unit(load, campaign, units):
    other = RespondentFactory(campaign=campaign, unit=units["SNV"], email="gd@snv.vn", phone="+84987654321")
    report = load([H, P1], unit=units["STP"])
    assert (report.status, report.retired) == ("imported", 0)
    assert Respondent.objects.current().filter(pk=other.pk).exists()


# --------------------------------------------------------------------------------- what is stored


def test_values_are_stored_normalised_and_the_cells_as_written(load):
    decomposed = "NGUYE\u0302\u0303N VĂN  AN"
    rows = [
        H,
        [1, decomposed, "Giám đốc", "so tu phap", "lãnh đạo sở", 912345678, "  An.NV@LaoCai.gov.vn "],
        [2, "Trần Thị Bình", "Phó Giám đốc", "STP", "LĐ sở", "01623456789 / 0214 3840 123", "binh@x.vn"],
        [3, "Lê Văn Cường", "Trưởng phòng", "STP", "LĐ phòng", "0214.3840.124", "cuong@x.vn"],
    ]
    report = load(rows)
    assert (report.status, report.errors) == ("imported", [])
    assert where(report.warnings) == [
        ("name_recased", SHEET, 2, "B"),
        ("phone_old_prefix", SHEET, 3, "F"),
        ("phone_alternates", SHEET, 3, "F"),
        ("phone_landline_only", SHEET, 4, "F"),
    ]
    an, binh, cuong = stored()
    assert an.full_name == "Nguyễn Văn An" and unicodedata.is_normalized("NFC", an.full_name)
    assert (an.email, an.phone, an.alternate_phones) == ("an.nv@laocai.gov.vn", "+84912345678", [])
    assert an.raw["Họ và tên"] == decomposed
    assert (an.raw["Số điện thoại"], an.raw["Email"]) == ("912345678", "  An.NV@LaoCai.gov.vn ")
    assert (binh.phone, binh.alternate_phones) == ("+84323456789", ["+842143840123"])
    assert binh.raw["Số điện thoại"] == "01623456789 / 0214 3840 123"
    assert (cuong.phone, cuong.alternate_phones, cuong.group.code) == ("+842143840124", [], "division_leader")
    assert (an.source_file, an.source_sheet, an.source_row) == ("ds.xlsx", SHEET, 2)


def test_report_as_dict_is_json_able_and_locates_every_problem(load):
    report = load([H, changed(1, unit="Huyện Bát Xát", group=None), changed(2, email="sai")])
    data = json.loads(json.dumps(report.as_dict()))
    counts = {"accepted", "imported", "rows", "added", "updated", "unchanged", "retired"}
    assert set(data) == {"file", "status", "errors", "warnings", *counts}
    assert (data["file"], data["status"]) == ("ds.xlsx", "rejected")
    assert (data["accepted"], data["imported"], data["rows"]) == (1, 0, 2)
    assert data["errors"] == [
        dict(code="email_invalid", message=report.errors[0].message, file="ds.xlsx", sheet=SHEET, row=3)
        | dict(column="G", field="email", value="sai")
    ]
    assert [(w["code"], w["row"], w["column"]) for w in data["warnings"]] == [("group_inferred", 2, "E")]
    assert ImportBatch.objects.get(pk=report.batch_id).report == data


# ------------------------------------------------------------------------------------ hostile files


def _renamed_csv(path):
    path.write_text("\n".join(",".join(map(str, r)) for r in [H, P1]), encoding="utf-8")


def _truncated_xlsx(path):
    path.write_bytes(write_xlsx(path, {SHEET: [H, P1]}).read_bytes()[:700])


def _zip_bomb(path):
    write_xlsx(path, {SHEET: [H, P1]})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/image1.png", bytes(4 * 1024 * 1024))  # about 1000:1


def _not_a_spreadsheet_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")


ENCRYPTED_OLE = (
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512)
)
HOSTILE = {
    "renamed-csv": (_renamed_csv, "file_unreadable"),
    "corrupt-zip": (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x13garbage" * 200), "file_unreadable"),
    "truncated-xlsx": (_truncated_xlsx, "file_unreadable"),
    "password-protected": (lambda p: p.write_bytes(ENCRYPTED_OLE), "file_unreadable"),
    "zip-bomb": (_zip_bomb, "file_too_large"),
    "zip-not-a-spreadsheet": (_not_a_spreadsheet_zip, "file_unreadable"),
    "empty-file": (lambda p: p.write_bytes(b""), "file_unreadable"),
    "binary-garbage": (lambda p: p.write_bytes(bytes(range(256)) * 8), "file_unreadable"),
}


@pytest.mark.parametrize(("build", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_unreadable_file_is_rejected_cleanly_and_nothing_is_written(campaign, tmp_path, build, code):
    build(path := tmp_path / "ds.xlsx")
    report = import_list(campaign=campaign, path=path, skip_invalid=True)
    assert (report.status, where(report.errors), report.warnings) == ("rejected", [(code, "", None, "")], [])
    assert report.errors[0].file == "ds.xlsx" and report.errors[0].message
    assert Respondent.objects.count() == 0
    assert ImportBatch.objects.get().status == "rejected"


def test_password_protected_workbook_is_told_apart_from_a_damaged_one(campaign, tmp_path):
    (protected := tmp_path / "protected.xlsx").write_bytes(ENCRYPTED_OLE)
    (damaged := tmp_path / "damaged.xls").write_bytes(ENCRYPTED_OLE[:8] + bytes(1024))
    messages = [import_list(campaign=campaign, path=path).errors[0].message for path in (protected, damaged)]
    assert messages[0] != messages[1]  # the unit is told to remove the password, not that the file is broken


def test_csv_file_is_imported_like_a_workbook(campaign, tmp_path):
    path = tmp_path / "Sở Tư pháp.csv"
    lines = [";".join("" if c is None else str(c) for c in r) for r in [H, P1, P2]]
    path.write_bytes("\ufeff".encode() + "\r\n".join(lines).encode())
    report = import_list(campaign=campaign, path=path)
    assert (report.status, report.errors, report.added) == ("imported", [], 2)
    assert [(r.source_sheet, r.source_row) for r in stored()] == [("Sở Tư pháp", 2), ("Sở Tư pháp", 3)]
    assert [r.full_name for r in stored()] == [P1[1], P2[1]]  # UTF-8 with a BOM, Vietnamese intact


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("people", "status"), [(3, "imported"), (4, "rejected")])
def test_more_rows_than_the_limit_is_file_too_large(campaign, tmp_path, settings, fmt, people, status):
    settings.RESPONDENT_FILE_MAX_ROWS = 4  # the header and three people
    rows = [H] + [person(n) for n in range(1, people + 1)]
    path = tmp_path / f"ds.{fmt}"
    if fmt == "csv":
        path.write_text("\n".join(",".join(map(str, r)) for r in rows), encoding="utf-8")
    else:
        write_xlsx(path, {SHEET: rows})
    report = import_list(campaign=campaign, path=path)
    assert report.status == status
    assert [p.code for p in report.errors] == ([] if status == "imported" else ["file_too_large"])


def test_rows_of_every_sheet_count_towards_the_limit(load, settings):
    settings.RESPONDENT_FILE_MAX_ROWS = 5
    report = load({"A": [H, P1, P2], "B": [H, person(3), person(4)]})
    assert [p.code for p in report.errors] == ["file_too_large"]


def test_file_larger_than_the_byte_limit_is_file_too_large(campaign, tmp_path, settings):
    path = write_xlsx(tmp_path / "ds.xlsx", {SHEET: [H, P1]})
    settings.RESPONDENT_FILE_MAX_BYTES = path.stat().st_size
    assert import_list(campaign=campaign, path=path).status == "imported"
    Respondent.objects.all().delete()
    settings.RESPONDENT_FILE_MAX_BYTES = path.stat().st_size - 1
    report = import_list(campaign=campaign, path=path)
    assert (report.status, [p.code for p in report.errors]) == ("rejected", ["file_too_large"])
    assert Respondent.objects.count() == 0


def test_header_without_rows_is_rejected_and_a_units_list_is_not_emptied(campaign, units, tmp_path):
    full = write_xlsx(tmp_path / "full.xlsx", {"S": [H, person(1)]})
    assert import_list(campaign=campaign, path=full, unit=units["STP"]).status == "imported"
    empty = write_xlsx(tmp_path / "empty.xlsx", {"S": [H, [None] * 7]})
    report = import_list(campaign=campaign, path=empty, unit=units["STP"])
    assert report.status == "rejected"
    assert [e.code for e in report.errors] == ["no_rows"]
    assert Respondent.objects.current().filter(unit=units["STP"]).count() == 1


def test_control_characters_in_cells_are_dropped_not_stored(campaign, tmp_path):
    # xlsx cannot hold NUL, but a CSV exported by another tool can; PostgreSQL would refuse it.
    path = tmp_path / "nul.csv"
    path.write_text(
        ",".join(H)
        + "\n"
        + '1,"Nguyễn\x00 Văn\x07 An","Giám\x00đốc",Sở Tư pháp,Lãnh đạo sở,0912345678,a@x.vn\n',
        encoding="utf-8",
    )
    report = import_list(campaign=campaign, path=path)
    assert report.status == "imported", report.as_dict()
    respondent = Respondent.objects.get()
    assert respondent.full_name == "Nguyễn Văn An"
    assert "\x00" not in json.dumps(respondent.raw) and "\x00" not in respondent.position


def test_deliverability_is_checked_only_when_the_setting_asks_and_only_warns(load, settings, monkeypatch):
    # No network: email-validator's DNS check is replaced by one where only laocai.gov.vn takes mail.
    from kit import emails

    asked = []

    def fake_validate(value, *, check_deliverability, timeout=None):
        if not check_deliverability:
            return value
        asked.append(value)
        if not value.endswith("@laocai.gov.vn"):
            raise emails.EmailNotValidError("The domain name does not accept email.")
        return value

    emails._domain_accepts_mail.cache_clear()
    monkeypatch.setattr(emails, "validate_email", fake_validate)
    rows = [H, changed(1, email="an.nv@laocai.gov.vn"), changed(2, email="binh@khong-nhan-thu.vn")]
    settings.EMAIL_CHECK_DELIVERABILITY = False
    report = load(rows, dry_run=True)
    assert asked == [] and not [w for w in report.warnings if w.code == "email_undeliverable"]
    settings.EMAIL_CHECK_DELIVERABILITY = True
    report = load(rows, dry_run=True)
    assert where([w for w in report.warnings if w.code == "email_undeliverable"]) == [
        ("email_undeliverable", SHEET, 3, "G")
    ]
    assert report.errors == [] and report.accepted == 2  # a warning: the row is kept
    emails._domain_accepts_mail.cache_clear()
