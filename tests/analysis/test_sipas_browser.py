"""The SIPAS campaign's pages in a real browser (Debian's chromium, headless) against the live server: a
coordinator opens the SIPAS campaign (its interviews, parts, policy groups, perceptions), uploads a
population table with bad rows (each named by row and column, nothing stored), then a good one, cannot
confirm it alone; a second coordinator confirms it and the figures become calibrated."""

from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from analysis.models import MarginSet
from respondents.models import Campaign, RespondentGroup
from surveys.models import Response
from surveys.services.definitions import parse_definition_file, questions
from surveys.services.questionnaires import load_questionnaire
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DEFINITION = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "sipas_citizens.yaml"


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
def sipas(transactional_db, standard_groups, live_server, province, units):
    campaign = Campaign.objects.create(
        slug="sipas-2026", name="SIPAS 2026", kind="sipas_citizens", year=2026, province=province
    )
    campaign.groups.set(RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    campaign.units.set([units["BATXAT"], units["SAPA"]])
    questionnaire = load_questionnaire(campaign=campaign, path=DEFINITION).questionnaire
    scale = [
        q["code"] for q in questions(parse_definition_file(DEFINITION).definition) if q["type"] == "scale"
    ]
    plan = [("BATXAT", 5, "female", "60+")] * 4 + [("BATXAT", 2, "male", "18-29")] * 3
    plan += [("SAPA", 4, "female", "30-44")] * 3 + [("SAPA", 3, "male", "45-59")] * 3
    for unit, level, gender, age in plan:
        answers = dict.fromkeys(scale, level) | {"background.gender": gender, "background.age_group": age}
        answers |= {"service.feedback.given": 1, "perception.harassment": 2 if level > 3 else 1}
        Response.objects.create(
            campaign=campaign,
            questionnaire=questionnaire,
            unit=units[unit],
            mode="paper",
            answers=answers,
            status="submitted",
        )
    for username in ("snv", "snv-2"):
        MembershipFactory(user=UserFactory(username=username), province=province)
    return campaign, live_server.url


def log_in(page, base_url: str, username: str, next_url: str) -> None:
    page.goto(f"{base_url}{reverse('login')}?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.keyboard.press("Enter")


def test_coordinators_see_the_sipas_campaign_and_weight_it_with_confirmed_margins(browser, sipas, tmp_path):
    campaign, base_url = sipas
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The campaign's own page leads to its interviews and SIPAS, not to respondent lists.
    log_in(page, base_url, "snv", reverse("campaign", args=[campaign.slug]))
    expect(page.locator("#interviews-counting")).to_have_text("13")
    expect(page.locator("#sipas-weighting")).to_contain_text("chưa có thiết kế mẫu và biên dân số")
    expect(page.locator("#sipas-parts tr[data-part='policy']")).to_contain_text(
        "Xây dựng, tổ chức thực hiện chính sách"
    )
    expect(page.locator("#sipas-parts tr[data-method='sipas-1001-pooled']")).to_be_visible()
    expect(page.locator("#sipas-policy svg")).to_be_visible()
    expect(page.locator("#perceptions tr[data-question='perception.harassment']").first).to_be_visible()

    # A table with a bad row: every problem named by row and column, nothing stored.
    page.get_by_role("link", name="Biên dân số").first.click()
    bad = tmp_path / "dan-so.csv"
    bad.write_text(
        "Mã xã,Giới tính,Nhóm tuổi,Dân số\nBATXAT,Nam,18-29,1000\nNOWHERE,Nữ,60+,1200\n"
        "SAPA,Khác,30-44,nhiều\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(bad))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    problems = page.locator("#margins-errors li")
    expect(problems).to_have_count(3)
    expect(problems.nth(0)).to_contain_text("dòng 3")
    expect(problems.nth(0)).to_contain_text("NOWHERE")
    expect(problems.nth(2)).to_contain_text("cột D")
    assert not MarginSet.objects.exists()

    good = tmp_path / "dan-so-dung.csv"
    rows = ["Mã xã,Giới tính,Nhóm tuổi,Dân số"]
    rows += [f"BATXAT,{g},{a},{p}" for g, a, p in [("Nữ", "60+", 400), ("Nam", "18-29", 600)]]
    rows += [f"SAPA,{g},{a},{p}" for g, a, p in [("Nữ", "30-44", 900), ("Nam", "45-59", 300)]]
    good.write_text("\n".join(rows) + "\n", encoding="utf-8")
    page.set_input_files("#id_file", str(good))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.locator("#margin-sets tr[data-status='pending']")).to_have_count(1)
    page.get_by_role("button", name="Xác nhận").click()  # the uploader cannot confirm alone
    expect(page.locator("p.error")).to_contain_text("cán bộ điều phối khác")
    context.close()

    # A second coordinator confirms: the figures are now calibrated to the table.
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="vi-VN")
    page = context.new_page()
    log_in(page, base_url, "snv-2", reverse("sipas-margins", args=[campaign.slug]))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator("#margin-sets tr[data-status='confirmed']")).to_have_count(1)
    page.goto(f"{base_url}{reverse('sipas-campaign', args=[campaign.slug])}")
    expect(page.locator("#sipas-weighting")).to_contain_text("hiệu chỉnh theo biên dân số")
    expect(page.locator("#sipas-deff")).not_to_have_text("–")
    assert MarginSet.objects.get().decided_by.username == "snv-2"
    assert errors == []
    context.close()
