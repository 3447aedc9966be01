"""A province's units from a file, walked like the lists (kit/tabular): kind headings or one sheet per kind,
and problems with the catalogue's codes and Vietnamese messages, each at its sheet, row and column."""

import io

import pytest
from django.core.management import call_command

from respondents.models import Province, Unit
from respondents.services.setup import import_units
from tests.workbooks import write_xlsx


@pytest.fixture
def lao_cai(db):
    return Province.objects.create(code="lao-cai", name="Lào Cai")


def test_kind_headings_merged_across_set_the_kind_of_the_units_below(lao_cai, tmp_path):
    rows = [
        ["DANH MỤC CƠ QUAN, ĐƠN VỊ THAM GIA KHẢO SÁT"],
        ["Mã", "Tên đơn vị", "Đơn vị cấp trên"],
        ["I. HĐND TỈNH"],
        ["HDND", "Hội đồng nhân dân tỉnh", None],
        ["II. CÁC SỞ, BAN, NGÀNH"],
        ["STP", "Sở Tư pháp", None],
        ["SNV", "Sở Nội vụ", None],
        ["III. CẤP HUYỆN"],
        ["BATXAT", "Huyện Bát Xát", None],
        ["IV. CÁC XÃ, PHƯỜNG, THỊ TRẤN"],
        ["X-BANVUOC", "Xã Bản Vược", "BATXAT"],
    ]
    path = write_xlsx(
        tmp_path / "dv.xlsx", {"DM": rows}, {"DM": ["A1:C1", "A3:C3", "A5:C5", "A8:C8", "A10:C10"]}
    )
    report = import_units(province=lao_cai, path=path)
    assert (report.errors, report.warnings, report.created) == ([], [], 5)
    assert dict(Unit.objects.values_list("code", "kind")) == {
        "HDND": "council",
        "STP": "department",
        "SNV": "department",
        "BATXAT": "district",
        "X-BANVUOC": "commune",
    }
    assert Unit.objects.get(code="X-BANVUOC").parent.code == "BATXAT"


def test_a_sheet_per_kind_sets_the_kind_of_its_units(lao_cai, tmp_path):
    header = ["STT", "Mã đơn vị", "Tên đơn vị"]
    sheets = {
        "Sở, ban, ngành": [header, [1, "STP", "Sở Tư pháp"]],
        "Cấp xã": [header, [1, "XBV", "Xã Bản Vược"]],
    }
    report = import_units(province=lao_cai, path=write_xlsx(tmp_path / "dv.xlsx", sheets))
    assert report.errors == []
    assert dict(Unit.objects.values_list("code", "kind")) == {"STP": "department", "XBV": "commune"}


# case -> (rows under the header Mã | Tên đơn vị | Loại | Đơn vị cấp trên, (code, row, column), words said)
PROBLEMS = {
    "unknown-kind": (
        [["STP", "Sở Tư pháp", "hành tinh", None]],
        ("kind_unknown", 2, "C"),
        ["Loại đơn vị", "hành tinh"],
    ),
    "missing-name": ([["STP", None, "Sở", None]], ("value_missing", 2, "B"), ["Tên đơn vị"]),
    "code-twice": (
        [["STP", "Sở Tư pháp", "Sở", None], ["STP", "Sở Tài chính", "Sở", None]],
        ("duplicate", 3, "A"),
        ["STP", "dòng 2"],
    ),
    "unknown-parent": (
        [["X1", "Xã A", "Xã", "NOWHERE"]],
        ("parent_unknown", 2, "D"),
        ["NOWHERE", "cấp trên"],
    ),
    "own-parent": ([["X1", "Xã A", "Xã", "X1"]], ("parent_cycle", 2, "D"), ["X1"]),
    "code-over-40": ([["X" * 41, "Xã A", "Xã", None]], ("value_too_long", 2, "A"), ["41", "40"]),
    "name-over-255": ([["X1", "Xã " * 90, "Xã", None]], ("value_too_long", 2, "B"), ["255"]),
}


@pytest.mark.parametrize(("rows", "where", "words"), PROBLEMS.values(), ids=PROBLEMS.keys())
def test_each_problem_has_its_code_place_and_a_vietnamese_message_and_nothing_is_written(
    lao_cai, tmp_path, rows, where, words
):
    path = write_xlsx(tmp_path / "dv.xlsx", {"DM": [["Mã", "Tên đơn vị", "Loại", "Đơn vị cấp trên"], *rows]})
    report = import_units(province=lao_cai, path=path)
    assert [(p.code, p.row, p.column) for p in report.errors] == [where]
    assert (report.errors[0].file, report.errors[0].sheet) == ("dv.xlsx", "DM")
    assert all(word in report.errors[0].message for word in words), report.errors[0].message
    assert not Unit.objects.exists()


def test_without_a_kind_column_sheet_name_or_heading_the_kind_column_is_missing(lao_cai, tmp_path):
    path = write_xlsx(tmp_path / "dv.xlsx", {"DM": [["Mã", "Tên đơn vị"], ["STP", "Sở Tư pháp"]]})
    report = import_units(province=lao_cai, path=path)
    assert [(p.code, p.row, p.field, p.column) for p in report.errors] == [
        ("column_missing", None, "kind", "Loại")
    ]


def test_a_file_without_a_header_is_no_header(lao_cai, tmp_path):
    path = write_xlsx(tmp_path / "dv.xlsx", {"DM": [["Danh mục đơn vị"], ["STP", "Sở Tư pháp"]]})
    assert [p.code for p in import_units(province=lao_cai, path=path).errors] == ["no_header"]


def test_the_command_prints_each_problem_with_its_place_and_code(lao_cai, tmp_path):
    path = tmp_path / "dv.csv"
    path.write_text('code,name,kind\nSTP,"Sở Tư pháp,department\n' + "X,Y,xã\n" * 2000, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_units", str(path), "--province", "Lào Cai", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "ERROR dv.csv [file_unreadable]" in err.getvalue() and "dòng 2" in err.getvalue()
    assert not Unit.objects.exists()
