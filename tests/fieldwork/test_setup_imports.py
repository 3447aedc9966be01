"""Setting up field work from workbooks: the sampling frame (messy, like the lists units send) and teams."""

import json

import pytest
from django.core.management import CommandError, call_command

from fieldwork.models import Assignment, FieldMember, FieldTeam, SamplingFrameEntry
from fieldwork.services.frame import import_sampling_frame
from respondents.models import ApiToken
from respondents.services.api_tokens import hash_key
from tests.workbooks import write_xlsx

FRAME_HEADER = ["STT", "Họ và tên", "Đối tượng", "Số điện thoại", "Địa chỉ", "Xã/Phường"]


def test_a_messy_frame_is_imported_with_phones_normalised_and_areas_matched(tmp_path, sipas, commune, units):
    path = write_xlsx(
        tmp_path / "khung-mau.xlsx",
        {
            "Danh sách": [
                ["DANH SÁCH NGƯỜI DÂN, TỔ CHỨC ĐƯỢC KHẢO SÁT SIPAS"],
                [],
                FRAME_HEADER,
                ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
                [1, "  Nguyễn  Văn An ", "Cá nhân", 912345678, "Thôn 1", "Trịnh Tường"],
                [2, "Công ty TNHH Hoa Mai", "Tổ chức", "+84 98 765 4321", "Tổ 3", None],
                [None, None, None, None, None, None],
                [3, "Lò Thị Bình", "người dân", "0168 123 4567", "Bản Mường", "Thị xã Sa Pa"],
                ["Tổng cộng: 3"],
            ]
        },
        merges={"Danh sách": ["A1:F1"]},
    )
    report = import_sampling_frame(campaign=sipas, path=path)
    assert report.ok, [p.as_dict() for p in report.errors]
    assert report.imported == 3
    entries = {e.name: e for e in SamplingFrameEntry.objects.all()}
    an = entries["Nguyễn Văn An"]
    assert (an.phone, an.area, an.kind, an.source_row) == ("+84912345678", commune, "citizen", 5)
    hoa_mai = entries["Công ty TNHH Hoa Mai"]
    assert (hoa_mai.kind, hoa_mai.phone, hoa_mai.area) == ("organisation", "+84987654321", commune)
    assert entries["Lò Thị Bình"].phone == "+84381234567" and entries["Lò Thị Bình"].area == units["SAPA"]


@pytest.mark.parametrize(
    ("row", "code", "column"),
    [
        ([1, "Nguyễn Văn An", "Cá nhân", "12345", "Thôn 1", "Trịnh Tường"], "phone_invalid", "D"),
        ([1, "Nguyễn Văn An", "Cá nhân", "0912345678", "Thôn 1", "Xã Không Có"], "unit_unknown", "F"),
        ([1, "Nguyễn Văn An", "Hội viên", "0912345678", "Thôn 1", "Trịnh Tường"], "kind_unknown", "C"),
        ([1, None, "Cá nhân", "0912345678", "Thôn 1", "Trịnh Tường"], "name_missing", "B"),
    ],
)
def test_a_bad_row_is_reported_with_file_sheet_row_and_column_and_nothing_is_written(
    tmp_path, sipas, commune, row, code, column
):
    good = [2, "Trần Thị Hoa", "Cá nhân", "0987654321", "Thôn 2", "Trịnh Tường"]
    path = write_xlsx(tmp_path / "khung.xlsx", {"Xã Trịnh Tường": [FRAME_HEADER, good, row]})
    report = import_sampling_frame(campaign=sipas, path=path)
    assert [(p.code, p.file, p.sheet, p.row, p.column) for p in report.errors] == [
        (code, "khung.xlsx", "Xã Trịnh Tường", 3, column)
    ]
    assert not SamplingFrameEntry.objects.exists()


def test_the_same_phone_twice_names_the_earlier_cell(tmp_path, sipas, commune):
    rows = [FRAME_HEADER, [1, "A", "", "0912345678", "", ""], [2, "B", "", "091 234 5678", "", ""]]
    report = import_sampling_frame(campaign=sipas, path=write_xlsx(tmp_path / "k.xlsx", {"S": rows}))
    assert [p.code for p in report.errors] == ["duplicate"] and "S!D2" in report.errors[0].message


def test_an_assignments_frame_takes_its_area_and_refuses_rows_elsewhere(tmp_path, field, commune, units):
    assignment = field["assignments"]["a"]  # Bát Xát
    rows = [FRAME_HEADER, [1, "A", "", "0912345678", "", ""], [2, "B", "", "0912345679", "", "Thị xã Sa Pa"]]
    path = write_xlsx(tmp_path / "k.xlsx", {"S": rows})
    report = import_sampling_frame(campaign=assignment.campaign, path=path, assignment=assignment)
    assert [(p.code, p.row) for p in report.errors] == [("unit_unknown", 3)]
    rows[2][5] = "Trịnh Tường"
    report = import_sampling_frame(
        campaign=assignment.campaign,
        path=write_xlsx(tmp_path / "k2.xlsx", {"S": rows}),
        assignment=assignment,
    )
    assert report.ok and {e.area for e in SamplingFrameEntry.objects.all()} == {units["BATXAT"], commune}
    assert set(SamplingFrameEntry.objects.values_list("assignment", flat=True)) == {assignment.pk}


def test_the_frame_command_prints_json_and_exits_1_on_errors(tmp_path, sipas, capsys):
    path = write_xlsx(tmp_path / "k.xlsx", {"S": [FRAME_HEADER, [1, "A", "", "123", "", ""]]})
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_sampling_frame", str(path), campaign=sipas.slug, format="json")
    assert exit_info.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "rejected" and report["errors"][0]["column"] == "D"


def test_a_file_that_is_not_a_workbook_is_refused_cleanly(tmp_path, sipas):
    path = tmp_path / "k.xlsx"
    path.write_bytes(b"STT;Ho va ten\n1;A\n")
    report = import_sampling_frame(campaign=sipas, path=path)
    assert [p.code for p in report.errors] == ["file_unreadable"]


TEAMS_HEADER = [
    "Đội",
    "Tên đăng nhập",
    "Họ và tên",
    "Điện thoại",
    "Email",
    "Vai trò",
    "Mã địa bàn",
    "Lĩnh vực",
    "Chỉ tiêu",
]


def test_teams_members_and_assignments_come_from_a_workbook_and_again_changes_nothing(
    tmp_path, sipas, questionnaire, units, capsys
):
    rows = [
        TEAMS_HEADER,
        [
            "Bưu điện Bát Xát",
            "bd-bx-a",
            "Nguyễn Văn A",
            "0912000001",
            "a@bd.vn",
            "Điều tra viên",
            "BATXAT",
            "land",
            40,
        ],
        [
            "Bưu điện Bát Xát",
            "bd-bx-a",
            "Nguyễn Văn A",
            "0912000001",
            "a@bd.vn",
            "",
            "BATXAT",
            "civil_status",
            20,
        ],
        ["Bưu điện Bát Xát", "bd-bx-gs", "Trần Thị G", "0912000002", "", "Giám sát", None, None, None],
        ["Bưu điện Sa Pa", "bd-sp-a", "Lò Văn C", "0912000003", "", "", "SAPA", "", 30],
    ]
    path = write_xlsx(tmp_path / "doi.xlsx", {"Đội": rows})
    call_command("import_field_teams", str(path), campaign=sipas.slug, tokens=True)
    out = capsys.readouterr().out
    assert "users created 3" in out
    [key] = [line.split("\t")[1] for line in out.splitlines() if line.strip().startswith("bd-sp-a\t")]
    assert ApiToken.objects.get(user__username="bd-sp-a").key_hash == hash_key(key) != key
    assert FieldTeam.objects.filter(campaign=sipas).count() == 2
    assert FieldMember.objects.get(user__username="bd-bx-gs").role == "supervisor"
    quotas = sorted(
        Assignment.objects.values_list("enumerator__username", "area__code", "service_area", "quota")
    )
    assert quotas == [
        ("bd-bx-a", "BATXAT", "civil_status", 20),
        ("bd-bx-a", "BATXAT", "land", 40),
        ("bd-sp-a", "SAPA", "", 30),
    ]
    assert not FieldMember.objects.get(user__username="bd-bx-a").user.has_usable_password()
    call_command("import_field_teams", str(path), campaign=sipas.slug)
    assert (
        "teams created 0, users created 0, members added 0, assignments created 0" in capsys.readouterr().out
    )


def test_a_teams_file_with_an_unknown_area_writes_nothing(tmp_path, sipas, questionnaire, capsys):
    rows = [TEAMS_HEADER, ["Đội 1", "u1", "A", "", "", "", "NOWHERE", "", 10]]
    with pytest.raises(SystemExit):
        call_command(
            "import_field_teams", str(write_xlsx(tmp_path / "d.xlsx", {"S": rows})), campaign=sipas.slug
        )
    assert "d.xlsx / S / row 2 / column G [unit_unknown]" in capsys.readouterr().err
    assert not FieldTeam.objects.exists()


def test_field_token_prints_a_token_once_then_only_rotates_it(field, capsys):
    call_command("field_token", "field-a")
    first = capsys.readouterr().out.strip()
    assert first
    with pytest.raises(CommandError, match="cannot be shown again"):
        call_command("field_token", "field-a")
    call_command("field_token", "field-a", rotate=True)
    assert capsys.readouterr().out.strip() not in ("", first)
