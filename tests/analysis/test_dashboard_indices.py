"""The index dashboard and its report download: who may see them, and what they show."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from fieldwork.models import FieldMember, FieldTeam
from scoring.models import ScoringRole
from surveys.models import Response
from tests.analysis.indices_setup import scenario
from tests.factories import UserFactory
from tests.jobs.follow import follow_job

URL = reverse("indices-dashboard", args=["par-2023"])
REPORT = reverse("indices-report", args=["par-2023"])


@pytest.fixture
def computed(tmp_path, province, units, campaign):
    scenario(tmp_path, province, units, campaign)
    # 3 of the 10 SIPAS questionnaires come from Sa Pa: below 5, that cell is suppressed.
    sipas = Response.objects.filter(campaign__slug__startswith="sipas-").order_by("pk")
    Response.objects.filter(pk__in=list(sipas.values_list("pk", flat=True)[:3])).update(unit=units["SAPA"])
    return campaign


@pytest.fixture
def council(province):
    user = UserFactory(username="council-member")
    ScoringRole.objects.create(user=user, role=ScoringRole.Role.COUNCIL, province=province)
    return user


def test_coordinator_sees_the_index_domains_sipas_and_officials(client, computed, coordinator):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="index">83,17<' in html
    assert 'id="band">Nhóm B<' in html
    assert 'id="rank">–<' in html and 'id="no-national"' in html  # no national table: never "1/1"
    assert 'id="change">+53,17<' in html
    assert 'id="domain-8"' in html and "9,90" in html
    assert 'id="sipas-index">80,00%' in html
    assert 'id="sipas-elements"' in html and "<svg" in html
    assert 'id="trend"' in html  # 2022 and 2023
    assert 'aria-current="page">' in html and URL in html  # the campaign navigation links here
    assert REPORT in html


def test_breakdowns_under_five_respondents_are_shown_suppressed(client, computed, coordinator):
    client.force_login(coordinator)
    html = client.get(URL).content.decode()
    by_unit = html.split('id="sipas-by-locality"')[1].split("</svg>")[0]
    bars = {
        chunk.split("</text>")[0].rsplit(">", 1)[1]: chunk for chunk in by_unit.split('<g class="bar')[1:]
    }
    assert bars["Thị xã Sa Pa"].startswith(' suppressed"') and "80.0%" not in bars["Thị xã Sa Pa"]
    assert (
        bars["Huyện Bát Xát"].startswith('"') and "71,4%" in bars["Huyện Bát Xát"]
    )  # 5 of 7; comma decimals as in tables


def test_council_members_and_superusers_see_the_dashboard(client, computed, council):
    client.force_login(council)
    assert client.get(URL).status_code == 200
    client.force_login(UserFactory(username="root", is_superuser=True))
    assert client.get(URL).status_code == 200


def test_report_is_prepared_as_a_job_and_downloads_as_xlsx(client, computed, coordinator):
    client.force_login(coordinator)
    assert client.get(REPORT).status_code == 405  # starting a job changes state: POST only
    response = follow_job(client, client.post(REPORT))
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="chi-so-par-2023.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Tổng hợp"
    cells = [str(v) for row in book["Tổng hợp"].iter_rows(values_only=True) for v in row if v is not None]
    assert any("Chỉ số" in c for c in cells)


def test_focal_points_scorers_and_enumerators_get_403(client, computed, focal_stp, units, province):
    enumerator = UserFactory(username="enumerator")
    team = FieldTeam.objects.create(campaign=computed, code="bd", name="Bưu điện")
    FieldMember.objects.create(team=team, user=enumerator, role="enumerator")
    scorer = UserFactory(username="scorer")
    ScoringRole.objects.create(
        user=scorer, role=ScoringRole.Role.SCORER, province=province, unit=units["STP"]
    )
    for user in (focal_stp, enumerator, scorer):
        client.force_login(user)
        assert client.get(URL).status_code == 403, user
        assert client.post(REPORT).status_code == 403, user


def test_anonymous_visitors_are_sent_to_the_login_page(client, computed):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_campaign_without_assessment_says_so(client, campaign, coordinator):
    client.force_login(coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'id="no-assessment"' in response.content.decode()
