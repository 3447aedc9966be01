"""Work lists and contact attempts: the replacement rule releases reserves in order and only by the rule,
AAPOR rates by hand; a design drawn on paper loaded from a workbook, with row-level errors."""

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook

from fieldwork.dispositions import final_disposition, outcome_rates, replacement_due
from fieldwork.models import ContactAttempt, DrawnUnit, FieldRecord, FieldSettings, SampleDesign
from fieldwork.sample_selectors import contact_rates, work_list
from fieldwork.selectors import design_frame
from fieldwork.services.contacts import record_attempt
from fieldwork.services.design import draw_sample
from fieldwork.services.design_file import import_sample_design
from fieldwork.services.review import set_review_state
from respondents.models import Unit
from tests.factories import UnitFactory
from tests.fieldwork.conftest import api_client, payload
from tests.fieldwork.test_sample_draw import SETTINGS, frame  # noqa: F401 - the frame fixture

NOW = timezone.now()


def attempt(unit, user, outcome, minutes=0):
    return record_attempt(
        unit=unit,
        user=user,
        outcome=outcome,
        attempted_at=NOW - datetime.timedelta(hours=5) + datetime.timedelta(minutes=minutes),
        client_uuid=uuid.uuid4(),
    )


# --- pure -------------------------------------------------------------------------------------------------


def test_aapor_rates_match_a_hand_computation():
    # I 40, P 5, R 10, NC 20, O 5, UH 10, NE 10: eligible known 80 of 90 → e = 8/9.
    rates = outcome_rates({"I": 40, "P": 5, "R": 10, "NC": 20, "O": 5, "UH": 10, "NE": 10})
    assert rates.e == pytest.approx(80 / 90)
    assert rates.rr1 == pytest.approx(40 / 90)
    assert rates.rr3 == pytest.approx(40 / (80 + 80 / 90 * 10))
    assert rates.ref1 == pytest.approx(10 / 90)
    assert rates.con1 == pytest.approx(60 / 90)
    assert rates.coop1 == pytest.approx(40 / 60)
    assert outcome_rates({}).rr1 is None


def test_the_final_disposition_is_the_interview_else_the_last_attempt():
    assert final_disposition(["not_at_home", "refused"], interviewed=False) == "R"
    assert final_disposition(["refused", "not_at_home"], interviewed=False) == "NC"
    assert final_disposition(["not_at_home"], interviewed=True) == "I"
    assert final_disposition([], interviewed=False) == "pending"


@pytest.mark.parametrize(
    ("outcomes", "due"),
    [
        (["not_at_home", "not_at_home"], False),
        (["not_at_home", "not_at_home", "other"], True),  # three failed attempts
        (["refused"], True),  # replaced at once
        (["moved"], True),
        (["not_at_home", "not_at_home", "partial"], False),
        ([], False),
    ],
)
def test_the_replacement_rule(outcomes, due):
    assert replacement_due(outcomes, after_attempts=3, at_once={"refused", "moved", "ineligible"}) is due


# --- work lists and attempts ----------------------------------------------------------------------------


@pytest.fixture
def sample(sipas, frame, field):  # noqa: F811
    return draw_sample(campaign=sipas, user=None, settings=SETTINGS).design


def test_a_replacement_is_released_only_by_the_rule_in_reserve_order(sample, field, sipas):
    enumerator = field["users"]["a"]
    listed = work_list(enumerator)
    assert len(listed) == 6 and all(not row["unit"].reserve for row in listed)
    unit = listed[0]["unit"]
    # Two absences: no replacement yet; the third one releases reserve 1 of the same village.
    assert attempt(unit, enumerator, "not_at_home").released is None
    assert attempt(unit, enumerator, "not_at_home", 60).released is None
    result = attempt(unit, enumerator, "not_at_home", 120)
    assert result.released is not None
    assert (result.released.reserve_order, result.released.parent_id) == (1, unit.parent_id)
    assert result.released.replaces_id == unit.pk
    # The reserve is in the work list, the replaced unit closed; a fourth attempt releases nothing more.
    rows = {row["unit"].pk: row for row in work_list(enumerator)}
    assert result.released.pk in rows and not rows[unit.pk]["open"]
    assert attempt(unit, enumerator, "refused", 180).released is None
    # A refusal releases at once (the next reserve, order 2) under the default setting.
    other = next(
        r["unit"] for r in listed if r["unit"].parent_id == unit.parent_id and r["unit"].pk != unit.pk
    )
    assert attempt(other, enumerator, "refused").released.reserve_order == 2
    # With no reserve left, the enumerator is told.
    third = next(
        r["unit"]
        for r in listed
        if r["unit"].parent_id == unit.parent_id and r["unit"].pk not in (unit.pk, other.pk)
    )
    assert attempt(third, enumerator, "moved").no_reserve_left


def test_the_rule_is_a_campaign_setting(sample, field, sipas):
    FieldSettings.objects.create(campaign=sipas, replace_after_attempts=1, replace_at_once=[])
    unit = work_list(field["users"]["a"])[0]["unit"]
    assert attempt(unit, field["users"]["a"], "not_at_home").released is not None


def test_attempts_are_idempotent_and_only_for_ones_own_work_list(sample, field):
    unit = work_list(field["users"]["a"])[0]["unit"]
    key = uuid.uuid4()
    first = record_attempt(
        unit=unit, user=field["users"]["a"], outcome="not_at_home", attempted_at=NOW, client_uuid=key
    )
    again = record_attempt(
        unit=unit, user=field["users"]["a"], outcome="not_at_home", attempted_at=NOW, client_uuid=key
    )
    assert (first.status, again.status) == ("created", "duplicate")
    assert ContactAttempt.objects.filter(drawn_unit=unit).count() == 1
    for user in ("c", "sup1"):
        assert attempt(unit, field["users"][user], "refused").status == "forbidden"
    reserve = DrawnUnit.objects.filter(parent=unit.parent, reserve=True).first()
    assert attempt(reserve, field["users"]["a"], "refused").status == "invalid"  # not released


def test_rates_per_team_and_commune_on_the_supervisors_page(sample, field, sipas, client):
    enumerator = field["users"]["a"]
    units = [row["unit"] for row in work_list(enumerator)]
    attempt(units[0], enumerator, "refused")
    attempt(units[1], enumerator, "not_at_home")
    body = payload(field["assignments"]["a"], drawn_unit=units[2].pk)
    record_id = api_client(enumerator).post("/api/v1/field/responses/", body, format="json").json()["id"]
    rates = contact_rates(sipas, None)["overall"]
    assert (rates.counts["I"], rates.counts["R"], rates.counts["NC"], rates.pending) == (1, 1, 1, 4)
    assert rates.rr1 == pytest.approx(1 / 3)
    # A rejected interview no longer counts as one.
    set_review_state(
        record=FieldRecord.objects.get(response_id=record_id),
        user=field["users"]["sup1"],
        state="rejected",
        reason="x",
    )
    assert contact_rates(sipas, None)["overall"].counts["I"] == 0
    client.force_login(field["users"]["sup1"])
    page = client.get("/field/contacts/?campaign=sipas-field")
    assert page.status_code == 200
    assert page.context["rows"][0]["kind"] == "overall"
    assert "RR1" in page.content.decode()


def test_the_work_list_page_records_an_attempt(sample, field, client):
    client.force_login(field["users"]["a"])
    page = client.get("/field/work-list/")
    assert page.status_code == 200 and len(page.context["rows"]) == 6
    unit = page.context["rows"][0]["unit"]
    client.post(
        f"/field/work-list/{unit.pk}/attempts/", {"outcome": "refused", "client_uuid": str(uuid.uuid4())}
    )
    assert ContactAttempt.objects.get(drawn_unit=unit).outcome == "refused"
    entry = client.get(f"/field/entry/{unit.assignment_id}/?unit={unit.pk}")
    assert entry.context["drawn_unit"] == unit


# --- design files -------------------------------------------------------------------------------------------


def design_workbook(path, *, strata=None, communes=None, villages=None):
    workbook = Workbook()
    sheets = [
        ("Tầng", ["Tầng", "Tên tầng", "Số xã trong khung", "Quy mô", "Số xã chọn"], strata),
        ("Xã", ["Tầng", "Xã", "Quy mô", "Số thôn trong khung", "Số thôn chọn"], communes),
        ("Thôn", ["Xã", "Thôn", "Quy mô", "Số hộ chọn", "Số phiếu"], villages),
    ]
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(["THIẾT KẾ MẪU SIPAS"])  # a title row above the header
        sheet.append(header)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def paper_communes(sipas, units):
    return {
        code: UnitFactory(
            province=sipas.province, code=code, name=name, kind=Unit.Kind.COMMUNE, parent=units["BATXAT"]
        )
        for code, name in (("XA-TT", "Xã Trịnh Tường"), ("XA-QT", "Xã Quang Kim"))
    }


def test_a_design_drawn_on_paper_gives_each_interview_its_weight(sipas, field, paper_communes, tmp_path):
    # Stratum of 1,000 households, 2 communes drawn by PPS: 600 (certain: 2·600/1000 ≥ 1) and 150
    # (π = 1·150/400 = 0.375). Villages: Thôn 1 (π₂ = 1·80/150) with 20 of its 80 households.
    path = design_workbook(
        tmp_path / "design.xlsx",
        strata=[["BX", "Bát Xát", 12, 1000, 2]],
        communes=[["BX", "XA-TT", 600, 6, 1], ["BX", "Quang Kim", 150, 3, 1]],
        villages=[["XA-TT", "Thôn Lũng Pô", 120, 30, 29], ["Xã Quang Kim", "Thôn 1", 80, 20, 20]],
    )
    report = import_sample_design(campaign=sipas, path=path)
    assert report.ok, [p.as_dict() for p in report.errors]
    village = DrawnUnit.objects.get(design__campaign=sipas, stage=2, name="Thôn 1")
    assert village.parent.probability == pytest.approx(0.375)
    assert village.probability == pytest.approx(80 / 150)
    assert DrawnUnit.objects.get(stage=1, code="XA-TT").certainty
    body = payload(field["assignments"]["a"], drawn_unit=village.pk, area=paper_communes["XA-QT"].pk)
    answer = api_client(field["users"]["a"]).post("/api/v1/field/responses/", body, format="json")
    assert answer.status_code == 201, answer.json()
    record = FieldRecord.objects.get(response_id=answer.json()["id"])
    assert (record.drawn_unit, record.drawn_village) == (None, village)
    record.review_state = "approved"
    record.save()
    row = design_frame(campaign=sipas).iloc[0]
    assert row["design_weight"] == pytest.approx(1 / (0.375 * (80 / 150) * (20 / 80)))
    assert (row["stratum"], row["psu"]) == ("BX", "XA-QT")


def test_a_bad_design_file_gets_row_level_errors_and_loads_nothing(sipas, paper_communes, tmp_path):
    path = design_workbook(
        tmp_path / "bad.xlsx",
        strata=[["BX", "Bát Xát", 12, 1000, 3]],  # says 3 communes drawn, lists 2
        communes=[["BX", "XA-TT", "sáu trăm", 6, 1], ["ZZ", "Xã Không Có", 150, 3, 1]],
        villages=[["XA-TT", "Thôn Lũng Pô", 120, 130, 29]],
    )
    report = import_sample_design(campaign=sipas, path=path)
    found = {(p.code, p.sheet, p.row, p.column) for p in report.errors}
    assert ("number_invalid", "Xã", 3, "C") in found
    assert not SampleDesign.objects.exists()
    path = design_workbook(
        tmp_path / "bad2.xlsx",
        strata=[["BX", "Bát Xát", 12, 1000, 3]],
        communes=[["BX", "XA-TT", 600, 6, 1], ["ZZ", "Xã Không Có", 150, 3, 1]],
        villages=[["XA-TT", "Thôn Lũng Pô", 120, 130, 29], ["XA-QT", "Thôn 1", 80, 20, 20]],
    )
    report = import_sample_design(campaign=sipas, path=path)
    found = {(p.code, p.sheet, p.row, p.column) for p in report.errors}
    assert ("stratum_unknown", "Xã", 4, "A") in found
    assert ("unit_unknown", "Xã", 4, "B") in found
    assert ("count_mismatch", "Thôn", 3, "D") in found  # 130 of 120 households
    assert ("psu_unknown", "Thôn", 4, "A") in found  # Quang Kim is not on the communes sheet
    assert ("count_mismatch", "Tầng", 3, "E") in found  # 3 drawn, 1 listed
    assert all(p.file == "bad2.xlsx" and p.message for p in report.errors)
    assert not SampleDesign.objects.exists()


def test_the_design_command_prints_errors_and_exits_1(sipas, paper_communes, tmp_path, capsys):
    path = design_workbook(tmp_path / "d.xlsx", strata=[], communes=[], villages=[])
    path.write_bytes(b"not a workbook")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_sample_design", str(path), "--campaign", sipas.slug)
    assert exit_.value.code == 1
    assert "file_unreadable" in capsys.readouterr().err


def test_the_draw_command_reproduces_with_its_seed(sipas, frame, field, capsys):  # noqa: F811
    call_command(
        "draw_sample",
        "--campaign",
        sipas.slug,
        "--seed",
        "99",
        "--psus",
        "2",
        "--villages",
        "1",
        "--units",
        "3",
    )
    first = list(DrawnUnit.objects.order_by("stage", "code").values_list("stage", "code", "reserve"))
    assert "seed 99" in capsys.readouterr().out
    call_command(
        "draw_sample",
        "--campaign",
        sipas.slug,
        "--seed",
        "99",
        "--psus",
        "2",
        "--villages",
        "1",
        "--units",
        "3",
    )
    assert list(DrawnUnit.objects.order_by("stage", "code").values_list("stage", "code", "reserve")) == first


def test_devices_get_their_work_list_and_send_attempts_through_the_api(sample, field):
    device = api_client(field["users"]["a"])
    items = device.get("/api/v1/field/work-list/").json()
    assert len(items) == 6 and {i["status"] for i in items} == {"open"}
    body = {
        "client_uuid": str(uuid.uuid4()),
        "drawn_unit": items[0]["id"],
        "outcome": "refused",
        "attempted_at": NOW.isoformat(),
    }
    first = device.post("/api/v1/field/contacts/", body, format="json")
    assert first.status_code == 201 and first.json()["released"] is not None
    again = device.post("/api/v1/field/contacts/", body, format="json")
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert len(device.get("/api/v1/field/work-list/").json()) == 7  # the released reserve
    assert api_client(field["users"]["c"]).get("/api/v1/field/work-list/").json() == []
    other = dict(body, client_uuid=str(uuid.uuid4()))
    assert (
        api_client(field["users"]["c"]).post("/api/v1/field/contacts/", other, format="json").status_code
        == 403
    )
