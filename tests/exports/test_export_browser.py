"""The analyst's export in a real browser (Debian's chromium): from the campaign's tab to the form, the job's
page and the zip, read back with pyreadstat; then "My files" from the site menu offers the same file.

The job runs as soon as the request that started it commits (in that request's thread), so the test does
not depend on the thread runner's timing; the runner and the page's polling are tested in
tests/jobs/test_jobs_browser.py."""

import io
import zipfile
from pathlib import Path

import pyreadstat
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from jobs import services
from jobs.models import Job
from tests.browser import log_in, new_page
from tests.exports.conftest import ADDED, PLAN

pytestmark = pytest.mark.integration


def test_an_analyst_downloads_the_spss_file_from_the_campaign_page_and_finds_it_in_my_files(
    browser, live_server, transactional_db, sipas, analyst, monkeypatch, tmp_path
):
    campaign, ids, weights = sipas
    analyst.set_password("pw")
    analyst.save()
    monkeypatch.setattr(services, "dispatch", services.run_job)
    page = new_page(browser, "vi-VN", accept_downloads=True)
    log_in(page, live_server.url, "phan-tich", reverse("campaign-tracking", args=[campaign.slug]))
    page.get_by_role("link", name="Dữ liệu cho phân tích").click()
    expect(page.locator("#export-pseudonymised-note")).to_be_visible()
    assert page.locator("input[name=personal]").count() == 0  # no grant: no personal-data box
    page.get_by_label("Định dạng").select_option("sav")
    page.locator("#responses-export-submit").click()

    page.wait_for_url(f"{live_server.url}/jobs/*/")
    expect(page.locator("#job-state")).to_have_text("Đã xong")
    expect(page.locator("#job-kept")).to_contain_text("Tệp được giữ đến")
    with page.expect_download() as download:
        page.locator("#job-download-link").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    bundle = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
    data = f"phieu-tra-loi-{campaign.slug}.sav"
    assert sorted(bundle.namelist()) == [f"phieu-tra-loi-{campaign.slug}.codebook.xlsx", data]
    sav = tmp_path / data
    sav.write_bytes(bundle.read(data))
    frame, meta = pyreadstat.read_sav(str(sav))
    assert len(frame) == len(PLAN) and list(frame["response_id"].astype(int)) == ids
    assert list(frame["design_weight"]) == weights
    assert ADDED.replace(".", "_") not in frame.columns  # free text: not in a pseudonymised file
    assert meta.variable_value_labels["service_access_signage"][5] == "Rất hài lòng"

    page.locator("nav.site").get_by_role("link", name="Tệp của tôi").click()  # the site menu
    (job,) = Job.objects.filter(owner=analyst)
    row = page.locator(f"#my-jobs tr[data-job='{job.pk}']")
    expect(row).to_contain_text(campaign.name)  # the campaign's name, not its slug
    expect(row).to_contain_text("Đã xong")
    with page.expect_download() as again:
        row.get_by_role("link", name=job.result_name).click()
    assert Path(again.value.path()).read_bytes() == saved.read_bytes()
    assert page.errors == []
