"""In a real browser (Debian's chromium, headless) against the live server: a coordinator loads the
Ministry's criteria table (check, then load) and reads the province's standing among all provinces on the
indices dashboard, with its source."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from scoring.models import CriteriaTree
from tests.analysis.indices_setup import scenario
from tests.analysis.test_standing import CSV_2023
from tests.factories import MembershipFactory, UserFactory
from tests.scoring.annex_files import write_xlsx
from tests.scoring.test_criteria_table import official_rows

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():  # fail, never skip: CI installs it
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture
def coordinator(transactional_db, province):
    user = UserFactory(username="dieu-phoi")
    user.set_password("pw")
    user.save()
    MembershipFactory(user=user, province=province)
    return user


def log_in(page, base_url: str, next_url: str) -> None:
    page.goto(f"{base_url}{reverse('login')}?next={next_url}")
    page.fill("#id_username", "dieu-phoi")
    page.fill("#id_password", "pw")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{next_url}")


def test_a_coordinator_checks_then_loads_the_official_table(
    browser, live_server, coordinator, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    broken = official_rows()
    broken[3][2] = "hai điểm"
    bad = write_xlsx(tmp_path / "phu-luc-sai.xlsx", broken)
    good = write_xlsx(tmp_path / "phu-luc-892.xlsx", official_rows())
    page = browser.new_page()
    url = reverse("scoring-criteria-import")
    log_in(page, live_server.url, url)
    page.fill("#id_title", "Chỉ số CCHC cấp tỉnh (Quyết định 892/QĐ-BNV)")
    page.fill("#id_expect", "8/37/88")
    page.set_input_files("#id_file", str(bad))
    page.click("#check")
    expect(page.locator("#status")).to_contain_text("chưa lưu gì")
    expect(page.locator("#problems")).to_contain_text("max_not_a_number")
    expect(page.locator("#problems")).to_contain_text("không phải là số")
    assert not CriteriaTree.objects.exists()
    page.set_input_files("#id_file", str(good))
    page.click("#check")
    expect(page.locator("#count-sub-criteria")).to_have_text("88")
    expect(page.locator("#status")).to_contain_text("chưa lưu gì")
    page.click("#load")
    expect(page.locator("#status")).to_contain_text("Đã nhập: par-province-892 phiên bản 1")
    expect(page.locator("#trees")).to_contain_text("892/QĐ-BNV")
    assert CriteriaTree.objects.get(code="par-province-892").nodes.count() == 8 + 37 + 88


def test_the_dashboard_shows_the_standing_among_all_provinces_with_its_source(
    browser, live_server, coordinator, tmp_path, province, units, campaign
):
    scenario(tmp_path, province, units, campaign)
    page = browser.new_page()
    url = reverse("indices-dashboard", args=["par-2023"])
    log_in(page, live_server.url, url)
    expect(page.locator("#no-national")).to_be_visible()
    expect(page.locator("#rank")).to_have_text("–")
    csv = tmp_path / "par-2023.csv"
    csv.write_text(CSV_2023, encoding="utf-8")
    call_command(
        "import_published_results", str(csv), "--year", "2023", "--source", "BNV 2023", stdout=io.StringIO()
    )
    page.reload()
    expect(page.locator("#rank")).to_have_text("4/5")
    expect(page.locator("#standing-source")).to_contain_text("BNV 2023")
    expect(page.locator("#standing-group-a")).to_have_text("6,83")
    expect(page.locator("#standing-components tbody tr")).to_have_count(2)
    expect(page.locator("#standing-losses")).to_be_visible()
    page.screenshot(path="/tmp/standing.png", full_page=True)
