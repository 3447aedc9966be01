"""The coordinator's whole round in a real browser (Debian's chromium, headless), with no command line:
create a campaign, upload an XLSForm questionnaire (groups, a likert grid, Vietnamese and English labels,
an and/or relevance), preview it on a phone and a desktop, answer it through a test link, edit the
invitation's wording, see the "send to N people" confirmation and send (real SMTP server)."""

import datetime
import email.header
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from respondents.models import Campaign, RespondentGroup
from surveys import tasks
from surveys.models import Invitation, Message, Response
from tests.factories import RespondentFactory
from tests.surveys import xlsforms
from tests.surveys.sending_setup import free_port, start_smtp, use_smtp

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOTS = Path("/tmp")


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():  # fail, never skip: CI installs it (.ci/run)
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture
def inbox(settings):
    port = free_port()
    box, controller = start_smtp(port)
    use_smtp(settings, port)
    yield box
    controller.stop()


@pytest.fixture
def send_in_the_request(monkeypatch):
    """The round is sent in the request rather than a background thread: the live server thread and the
    test already share SQLite's in-memory test database, and a third thread writing the same tables meets
    its table locks (production uses a file in WAL mode, or PostgreSQL). What is sent is the same."""
    from surveys.views import distribution

    monkeypatch.setattr(
        distribution,
        "send_in_background",
        lambda campaign_id: tasks.send_with_retries(campaign=Campaign.objects.get(pk=campaign_id)),
    )


@pytest.fixture
def tasks_in_process():
    from config.celery import app as celery_app

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}{reverse('login')}")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert reverse("login") not in page.url


def no_sideways_scroll(frame) -> bool:
    return frame.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def decoded(header: str) -> str:
    return str(email.header.make_header(email.header.decode_header(header)))


def test_a_coordinator_runs_a_round_from_the_browser(
    browser,
    transactional_db,
    live_server,
    settings,
    province,
    units,
    coordinator,
    inbox,
    tasks_in_process,
    send_in_the_request,
    tmp_path,
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    today = datetime.date.today()
    errors: list[str] = []
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base)

    # 1. A new SIPAS campaign for this year, open from today.
    page.goto(base + reverse("campaign-new"))
    form = page.locator("[data-campaign-form]")
    form.locator("#id_kind").select_option("sipas_citizens")
    form.locator("#id_year").fill(str(today.year))
    form.locator("#id_slug").fill("sipas-thu")
    form.locator("#id_name").fill("Khảo sát SIPAS thử")
    form.locator("#id_list_deadline").fill((today - datetime.timedelta(days=1)).isoformat())
    form.locator("#id_survey_opens").fill(today.isoformat())
    form.locator("#id_survey_closes").fill((today + datetime.timedelta(days=30)).isoformat())
    for box in form.locator("input[name=groups]").all():
        box.set_checked(box.get_attribute("value") in ("citizen", "organisation"))
    form.locator("#id_target_citizen").fill("70")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(base + reverse("campaign-settings", args=["sipas-thu"]))
    campaign = Campaign.objects.get(slug="sipas-thu")
    assert campaign.kind == "sipas_citizens" and campaign.units.count() == len(units)
    assert set(campaign.groups.values_list("code", flat=True)) == {"citizen", "organisation"}

    # 2. The XLSForm questionnaire, uploaded from the Questionnaires tab.
    page.get_by_role("link", name="Phiếu khảo sát", exact=True).click()
    page.locator("[data-upload-form] input[type=file]").set_input_files(
        str(xlsforms.hand_made(tmp_path / "phieu-thu.xlsx"))
    )
    page.locator("[data-upload-form] button[type=submit]").click()
    expect(page.locator("[data-questionnaires] tr[data-code=phieu-thu]")).to_be_visible()

    # 3. The preview: desktop shows the grid as a table; the phone frame stacks it without sideways scrolling.
    page.locator("[data-preview-link]").first.click()
    page.locator("[data-device=desktop]").click()
    frame = page.frame_locator("[data-preview-frame]")
    expect(frame.locator("#q-access")).to_be_hidden()  # the rating section waits for "used = yes"
    frame.locator("label[for=q-used-1]").click()
    expect(frame.locator("table.grid-table thead")).to_be_visible()  # a grid: one row per item
    expect(frame.locator("#q-access")).to_be_visible()
    page.locator("[data-device=phone]").click()
    frame = page.frame_locator("[data-preview-frame]")
    frame.locator("label[for=q-used-1]").click()
    expect(frame.locator("#q-access")).to_be_visible()
    expect(frame.locator("table.grid-table thead")).to_be_hidden()  # stacked rows on a phone
    phone_frame = page.frame(url=lambda url: "/preview/frame/" in url)
    assert phone_frame is not None and no_sideways_scroll(phone_frame)
    assert page.locator("[data-preview-frame]").bounding_box()["width"] <= 390 + 2 * 10 + 2
    page.screenshot(path=str(SCREENSHOTS / "campaign-preview-phone.png"), full_page=True)

    # 4. A test link, answered on a phone in English, with the and/or relevance and the grid.
    page.goto(base + reverse("campaign-questionnaires", args=["sipas-thu"]))
    page.locator("[data-test-link-form] #id_questionnaire").select_option(index=1)
    page.locator("[data-test-link-form] #id_label").fill("Thử trên điện thoại")
    page.locator("[data-test-link-form] button[type=submit]").click()
    message = page.locator(".messages .success").last.inner_text()
    link = message.split(": ", 1)[1].strip()
    assert "/s/" in link
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    respondent = phone.new_page()
    respondent.on("pageerror", lambda exc: errors.append(str(exc)))
    respondent.goto(link)
    expect(respondent.locator("[data-test-link]")).to_be_visible()
    respondent.locator("header button[value=en]").click()  # the language menu
    expect(respondent.locator("#q-age")).to_contain_text("Your age")
    respondent.locator("label[for=q-used-1]").click()
    respondent.locator("#q-age-input").fill("25")
    expect(respondent.locator("#q-channels")).to_be_hidden()  # yes, but neither 30+ nor under 20
    respondent.locator("#q-age-input").fill("45")
    expect(respondent.locator("#q-channels")).to_be_visible()
    respondent.locator("label[for=q-channels-2]").click()  # online: the contact group shows
    expect(respondent.locator("#group-contact")).to_be_visible()
    expect(respondent.locator("#q-portal")).to_be_visible()
    for code, option in (("access", 4), ("procedure", 5), ("staff", 3)):
        respondent.locator(f"label[for=q-{code}-{option}]").click()
    expect(respondent.locator("#save-status")).to_have_attribute("data-state", "saved")
    assert no_sideways_scroll(respondent)
    respondent.screenshot(path=str(SCREENSHOTS / "campaign-test-link-phone.png"), full_page=True)
    respondent.locator("button[data-submit]").click()
    expect(respondent.locator("[data-page=thanks]")).to_be_visible()
    response = Response.all_objects.get(campaign=campaign)
    assert response.is_test and response.status == "submitted"
    assert response.answers == {
        "used": "yes",
        "age": 45,
        "channels": ["online"],
        "access": 4,
        "procedure": 5,
        "staff": 3,
    }
    assert not Response.objects.filter(campaign=campaign).exists()
    phone.close()

    # The units' lists have arrived meanwhile (their import is the units' pages, tested elsewhere).
    citizen = RespondentGroup.objects.get(code="citizen")
    people = [
        RespondentFactory(campaign=campaign, unit=units["STP"], group=citizen, full_name="Nguyễn Văn An"),
        RespondentFactory(campaign=campaign, unit=units["SNV"], group=citizen, full_name="Trần Thị Bình"),
    ]

    # 5. The invitation's wording, with placeholders, previewed for a chosen respondent.
    page.goto(base + reverse("campaign-wording", args=["sipas-thu"]))
    page.locator("#respondent").select_option(str(people[1].pk))
    page.locator("[data-preview-respondent] button").click()
    block = page.locator("[data-wording=email-invitation]")
    block.locator("input[name=sender_name]").fill("Sở Nội vụ tỉnh Lào Cai")
    block.locator("input[name=subject]").fill("{ten} ơi, mời trả lời khảo sát {dot}")
    block.locator("textarea").fill(
        "Kính gửi {ten} ({don_vi}),\n\nMời trả lời trước {han}:\n{lien_ket}\n\nTrân trọng."
    )
    block.locator("button.primary").click()
    block = page.locator("[data-wording=email-invitation]")
    expect(block.locator("[data-sample]")).to_contain_text(
        "Trần Thị Bình ơi, mời trả lời khảo sát Khảo sát SIPAS thử"
    )
    expect(block.locator("[data-sample]")).to_contain_text("Sở Nội vụ")
    expect(page.locator("[data-wording=sms-invitation] [data-sms-length]")).to_contain_text("tin SMS")

    # 6. The confirmation says how many people, then the round goes.
    page.goto(base + reverse("campaign-distribution", args=["sipas-thu"]))
    page.locator("form:has(input[value=email-invitations]) button").click()
    expect(page.locator("[data-send-count]")).to_have_text("2")
    assert not Message.objects.exists()
    page.locator("[data-confirm-send]").click()
    expect(page.locator(".messages .success")).to_be_visible()
    assert sorted(r for rcpts, _m in inbox.messages for r in rcpts) == sorted(p.email for p in people)
    for _rcpts, mail in inbox.messages:
        assert "Sở Nội vụ tỉnh Lào Cai" in decoded(mail["From"])
        assert decoded(mail["Subject"]).endswith("ơi, mời trả lời khảo sát Khảo sát SIPAS thử")
    assert Invitation.objects.filter(campaign=campaign).count() == 2  # the test link is not one of them
    assert errors == []
