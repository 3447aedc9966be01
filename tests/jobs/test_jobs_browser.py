"""The tracking workbook as a job in a real browser: the coordinator presses the button, the job's page shows
its progress while the work is held half-way, then, without a reload (the page polls status.json), the
download link; the downloaded file is the workbook. Thread runner (no broker), as `make run` has it."""

import io
import threading
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from jobs import registry, services
from surveys.jobs import TRACKING_WORKBOOK
from tests.browser import log_in, new_page
from tests.factories import InvitationFactory, QuestionnaireFactory, RespondentFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def held_job(monkeypatch):
    """The tracking kind, holding after its first progress report until released."""
    original = registry.kind(TRACKING_WORKBOOK)
    reported, release = threading.Event(), threading.Event()

    def held(*, job_params, progress):
        def report(percent, message=""):
            progress(percent, message)
            if not reported.is_set():
                reported.set()
                release.wait(timeout=30)

        return original.fn(job_params=job_params, progress=report)

    monkeypatch.setitem(
        registry._KINDS,
        TRACKING_WORKBOOK,
        registry.JobKind(TRACKING_WORKBOOK, held, original.may_see, original.oversees),
    )
    yield reported, release
    release.set()


def test_the_coordinator_follows_the_tracking_job_and_downloads_the_workbook(
    browser, live_server, transactional_db, campaign, units, coordinator, held_job
):
    if services.broker_configured():
        pytest.skip("the browser test follows the thread runner; Celery is tested in test_jobs.py")
    coordinator.set_password("pw")
    coordinator.save()
    questionnaire = QuestionnaireFactory(campaign=campaign)
    for i in range(3):
        person = RespondentFactory(campaign=campaign, unit=units["STP"], full_name=f"Người chưa trả lời {i}")
        InvitationFactory(campaign=campaign, respondent=person, questionnaire=questionnaire)
    reported, release = held_job
    page = new_page(browser, "vi-VN", accept_downloads=True)
    tracking = reverse("campaign-tracking", args=[campaign.slug])
    log_in(page, live_server.url, "coordinator", tracking)
    page.locator("#tracking-export").click()
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    assert reported.wait(timeout=20)
    expect(page.locator("#job-message")).to_have_text("Đang tính tỷ lệ trả lời", timeout=10_000)
    expect(page.locator("#job-percent")).to_have_text("5%")
    expect(page.locator("#job-state")).to_have_text("Đang thực hiện")
    assert page.locator("#job-download").is_hidden()
    release.set()
    expect(page.locator("#job-download-link")).to_be_visible(timeout=20_000)
    expect(page.locator("#job-state")).to_have_text("Đã xong")
    with page.expect_download() as download:
        page.locator("#job-download-link").click()
    assert download.value.suggested_filename == f"theo-doi-tra-loi-{campaign.slug}.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    names = [row[2] for row in book["Chưa trả lời"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == [f"Người chưa trả lời {i}" for i in range(3)]
    assert page.errors == []
    for thread in list(services.background_threads):
        thread.join(timeout=30)
