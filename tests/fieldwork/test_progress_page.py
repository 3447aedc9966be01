"""The supervisor's progress page /field/progress/ and its xlsx export: who sees what, and what is shown."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import CampaignFactory
from tests.fieldwork.progress_setup import SCALE_ITEMS, at, field_setup, record

PAGE = "/field/progress/"


@pytest.fixture
def field(campaign, units):
    f = field_setup(campaign, units)
    record(f["a_land"], f["an"], when=at(1), form="BX-1", phone="+84912345678")
    record(f["a_binh"], f["binh"], when=at(2), form='=HYPERLINK("http://x")', duration=100)
    record(f["b_sapa"], f["chi"], when=at(2), form="SP-1", phone="+84912345678")
    record(f["b_sapa"], f["chi"], when=at(3), form="SP-2", answers={c: 3 for c in SCALE_ITEMS})
    return f


def test_the_progress_page_is_at_field_progress():
    assert reverse("field-progress") == PAGE


def test_an_enumerator_or_a_focal_point_cannot_see_the_supervisor_page(client, field, focal_stp):
    for user in (field["an"], field["chi"], focal_stp):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.get(reverse("field-progress-export")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, field):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_supervisor_sees_only_their_team_and_its_flags(client, field):
    client.force_login(field["sup-b"])
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-code="bd-sapa"' in html and 'data-code="bd-batxat"' not in html
    assert 'data-username="chi"' in html and 'data-username="an"' not in html
    flags = {(f["flag"].reason, f["flag"].form_number) for f in response.context["flags"]}
    assert flags == {("duplicate_phone", "SP-1"), ("straight_lining", "SP-2")}
    assert response.context["overall"]["submitted"] == 2 and response.context["overall"]["quota"] == 6


def test_a_coordinator_sees_every_team_the_chart_and_every_flag(client, field, coordinator):
    client.force_login(coordinator)
    response = client.get(PAGE)
    html = response.content.decode()
    assert 'data-code="bd-sapa"' in html and 'data-code="bd-batxat"' in html
    assert "<svg" in html and response.context["chart"].total == 4
    reasons = sorted(f["flag"].reason for f in response.context["flags"])
    assert reasons == ["below_floor", "duplicate_phone", "duplicate_phone", "straight_lining"]
    assert 'id="flag-count">4<' in html


def test_another_provinces_campaign_is_not_found_for_a_supervisor(client, field):
    other = CampaignFactory(slug="elsewhere")
    client.force_login(field["sup-a"])
    assert client.get(PAGE, {"campaign": other.slug}).status_code == 404
    assert client.get(PAGE, {"campaign": field["team_a"].campaign.slug}).status_code == 200


def test_the_export_has_progress_and_flags_and_keeps_a_formula_like_form_number_as_text(client, field):
    client.force_login(field["sup-a"])
    response = client.get(reverse("field-progress-export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    teams, enumerators, areas, days, flags = (book[name] for name in book.sheetnames)
    assert [c.value for c in teams[2]][:4] == ["bd-batxat", "Bưu điện Bát Xát", 14, 2]
    assert teams.max_row == 3  # the team and the total: team B is not there
    assert {row[1].value for row in enumerators.iter_rows(min_row=2)} == {"an", "binh"}
    assert areas.max_row == 3 and days.max_row == 3
    flag_rows = [[c.value for c in row] for row in flags.iter_rows(min_row=2)]
    assert sorted(r[1] for r in flag_rows) == ['=HYPERLINK("http://x")', "BX-1"]
    formula_like = next(row[1] for row in flags.iter_rows(min_row=2) if row[1].value.startswith("="))
    assert formula_like.data_type == "s"


def test_the_campaign_navigation_links_the_progress_page_when_the_campaign_has_field_teams(
    client, field, coordinator
):
    client.force_login(coordinator)
    html = client.get(f"/campaigns/{field['team_a'].campaign.slug}/tracking/").content.decode()
    assert f"{PAGE}?campaign={field['team_a'].campaign.slug}" in html
    html = client.get(PAGE).content.decode()
    assert 'aria-current="page">' in html
