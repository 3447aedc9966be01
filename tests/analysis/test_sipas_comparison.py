"""SIPAS by commune/ward against the latest earlier year on comparable units: a commune continuing one
district takes its figure, one continuing several (here a district of a province merged in) combines them
population-weighted and says so; and import_unit_mapping's row-level errors."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from analysis.sipas.campaign import campaign_sipas
from analysis.sipas.comparison import previous_by_locality
from respondents.models import Campaign, Province, RespondentGroup, Unit, UnitSuccession
from surveys.models import Response
from surveys.services.questionnaires import load_questionnaire

V1 = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "sipas_citizens_v1.yaml"
ITEMS = ["access.location", "access.waiting_area", "access.equipment", "procedure.disclosed"]
ITEMS += [
    "procedure.documents",
    "procedure.fees",
    "procedure.time_limit",
    "staff.courtesy",
    "staff.listening",
]
ITEMS += ["staff.guidance", "staff.integrity", "result.on_time", "result.correct", "result.trips"]
CUT = datetime.date(2025, 7, 1)


def sipas_campaign(province, year, slug, answers_by_unit):
    campaign = Campaign.objects.create(
        slug=slug, name=slug, kind="sipas_citizens", year=year, province=province
    )
    campaign.groups.set(RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    campaign.units.set({unit for unit, _ in answers_by_unit})
    questionnaire = load_questionnaire(campaign=campaign, path=V1).questionnaire
    for unit, levels in answers_by_unit:
        for level in levels:
            given = dict.fromkeys(ITEMS, level)
            given |= {"feedback.ease": level, "feedback.handling": level, "feedback.informed": level}
            given |= {"feedback.outcome": level, "feedback.given": 1}
            Response.objects.create(
                campaign=campaign, questionnaire=questionnaire, unit=unit, answers=given, status="submitted"
            )
    return campaign


@pytest.fixture
def merged(db, standard_groups):
    home = Province.objects.create(code="lao-cai", name="Lào Cai")
    former = Province.objects.create(code="yen-bai", name="Yên Bái")
    d1 = Unit.objects.create(province=home, code="D1", name="Huyện Một", kind="district", valid_until=CUT)
    d2 = Unit.objects.create(province=former, code="D2", name="Huyện Hai", kind="district", valid_until=CUT)
    c1 = Unit.objects.create(province=home, code="C1", name="Xã Một", kind="commune", valid_from=CUT)
    c2 = Unit.objects.create(province=home, code="C2", name="Phường Hai", kind="commune", valid_from=CUT)
    UnitSuccession.objects.create(former=d1, new=c1, effective=CUT, population=100)
    UnitSuccession.objects.create(former=d1, new=c2, effective=CUT, population=50)
    UnitSuccession.objects.create(former=d2, new=c2, effective=CUT, population=150)
    # 2024: D1 5 of 6 satisfied on every item, D2 2 of 6
    sipas_campaign(home, 2024, "sipas-2024", [(d1, [5, 5, 4, 4, 5, 2])])
    sipas_campaign(former, 2024, "sipas-yen-bai-2024", [(d2, [5, 4, 2, 2, 1, 3])])
    now = sipas_campaign(home, 2026, "sipas-2026", [(c1, [4] * 6), (c2, [4, 4, 4, 1, 1, 1])])
    return now


def test_communes_compare_with_their_predecessor_districts_population_weighted(merged):
    result = campaign_sipas(merged, by=["locality"])
    previous = previous_by_locality(merged, result)
    assert previous["C1"].year == 2024
    assert previous["C1"].estimate == pytest.approx(5 / 6) and not previous["C1"].combined
    assert previous["C1"].sources == ["Huyện Một"]
    # C2 continues part of D1 (50 people) and the former Yên Bái's D2 (150 people)
    assert previous["C2"].estimate == pytest.approx((50 * 5 / 6 + 150 * 2 / 6) / 200)
    assert previous["C2"].combined and sorted(previous["C2"].sources) == ["Huyện Hai", "Huyện Một"]


def test_the_sipas_page_shows_the_comparison_and_says_when_predecessors_are_combined(merged, client):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="snv")
    MembershipFactory(user=user, province=merged.province)
    client.force_login(user)
    html = client.get(f"/campaigns/{merged.slug}/sipas/").content.decode()
    table = html.split('id="sipas-comparison"')[1].split("</table>")[0]
    c2 = table.split('data-locality="C2"')[1].split("</tr>")[0]
    assert 'data-combined="1"' in c2 and "Huyện Hai" in c2
    assert 'data-combined="1"' not in table.split('data-locality="C1"')[1].split("</tr>")[0]


def test_import_unit_mapping_loads_successions_and_names_bad_rows(db, standard_groups, tmp_path):
    home = Province.objects.create(code="lao-cai", name="Lào Cai")
    former = Province.objects.create(code="yen-bai", name="Yên Bái")
    Unit.objects.create(province=former, code="TPYB", name="Thành phố Yên Bái", kind="district")
    Unit.objects.create(province=home, code="PYENBAI", name="Phường Yên Bái", kind="commune")
    good = tmp_path / "map.csv"
    good.write_text(
        "Mã đơn vị cũ,Mã đơn vị mới,Ngày hiệu lực,Tỉnh cũ,Dân số\nTPYB,PYENBAI,01/07/2025,Yên Bái,60.000\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_unit_mapping", str(good), "--province", "Lào Cai", stdout=out)
    succession = UnitSuccession.objects.get()
    assert (succession.former.code, succession.new.code) == ("TPYB", "PYENBAI")
    assert (succession.effective, succession.population) == (CUT, 60000)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Mã đơn vị cũ,Mã đơn vị mới,Ngày hiệu lực,Tỉnh cũ\nTPYB,NOWHERE,2025-07-01,Yên Bái\n"
        "TPYB,PYENBAI,sometime,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_unit_mapping", str(bad), "--province", "Lào Cai", stdout=io.StringIO(), stderr=err
        )
    assert exit_info.value.code == 1
    lines = err.getvalue().splitlines()
    assert any("bad.csv / bad / dòng 2, B" in line and "NOWHERE" in line for line in lines)
    assert any("dòng 3, A" in line and "TPYB" in line for line in lines)  # TPYB is not a unit of Lào Cai
    assert any("dòng 3, C" in line and "sometime" in line for line in lines)
    assert UnitSuccession.objects.count() == 1
