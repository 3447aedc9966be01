"""The sampling frame and the field-team file in the shapes coordinators receive them (section headings,
merged cells, signatures), and the defects a new user hit there: values too long for the database and a CSV
with an unbalanced quotation mark, on the frame page and through both commands."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from fieldwork.models import Assignment, FieldMember, FieldTeam, SamplingFrameEntry
from fieldwork.services.frame import import_sampling_frame
from fieldwork.services.teams import import_field_teams
from respondents.models import Unit
from tests.factories import UnitFactory
from tests.workbooks import write_xlsx

FRAME_URL = "/field/campaigns/sipas-field/frame/"
SIGNATURES = [[None], [None, "NGƯỜI LẬP BIỂU", None, "XÁC NHẬN CỦA UBND XÃ"], [None, "Lò Văn Ký"]]


@pytest.fixture
def ban_vuoc(province, units):
    return UnitFactory(
        province=province,
        code="XA-BANVUOC",
        name="Xã Bản Vược",
        kind=Unit.Kind.COMMUNE,
        parent=units["BATXAT"],
    )


def frame_file(tmp_path, rows, merges=(), name="khung.xlsx"):
    return write_xlsx(tmp_path / name, {"Danh sách": rows}, {"Danh sách": list(merges)})


def test_area_headings_merged_across_place_the_rows_below_them(tmp_path, sipas, commune, ban_vuoc):
    rows = [
        ["DANH SÁCH NGƯỜI DÂN, TỔ CHỨC ĐƯỢC KHẢO SÁT SIPAS"],
        ["STT", "Họ và tên", "Đối tượng", "Số điện thoại", "Địa chỉ"],
        ["Xã Bản Vược"],
        [1, "Nguyễn Văn An", "Cá nhân", "0912345601", "Thôn 1"],
        [2, "Công ty TNHH Hoa Mai", "Tổ chức", "0912345602", "Tổ 3"],
        ["Xã Trịnh Tường"],
        [1, "Lò Thị Bình", "Cá nhân", "0912345603", "Bản Mường"],
        [None, "Tổng cộng: 3"],
        *SIGNATURES,
    ]
    report = import_sampling_frame(
        campaign=sipas, path=frame_file(tmp_path, rows, ["A1:E1", "A3:E3", "A6:E6"])
    )
    assert (report.ok, report.imported, report.warnings) == (True, 3, []), report.as_dict()
    placed = {e.name: (e.area.code, e.kind) for e in SamplingFrameEntry.objects.all()}
    assert placed == {
        "Nguyễn Văn An": ("XA-BANVUOC", "citizen"),
        "Công ty TNHH Hoa Mai": ("XA-BANVUOC", "organisation"),
        "Lò Thị Bình": ("XA-TRINHTUONG", "citizen"),
    }


def test_kind_headings_and_a_sheet_per_commune_place_the_rows_without_those_columns(
    tmp_path, sipas, ban_vuoc
):
    header = ["STT", "Họ và tên / Tên tổ chức", "Điện thoại", "Địa chỉ"]
    rows = [header, ["I", "CÁ NHÂN"], [1, "Nguyễn Văn An", "0912345601", "Thôn 1"]]
    rows += [["II", "TỔ CHỨC, DOANH NGHIỆP"], [1, "Hợp tác xã Bản Vược", "0912345602", "Thôn 2"]]
    path = write_xlsx(tmp_path / "k.xlsx", {"Xã Bản Vược": rows})
    report = import_sampling_frame(campaign=sipas, path=path)
    assert report.ok, report.as_dict()
    placed = {e.name: (e.area.code, e.kind) for e in SamplingFrameEntry.objects.all()}
    assert placed == {
        "Nguyễn Văn An": ("XA-BANVUOC", "citizen"),
        "Hợp tác xã Bản Vược": ("XA-BANVUOC", "organisation"),
    }


def test_a_kind_merged_over_several_rows_applies_to_each(tmp_path, sipas, commune):
    rows = [
        ["STT", "Họ và tên", "Đối tượng", "Số điện thoại", "Xã"],
        [1, "Công ty A", "Tổ chức", "0912345601", "Trịnh Tường"],
        [2, "Công ty B", None, "0912345602", None],
    ]
    report = import_sampling_frame(campaign=sipas, path=frame_file(tmp_path, rows, ["C2:C3"]))
    assert report.ok, report.as_dict()
    assert set(SamplingFrameEntry.objects.values_list("kind", flat=True)) == {"organisation"}


FRAME_TOO_LONG = {  # case -> (column index, value, column letter, limit)
    "name-over-255": (1, "Công ty " + "TNHH " * 60, "B", 255),
    "address-over-500": (4, "Thôn 1, " * 80, "E", 500),
}


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
@pytest.mark.parametrize(
    ("index", "value", "column", "limit"), FRAME_TOO_LONG.values(), ids=FRAME_TOO_LONG.keys()
)
def test_a_frame_value_too_long_is_a_row_error(
    tmp_path, sipas, commune, dry_run, index, value, column, limit
):
    row = [1, "Nguyễn Văn An", "Cá nhân", "0912345678", "Thôn 1", "Trịnh Tường"]
    row[index] = value
    header = ["STT", "Họ và tên", "Đối tượng", "Số điện thoại", "Địa chỉ", "Xã/Phường"]
    report = import_sampling_frame(campaign=sipas, path=frame_file(tmp_path, [header, row]), dry_run=dry_run)
    assert [(p.code, p.row, p.column) for p in report.errors] == [("value_too_long", 2, column)]
    assert str(limit) in report.errors[0].message and header[index] in report.errors[0].message
    assert not SamplingFrameEntry.objects.exists()


def test_a_free_text_service_area_too_long_is_a_row_error_not_cut(tmp_path, sipas, commune):
    rows = [
        ["STT", "Họ và tên", "Lĩnh vực"],
        [1, "Nguyễn Văn An", "Đất đai, xây dựng, tư pháp, hộ tịch, chứng thực"],
    ]
    report = import_sampling_frame(campaign=sipas, path=frame_file(tmp_path, rows))
    assert [(p.code, p.column) for p in report.errors] == [("value_too_long", "C")]


def broken_csv(path, header):
    lines = [",".join(header), '1,"Nguyễn Văn An,0912345678']
    lines += [f"{n},Người {n} {'x' * 60},09123{n:05d}" for n in range(2, 3000)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_unbalanced_quote_is_file_unreadable_on_the_frame_page(client, coordinator, sipas, tmp_path):
    client.force_login(coordinator)
    path = broken_csv(tmp_path / "khung.csv", ["STT", "Họ và tên", "Điện thoại"])
    page = client.post(FRAME_URL, {"file": SimpleUploadedFile("khung.csv", path.read_bytes())})
    assert page.status_code == 400
    html = page.content.decode()
    assert "<td>khung.csv</td>" in html and "dòng 2" in html
    assert not SamplingFrameEntry.objects.exists()


def test_an_unbalanced_quote_is_file_unreadable_through_the_frame_command(sipas, tmp_path):
    out = io.StringIO()
    path = broken_csv(tmp_path / "khung.csv", ["STT", "Họ và tên", "Điện thoại"])
    with pytest.raises(SystemExit):
        call_command("import_sampling_frame", str(path), campaign=sipas.slug, format="json", stdout=out)
    report = json.loads(out.getvalue())
    assert [e["code"] for e in report["errors"]] == ["file_unreadable"]
    assert "dòng 2" in report["errors"][0]["message"]


# ---------------------------------------------------------------------------------------------- teams

TEAM_HEADER = ["STT", "Tên đăng nhập", "Họ và tên", "Điện thoại", "Vai trò", "Mã địa bàn", "Chỉ tiêu"]


def test_team_headings_merged_across_give_the_team_of_the_rows_below(tmp_path, sipas, questionnaire, units):
    rows = [
        ["DANH SÁCH ĐIỀU TRA VIÊN BƯU ĐIỆN TỈNH"],
        TEAM_HEADER,
        ["I. ĐỘI BƯU ĐIỆN BÁT XÁT"],
        [1, "bd-bx-a", "Nguyễn Văn A", "0912000001", "Điều tra viên", "BATXAT", 40],
        [2, "bd-bx-gs", "Trần Thị G", "0912000002", "Giám sát", None, None],
        ["II. ĐỘI BƯU ĐIỆN SA PA"],
        [1, "bd-sp-a", "Lò Văn C", "0912000003", None, "SAPA", 30],
        *SIGNATURES,
    ]
    path = write_xlsx(tmp_path / "doi.xlsx", {"DS": rows}, {"DS": ["A1:G1", "A3:G3", "A6:G6"]})
    report = import_field_teams(campaign=sipas, path=path)
    assert (report.errors, report.warnings) == ([], [])
    members = {
        m.user.username: (m.team.name, m.role) for m in FieldMember.objects.select_related("team", "user")
    }
    assert members == {
        "bd-bx-a": ("ĐỘI BƯU ĐIỆN BÁT XÁT", "enumerator"),
        "bd-bx-gs": ("ĐỘI BƯU ĐIỆN BÁT XÁT", "supervisor"),
        "bd-sp-a": ("ĐỘI BƯU ĐIỆN SA PA", "enumerator"),
    }
    assert sorted(Assignment.objects.values_list("enumerator__username", "quota")) == [
        ("bd-bx-a", 40),
        ("bd-sp-a", 30),
    ]


def test_a_sheet_per_team_and_a_team_merged_down_its_members(tmp_path, sipas, questionnaire):
    per_sheet = [TEAM_HEADER, [1, "bd-sp-a", "Lò Văn C", "0912000003", None, "SAPA", 30]]
    merged = [
        ["Đội", *TEAM_HEADER[1:]],
        ["Bưu điện Bát Xát", "bd-bx-a", "A", "0912000001"],
        [None, "bd-bx-b", "B"],
    ]
    path = write_xlsx(tmp_path / "doi.xlsx", {"Đội Sa Pa": per_sheet, "Khác": merged}, {"Khác": ["A2:A3"]})
    report = import_field_teams(campaign=sipas, path=path)
    assert report.errors == []
    teams = dict(FieldMember.objects.values_list("user__username", "team__name"))
    assert teams == {"bd-sp-a": "Đội Sa Pa", "bd-bx-a": "Bưu điện Bát Xát", "bd-bx-b": "Bưu điện Bát Xát"}


def test_a_member_without_a_team_is_an_error_naming_the_row(tmp_path, sipas):
    path = write_xlsx(tmp_path / "doi.xlsx", {"S": [["Đội", "Tên đăng nhập"], ["Đội 1", "u1"], [None, "u2"]]})
    report = import_field_teams(campaign=sipas, path=path)
    assert [(p.code, p.row, p.column, p.field) for p in report.errors] == [("value_missing", 3, "A", "team")]
    assert "Đội" in report.errors[0].message
    assert not FieldTeam.objects.exists()


TEAM_TOO_LONG = {  # case -> (column index, value, column letter)
    "team-name-over-200": (0, "Đội Bưu điện " * 20, "A"),
    "username-over-150": (1, "u" * 151, "B"),
    "full-name-over-150": (2, "Nguyễn Văn " * 15, "C"),
}


@pytest.mark.parametrize(("index", "value", "column"), TEAM_TOO_LONG.values(), ids=TEAM_TOO_LONG.keys())
def test_a_team_value_too_long_is_a_row_error(tmp_path, sipas, index, value, column):
    row = ["Đội 1", "u1", "Nguyễn Văn A"]
    row[index] = value
    path = write_xlsx(tmp_path / "doi.xlsx", {"S": [["Đội", "Tên đăng nhập", "Họ và tên"], row]})
    report = import_field_teams(campaign=sipas, path=path)
    assert [(p.code, p.row, p.column) for p in report.errors] == [("value_too_long", 2, column)]
    assert not FieldTeam.objects.exists()


def test_an_unbalanced_quote_is_file_unreadable_through_the_teams_command(sipas, tmp_path, capsys):
    path = broken_csv(tmp_path / "doi.csv", ["Đội", "Tên đăng nhập", "Điện thoại"])
    with pytest.raises(SystemExit):
        call_command("import_field_teams", str(path), campaign=sipas.slug)
    err = capsys.readouterr().err
    assert "doi.csv [file_unreadable]" in err and "dòng 2" in err
    assert not FieldTeam.objects.exists()


def test_the_frame_page_lists_the_warnings_too(client, coordinator, sipas, commune, tmp_path):
    client.force_login(coordinator)
    rows = [
        ["STT", "Họ và tên", "Số điện thoại", "Xã"],
        ["I", "ĐỐI TƯỢNG KHÁC"],
        [1, "An", "0912345678", "Trịnh Tường"],
    ]
    path = frame_file(tmp_path, rows)
    page = client.post(
        FRAME_URL, {"file": SimpleUploadedFile("khung.xlsx", path.read_bytes()), "dry_run": "on"}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "1 cảnh báo" in html
    assert "<td>khung.xlsx</td><td>Danh sách</td><td>2</td><td></td>" in html and "ĐỐI TƯỢNG KHÁC" in html


def test_a_frame_upload_over_the_size_limit_is_refused_with_the_catalogues_problem(
    client, coordinator, sipas, tmp_path, settings
):
    settings.RESPONDENT_FILE_MAX_BYTES = 100
    client.force_login(coordinator)
    path = frame_file(tmp_path, [["STT", "Họ và tên", "Số điện thoại"], [1, "An", "0912345678"]])
    page = client.post(FRAME_URL, {"file": SimpleUploadedFile("khung.xlsx", path.read_bytes())})
    assert page.status_code == 400
    assert "Tệp quá lớn" in page.content.decode() and "MB" in page.content.decode()


@pytest.mark.parametrize("quota", ["mười", "-3", "inf", "nan"])
def test_a_quota_that_is_not_a_whole_number_is_a_row_error(tmp_path, sipas, questionnaire, quota):
    rows = [["Đội", "Tên đăng nhập", "Mã địa bàn", "Chỉ tiêu"], ["Đội 1", "u1", "SAPA", quota]]
    report = import_field_teams(campaign=sipas, path=write_xlsx(tmp_path / "doi.xlsx", {"S": rows}))
    assert [(p.code, p.row, p.column) for p in report.errors] == [("quota_invalid", 2, "D")]
