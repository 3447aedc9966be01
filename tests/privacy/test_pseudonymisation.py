"""Analysts see tracking and exports pseudonymised and with small rows hidden, until a coordinator grants
them the campaign's personal data; revoking takes it back."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from respondents.services.privacy import pseudonym
from surveys.services.tracking_privacy import suppress_small_rows
from tests.jobs.follow import follow_job

pytestmark = pytest.mark.django_db


def _page(client, user, name, slug, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=[slug]) + query)


def _export(client, user, slug) -> bytes:
    """The tracking workbook as `user` gets it: the job started, run and its file downloaded."""
    client.force_login(user)
    return follow_job(client, client.post(reverse("campaign-tracking-export", args=[slug]))).content


def _workbook_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        "|".join("" if v is None else str(v) for v in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def _row(html: str, table_id: str, code: str) -> str:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S).group(1)
    return re.search(rf'<tr data-code="{code}">(.*?)</tr>', table, re.S).group(1)


def _grant(client, coordinator, analyst, campaign, days=30):
    client.force_login(coordinator)
    until = timezone.localdate() + datetime.timedelta(days=days)
    return client.post(
        reverse("personal-data-grant", args=[campaign.slug]),
        {"analyst": analyst.pk, "valid_until": until.isoformat(), "reason": "Phân tích phi trả lời"},
    )


def test_a_pseudonym_is_stable_short_and_depends_on_the_key_and_the_person():
    assert pseudonym(42, key="k1") == pseudonym(42, key="k1")
    assert re.fullmatch(r"R-[A-Z2-7]{8}", pseudonym(42, key="k1"))
    assert pseudonym(42, key="k1") != pseudonym(42, key="k2")
    assert len({pseudonym(n, key="k1") for n in range(20_000)}) == 20_000


def test_suppression_blanks_rows_of_one_to_four_invited_but_not_empty_or_large_ones():
    row = {"invited": 0, "email_sent": 0, "email_failed": 0, "opened": 0, "started": 0, "submitted": 0}
    report = {
        "overall": {**row, "invited": 12, "submitted": 5, "response_rate": 41.7, "required": 6},
        "by_group": [{**row, "code": "a", "invited": 4, "submitted": 1, "response_rate": 25.0, "needed": 2}],
        "by_unit": [
            {**row, "code": "U0", "response_rate": None},
            {**row, "code": "U5", "invited": 5, "submitted": 1, "response_rate": 20.0},
        ],
        "by_district": [{**row, "code": "D", "invited": 1, "submitted": 1, "response_rate": 100.0}],
        "by_day": [{"date": datetime.date(2023, 12, 5), "submitted": 1}],
    }
    shown = suppress_small_rows(report)
    assert shown["by_group"][0]["suppressed"] and shown["by_group"][0]["submitted"] is None
    assert shown["by_group"][0]["needed"] is None
    assert [r["suppressed"] for r in shown["by_unit"]] == [False, False]
    # Participation within a row of 5 is shown (docs/decisions.md D32).
    assert shown["by_unit"][1]["submitted"] == 1
    assert shown["by_district"][0]["response_rate"] is None
    assert shown["by_day"] == report["by_day"] and report["by_group"][0]["submitted"] == 1  # a copy


def test_analyst_dashboard_hides_units_and_groups_of_fewer_than_five_invited(
    client, analyst, tracked, campaign
):
    response = _page(client, analyst, "campaign-tracking", campaign.slug)
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt; 5" in _row(html, "by-unit", "SNV") and ">3<" not in _row(html, "by-unit", "SNV")
    assert ">8<" in _row(html, "by-unit", "STP")
    assert "&lt; 5" in _row(html, "by-group", "division_leader")
    assert ">9<" in _row(html, "by-group", "dept_leader")
    assert 'id="suppression-note"' in html


def test_coordinator_dashboard_shows_every_row(client, coordinator, tracked, campaign):
    html = _page(client, coordinator, "campaign-tracking", campaign.slug).content.decode()
    assert ">3<" in _row(html, "by-unit", "SNV") and "&lt; 5" not in html


def test_analyst_non_responders_are_pseudonyms_without_names_phones_or_emails(
    client, analyst, tracked, campaign
):
    html = _page(client, analyst, "campaign-non-responders", campaign.slug).content.decode()
    stp_waiting = tracked["STP"][3:]
    for person in stp_waiting:
        assert pseudonym(person.pk) in html
    assert "Bí Mật" not in html and "@laocai.gov.vn" not in html and "091200" not in html
    assert "Phó Giám đốc" not in html
    # SNV has 3 invited: its non-responders are left out with its row.
    assert all(pseudonym(p.pk) not in html for p in tracked["SNV"])
    snv = _page(client, analyst, "campaign-non-responders", campaign.slug, "?unit=SNV")
    assert snv.status_code == 404


def test_analyst_export_is_pseudonymised_and_suppressed(client, analyst, tracked, campaign):
    text = _workbook_text(_export(client, analyst, campaign.slug))
    assert "Bí Mật" not in text and "@laocai.gov.vn" not in text and "Họ và tên" not in text
    assert "Điện thoại" not in text and "Chức vụ" not in text
    assert pseudonym(tracked["STP"][5].pk) in text
    assert "SNV|Sở Nội vụ|< 5" in text
    assert "STP|Sở Tư pháp|8|" in text


def test_after_a_grant_the_analyst_sees_names_and_after_revoking_no_longer(
    client, coordinator, analyst, tracked, campaign
):
    assert _grant(client, coordinator, analyst, campaign).status_code == 302
    html = _page(client, analyst, "campaign-non-responders", campaign.slug).content.decode()
    name = tracked["STP"][5].full_name
    assert name in html and tracked["STP"][5].email in html
    exported = _workbook_text(_export(client, analyst, campaign.slug))
    assert name in exported and "Họ và tên" in exported
    assert "SNV|Sở Nội vụ|< 5" in exported  # the grant is about names, not about small rows

    client.force_login(coordinator)
    revoked = client.post(reverse("personal-data-revoke", args=[campaign.slug]), {"analyst": analyst.pk})
    assert revoked.status_code == 302
    html = _page(client, analyst, "campaign-non-responders", campaign.slug).content.decode()
    assert name not in html and pseudonym(tracked["STP"][5].pk) in html
    exported = _workbook_text(_export(client, analyst, campaign.slug))
    assert name not in exported


def test_an_expired_grant_gives_nothing(client, coordinator, analyst, tracked, campaign):
    from respondents.models import PersonalDataGrant

    _grant(client, coordinator, analyst, campaign)
    PersonalDataGrant.objects.update(valid_until=timezone.localdate() - datetime.timedelta(days=1))
    html = _page(client, analyst, "campaign-non-responders", campaign.slug).content.decode()
    assert tracked["STP"][5].full_name not in html


def test_only_the_provinces_coordinator_grants_and_only_to_its_analysts(
    client, coordinator, analyst, focal_stp, campaign
):
    assert _grant(client, analyst, analyst, campaign).status_code == 403
    assert _grant(client, focal_stp, analyst, campaign).status_code == 403
    assert _page(client, analyst, "personal-data-access", campaign.slug).status_code == 403
    # A focal point is not an analyst: not in the choices, nothing granted.
    _grant(client, coordinator, focal_stp, campaign)
    assert not campaign.personal_data_grants.exists()
    page = _page(client, coordinator, "personal-data-access", campaign.slug)
    assert page.status_code == 200 and "analyst" in page.content.decode()


def test_focal_points_and_outsiders_get_no_tracking_dashboard_or_export(client, focal_stp, campaign):
    assert _page(client, focal_stp, "campaign-tracking", campaign.slug).status_code == 403
    client.force_login(focal_stp)
    assert client.post(reverse("campaign-tracking-export", args=[campaign.slug])).status_code == 403


def test_analysts_see_the_index_dashboard(client, analyst, campaign):
    from analysis.permissions import can_view_indices

    assert can_view_indices(analyst, campaign)
