"""The coordinator's and focal point's pages, end to end through the Django test client."""

import datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from respondents.models import ImportBatch, Respondent
from tests.factories import RespondentFactory
from tests.workbooks import STANDARD_HEADER, person, write_xlsx


def test_coordinator_page_shows_who_has_sent_and_who_is_late(client, campaign, units, coordinator):
    RespondentFactory(campaign=campaign, unit=units["STP"])
    RespondentFactory(campaign=campaign, unit=units["STP"])
    client.force_login(coordinator)
    html = client.get(reverse("campaign", args=[campaign.slug])).content.decode()
    # The 2023 deadline has passed: the five units without a list are late, Sở Tư pháp has sent 2 people.
    assert html.count('class="badge late"') == 5
    assert html.count('class="badge ok"') == 1
    assert "1/6" in html


def test_page_is_in_vietnamese_by_default(client, campaign, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("campaign", args=[campaign.slug])).content.decode()
    assert 'lang="vi"' in html
    assert "Tải danh sách" in html  # "Download the list for the Ministry"


def test_english_is_available(client, campaign, coordinator):
    client.force_login(coordinator)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("campaign", args=[campaign.slug])).content.decode()
    assert 'lang="en"' in html
    assert "Download the list for the Ministry" in html


def test_focal_point_upload_imports_and_replaces_its_list(client, campaign, units, focal_stp, tmp_path):
    client.force_login(focal_stp)
    first = write_xlsx(tmp_path / "v1.xlsx", {"S": [STANDARD_HEADER, person(1), person(2)]})
    second = write_xlsx(tmp_path / "v2.xlsx", {"S": [STANDARD_HEADER, person(2), person(3)]})
    for path in (first, second):
        with path.open("rb") as fh:
            response = client.post(reverse("unit", args=[campaign.slug, "STP"]), {"file": fh})
        assert response.status_code == 200
    current = Respondent.objects.current().filter(unit=units["STP"])
    assert sorted(current.values_list("email", flat=True)) == ["nguoi2@laocai.gov.vn", "nguoi3@laocai.gov.vn"]
    assert Respondent.objects.filter(retired_at__isnull=False).count() == 1
    batch = ImportBatch.objects.filter(status="imported").first()
    assert (batch.uploaded_by, batch.source, batch.added, batch.retired) == (focal_stp, "web", 1, 1)


def test_rejected_upload_lists_errors_with_row_and_column(client, campaign, focal_stp, tmp_path):
    bad = person(1)
    bad[6] = "khong-co-a-cong"
    path = write_xlsx(tmp_path / "bad.xlsx", {"S": [STANDARD_HEADER, person(2), bad]})
    client.force_login(focal_stp)
    with path.open("rb") as fh:
        response = client.post(reverse("unit", args=[campaign.slug, "STP"]), {"file": fh})
    html = response.content.decode()
    assert response.status_code == 422
    assert "email_invalid" in html and "khong-co-a-cong" in html
    assert '<td class="num">3</td><td>G</td>' in html
    assert not Respondent.objects.exists()


def test_dry_run_upload_saves_nothing(client, campaign, focal_stp, tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", {"S": [STANDARD_HEADER, person(1)]})
    client.force_login(focal_stp)
    with path.open("rb") as fh:
        response = client.post(reverse("unit", args=[campaign.slug, "STP"]), {"file": fh, "dry_run": "on"})
    assert response.status_code == 200
    assert not Respondent.objects.exists() and not ImportBatch.objects.exists()


def test_coordinator_consolidated_upload_with_skip_invalid(client, campaign, coordinator, tmp_path):
    bad = person(3, unit="Sở Không Tồn Tại")
    path = write_xlsx(
        tmp_path / "all.xlsx", {"S": [STANDARD_HEADER, person(1), person(2, unit="Sở Nội vụ"), bad]}
    )
    client.force_login(coordinator)
    with path.open("rb") as fh:
        response = client.post(
            reverse("campaign-upload", args=[campaign.slug]), {"file": fh, "skip_invalid": "on"}
        )
    assert response.status_code == 200
    assert "unit_unknown" in response.content.decode()
    assert sorted(Respondent.objects.values_list("unit__code", flat=True)) == ["SNV", "STP"]


def test_export_download_has_one_sheet_per_group_and_keeps_formulas_as_text(
    client, campaign, units, coordinator, tmp_path
):
    RespondentFactory(campaign=campaign, unit=units["STP"], full_name='=HYPERLINK("http://x","y")')
    client.force_login(coordinator)
    response = client.get(reverse("campaign-export", args=[campaign.slug]))
    assert response.status_code == 200
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(path)
    assert workbook.sheetnames[0] == "Tổng hợp"
    assert len(workbook.sheetnames) == 1 + campaign.groups.count()
    cell = workbook["Lãnh đạo sở, ban, ngành"]["B2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


@pytest.mark.parametrize("days_after, late", [(-1, 0), (1, 5)])
def test_late_units_are_counted_against_the_deadline(client, campaign, units, coordinator, days_after, late):
    campaign.list_deadline = datetime.date.today() - datetime.timedelta(days=days_after)
    campaign.save()
    RespondentFactory(campaign=campaign, unit=units["STP"])
    client.force_login(coordinator)
    html = client.get(reverse("campaign", args=[campaign.slug])).content.decode()
    assert html.count('class="badge late"') == late


def test_vietnamese_is_shown_even_to_an_english_browser(client, campaign, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("campaign", args=[campaign.slug]), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in html.content.decode()


def test_unit_page_shows_phones_as_users_write_them(client, campaign, units, focal_stp):
    RespondentFactory(
        campaign=campaign, unit=units["STP"], phone="+84912345678", alternate_phones=["+842143840123"]
    )
    client.force_login(focal_stp)
    html = client.get(reverse("unit", args=[campaign.slug, "STP"])).content.decode()
    assert "0912 345 678" in html and "0214 3840 123" in html
