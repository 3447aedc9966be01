"""Setting up a province and a campaign from the command line, and the demo province."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from respondents.models import Campaign, Membership, Province, Respondent, Unit
from respondents.services.setup import create_campaign
from tests.workbooks import write_xlsx


def test_import_units_creates_units_with_parents_and_is_idempotent(db, tmp_path):
    path = write_xlsx(
        tmp_path / "units.xlsx",
        {
            "Units": [
                ["Mã", "Tên đơn vị", "Loại", "Đơn vị cấp trên"],
                ["STP", "Sở Tư pháp", "Sở", None],
                ["BATXAT", "Huyện Bát Xát", "huyện", None],
                ["X-BATXAT", "Xã Bản Vược", "xã", "BATXAT"],
            ]
        },
    )
    call_command("import_units", str(path), "--province", "Lào Cai", stdout=io.StringIO())
    call_command("import_units", str(path), "--province", "Lào Cai", stdout=io.StringIO())
    province = Province.objects.get(name="Lào Cai")
    assert province.units.count() == 3
    commune = Unit.objects.get(code="X-BATXAT")
    assert (commune.kind, commune.parent.code) == ("commune", "BATXAT")


def test_import_units_rejects_unknown_kind_naming_the_row_and_writes_nothing(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind\nSTP,Sở Tư pháp,department\nZ,Ban Z,planet\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_units", str(path), "--province", "Lào Cai", stdout=io.StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert (
        "units.csv / units / row 3 / column C [kind_unknown]" in err.getvalue() and "planet" in err.getvalue()
    )
    assert not Unit.objects.exists()


def test_campaign_gets_the_units_and_groups_of_its_year(province):
    Unit.objects.create(province=province, code="STP", name="Sở Tư pháp", kind="department")
    Unit.objects.create(
        province=province,
        code="BX",
        name="Huyện Bát Xát",
        kind="district",
        valid_until=datetime.date(2025, 6, 30),
    )
    Unit.objects.create(
        province=province,
        code="XBV",
        name="Xã Bản Vược",
        kind="commune",
        valid_from=datetime.date(2025, 7, 1),
    )
    old = create_campaign(slug="par-2023", kind="par_officials", year=2023, province=province)
    new = create_campaign(slug="par-2026", kind="par_officials", year=2026, province=province)
    assert set(old.units.values_list("code", flat=True)) == {"STP", "BX"}
    assert "district_leader" in old.groups.values_list("code", flat=True)
    # After 1 July 2025 there are no districts, so no district leaders to survey (docs/methodology.md §8.1).
    assert set(new.units.values_list("code", flat=True)) == {"STP", "XBV"}
    assert "district_leader" not in new.groups.values_list("code", flat=True)
    assert new.list_deadline == datetime.date(2026, 12, 10)


def test_create_campaign_command(province):
    out = io.StringIO()
    call_command(
        "create_campaign",
        "--slug",
        "par-2023",
        "--kind",
        "par_officials",
        "--year",
        "2023",
        "--province",
        "lào cai",
        stdout=out,
    )
    assert Campaign.objects.get(slug="par-2023").province == province
    with pytest.raises(CommandError):
        call_command(
            "create_campaign",
            "--slug",
            "par-2023",
            "--kind",
            "par_officials",
            "--year",
            "2023",
            "--province",
            "Lào Cai",
            stdout=io.StringIO(),
        )


def test_seed_demo_is_idempotent_and_has_every_role(db):
    call_command("seed_demo", "--year", "2026", stdout=io.StringIO())
    counts = (Unit.objects.count(), Respondent.objects.count(), Membership.objects.count())
    call_command("seed_demo", "--year", "2026", stdout=io.StringIO())
    assert (Unit.objects.count(), Respondent.objects.count(), Membership.objects.count()) == counts
    # Lào Cai: council, 16 departments, 9 districts (until 30 June 2025), 19 communes and wards (from 1 July
    # 2025); the former Yên Bái: 7 districts.
    assert counts[0] == 1 + 16 + 9 + 19 + 7 and 550 <= counts[1] <= 650
    campaign = Campaign.objects.get(slug="par-2026")
    assert (
        not campaign.units.filter(kind="district").exists()
        and campaign.units.filter(kind="commune").count() == 19
    )
    assert set(campaign.groups.values_list("code", flat=True)) >= {"commune_leader"}
    assert "district_leader" not in campaign.groups.values_list("code", flat=True)
    assert Respondent.objects.filter(campaign=campaign, group__code="commune_leader").exists()
    assert campaign.sipas_campaign.slug == "sipas-2026"
    earlier = Campaign.objects.get(slug="par-2024")
    assert (
        earlier.units.filter(kind="district").count() == 9
        and not earlier.units.filter(kind="commune").exists()
    )
    assert set(Membership.objects.values_list("role", flat=True)) == {"coordinator", "focal_point", "analyst"}
    names = Respondent.objects.values_list("full_name", flat=True)
    assert all(" " in n for n in names) and any("ễ" in n or "ị" in n or "ư" in n for n in names)


def test_export_command_writes_the_ministry_shape(db, tmp_path):
    call_command("seed_demo", "--year", "2026", stdout=io.StringIO())
    out = tmp_path / "list.xlsx"
    call_command("export_respondents", "--campaign", "par-2026", "-o", str(out), stdout=io.StringIO())
    workbook = load_workbook(out)
    sheet = workbook["Đại biểu HĐND tỉnh"]
    assert [c.value for c in sheet[1]] == [
        "STT",
        "Họ và tên",
        "Chức vụ",
        "Đơn vị",
        "Nhóm đối tượng",
        "Điện thoại",
        "E-mail",
    ]
    assert sheet.freeze_panes == "A2"
    assert sheet["F2"].value.startswith("0") and len(sheet["F2"].value) == 10
    summary = workbook["Tổng hợp"]
    total_row = [c.value for c in summary[summary.max_row]]
    assert total_row[1] == "Tổng cộng" and total_row[-1] == Respondent.objects.count()


@pytest.mark.parametrize(
    "rows",
    [
        [["A", "Xã A", "xã", "A"]],
        [["A", "Xã A", "xã", "B"], ["B", "Xã B", "xã", "A"]],
    ],
    ids=["own-parent", "two-unit-loop"],
)
def test_import_units_refuses_a_parent_loop(db, tmp_path, rows):
    path = write_xlsx(
        tmp_path / "units.xlsx", {"Units": [["Mã", "Tên đơn vị", "Loại", "Đơn vị cấp trên"], *rows]}
    )
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_units", str(path), "--province", "Lào Cai", stdout=io.StringIO(), stderr=err)
    assert "A" in err.getvalue() and not Unit.objects.exists()
