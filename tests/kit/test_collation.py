"""Vietnamese alphabetical order wherever people or units are listed or exported (kit/collation.py,
docs/decisions.md D103): ICU's Vietnamese collation in Python, in PostgreSQL (vi-x-icu) and in SQLite (a
collation registered from the same ICU collator); a unit's own list keeps the order of its file."""

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kit.collation import sorted_vi, vi_order
from respondents.models import Respondent, Unit
from respondents.selectors import unit_list_status
from respondents.services.exporting import export_respondents
from surveys.selectors import non_responders, response_rates
from tests.factories import InvitationFactory, RespondentFactory, UnitFactory
from tests.surveys.respondent_setup import make_questionnaire

# Written out by hand in the order of the Vietnamese alphabet: a ă â b c d đ e ê … u ư v x y, tones after
# the letters. Code-point order puts Ấ, Đ and Ư after Z; stripping accents puts Đông before Dung.
UNITS = [
    "Xã Ấp Bắc",
    "Xã Bình Lư",
    "Xã Dung Phong",
    "Xã Đông Hà",
    "Xã Eo Gió",
    "Xã Uông Bí",
    "Xã Ưng Hòa",
    "Xã Vân Hồ",
]
PEOPLE = ["An Khánh", "Ăn Toàn", "Ân Minh", "Dương Bình", "Đỗ An", "Hà Linh", "Hạ Long", "Kế Toàn", "Khoa Lê"]


def scrambled(names: list[str]) -> list[str]:
    return names[1::2] + names[::2][::-1]


def test_python_sorts_in_vietnamese_order():
    assert sorted_vi(scrambled(PEOPLE)) == PEOPLE
    assert sorted(PEOPLE) != PEOPLE  # the test would fail with code-point order


@pytest.mark.django_db
def test_the_database_sorts_in_vietnamese_order(province):
    for name in scrambled(UNITS):
        UnitFactory(province=province, name=name, code=name[-4:].upper(), kind=Unit.Kind.COMMUNE)
    found = Unit.objects.filter(kind=Unit.Kind.COMMUNE).order_by(vi_order("name"))
    assert [u.name for u in found] == UNITS
    assert [
        u.name
        for u in Unit.objects.filter(kind=Unit.Kind.COMMUNE).order_by(vi_order("name", descending=True))
    ] == UNITS[::-1]


@pytest.fixture
def communes(province, campaign):
    units = [
        UnitFactory(province=province, name=n, code=f"X{i}", kind=Unit.Kind.COMMUNE)
        for i, n in enumerate(scrambled(UNITS))
    ]
    campaign.units.set(units)
    return units


@pytest.mark.django_db
def test_lists_of_units_are_in_vietnamese_order(campaign, communes):
    assert [row["unit"].name for row in unit_list_status(campaign)] == UNITS
    questionnaire = make_questionnaire(campaign)
    for unit in communes:
        InvitationFactory(
            respondent=RespondentFactory(campaign=campaign, unit=unit), questionnaire=questionnaire
        )
    assert [row["name"] for row in response_rates(campaign)["by_unit"]] == UNITS
    people = list(non_responders(campaign))
    assert [p.unit.name for p in people] == UNITS


@pytest.mark.django_db
def test_the_ministry_workbook_lists_units_alphabetically_and_each_units_people_in_file_order(
    campaign, communes, tmp_path
):
    unit = communes[0]
    for row, name in enumerate(scrambled(PEOPLE), start=2):
        RespondentFactory(campaign=campaign, unit=unit, full_name=name, source_row=row)
    path = tmp_path / "export.xlsx"
    export_respondents(campaign=campaign, path=path)
    workbook = load_workbook(path)
    summary = [row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)][:-1]
    assert summary == UNITS
    sheet = next(ws for ws in workbook.worksheets[1:] if ws.max_row > 1)  # the group of the factory
    people = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert people == scrambled(PEOPLE)  # the file's (rank) order, not re-sorted


@pytest.mark.django_db
def test_a_units_page_keeps_its_file_order_unless_the_user_sorts_by_name(
    client, coordinator, campaign, units
):
    for row, name in enumerate(scrambled(PEOPLE), start=2):
        RespondentFactory(campaign=campaign, unit=units["STP"], full_name=name, source_row=row)
    client.force_login(coordinator)
    url = reverse("unit", args=[campaign.slug, "STP"])
    as_sent = client.get(url).context["respondents"]
    assert [r.full_name for r in as_sent] == scrambled(PEOPLE)
    by_name = client.get(url + "?sort=name").context["respondents"]
    assert [r.full_name for r in by_name] == PEOPLE
    assert Respondent.objects.count() == len(PEOPLE)
