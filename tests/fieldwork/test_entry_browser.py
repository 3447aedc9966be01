"""The entry page in a real browser (Debian's chromium, headless) against the live server: an enumerator
logs in and keys paper forms with the keyboard only, loses the connection, keeps entering, and the queued
form is sent once when the connection returns, even when the first reply is lost on the way back; a
rejected form stays listed until corrected; double entry and the supervisor's decision."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright
from rest_framework.test import APIClient

from fieldwork.models import Assignment, FieldRecord
from surveys.models import Response
from tests.surveys.respondent_setup import make_questionnaire

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/field-entry.png")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM synchronously.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():  # fail, never skip: CI installs it
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # The ORM calls made while the loop ran used their own connection: close it, or PostgreSQL refuses
        # to drop the test database at the end.
        connections.close_all()


@pytest.fixture
def setup(transactional_db, cable, field, commune):
    return field, commune, cable.url


def log_in(page, base_url: str, username: str, next_url: str) -> None:
    """The login form, keyboard only (the username field has the focus)."""
    page.goto(f"{base_url}{reverse('login')}?next={next_url}")
    expect(page.locator("#id_username")).to_be_focused()  # autofocus, once the page has loaded
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("pw")
    page.keyboard.press("Enter")


def focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_an_enumerator_keys_two_forms_one_offline_and_both_arrive_once(browser, setup, cable):
    field, commune, base_url = setup
    assignment = field["assignments"]["a"]
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    entry_url = reverse("field-entry-page", args=[assignment.pk])
    log_in(page, base_url, "field-a", entry_url)
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    assert focused(page) == "f-form-number"
    waiting = page.locator("#waiting-count")
    today = page.locator("#today-count")
    expect(today).to_have_text("0")

    # Form 1: header fields, then the questions; a digit answers and moves on.
    page.keyboard.type("BX-001")
    page.keyboard.press("Enter")  # interview time: now (kept)
    assert focused(page) == "f-interviewed-at"
    page.keyboard.press("Enter")
    page.keyboard.type("15")  # minutes
    page.keyboard.press("Enter")
    assert focused(page) == "f-mode"  # paper by default
    page.keyboard.press("Enter")
    assert focused(page) == "f-area"
    page.keyboard.press("ArrowDown")  # the commune under the district
    expect(page.locator("#f-area")).to_have_value(str(commune.pk))
    page.keyboard.press("Enter")
    page.keyboard.type("0912 345 678")
    page.keyboard.press("Tab")
    assert focused(page) == "q-q1-1"
    expect(page.locator("#q-q2")).to_be_hidden()
    page.keyboard.press("1")  # q1 = yes: the skip rule shows q2, and the focus goes there
    expect(page.locator("#q-q2")).to_be_visible()
    assert focused(page) == "q-q2-1"
    page.keyboard.press("1")  # several answers: each digit ticks one
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    assert focused(page) == "q-q3-input"
    page.keyboard.type("75")  # out of range: said at once, next to the field
    expect(page.locator("#q-q3-error")).not_to_be_empty()
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("12")
    expect(page.locator("#q-q3-error")).to_be_empty()
    page.keyboard.press("Enter")
    page.keyboard.press("4")  # scale: the value printed on the form
    assert focused(page) == "q-q5-input"
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.keyboard.press("Control+Enter")

    expect(page.locator("#connection")).to_have_attribute("data-state", "sent", timeout=10_000)
    expect(waiting).to_have_text("0")
    expect(today).to_have_text("1")
    assert focused(page) == "f-form-number"  # a blank form, ready for the next paper
    expect(page.locator("#f-form-number")).to_have_value("")
    expect(page.locator("#q-q1-1")).not_to_be_checked()
    assert Response.objects.count() == 1

    # Offline: form 2 stays on the device, listed as waiting (the cable pulled out too: tests/browser.py).
    context.set_offline(True)
    cable.pull_out()
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
    page.keyboard.type("BX-002")
    for _field in range(6):  # form number, time, minutes (none), mode, area (kept: the commune), phone
        page.keyboard.press("Enter")
    assert focused(page) == "q-q1-1"
    page.keyboard.press("2")  # q1 = no: q2 stays hidden and is passed over
    assert focused(page) == "q-q3-input"
    page.keyboard.type("7")
    page.keyboard.press("Control+Enter")  # q4 unanswered: not saved, the problems are listed
    summary = page.locator("#entry-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.locator("li")).to_have_count(1)
    expect(page.locator("#q-q4-error")).not_to_be_empty()
    expect(waiting).to_have_text("0")
    page.keyboard.press("Tab")  # to the problem's link
    page.keyboard.press("Enter")  # which puts the focus on the question
    assert focused(page).startswith("q-q4-")
    page.keyboard.press("0")  # "don't know"
    page.keyboard.type("Phiếu ghi thêm")
    page.keyboard.press("Control+s")

    expect(waiting).to_have_text("1")
    expect(page.locator("#queue-list li[data-state=waiting]")).to_contain_text("BX-002")
    page.screenshot(path="/tmp/field-entry-offline.png")
    expect(today).to_have_text("2")  # one on the server, one waiting here
    expect(summary).to_be_hidden()
    assert Response.objects.count() == 1

    # Back online, but the first reply is lost on its way back: the page sends again, the server answers
    # "duplicate", and the form counts as sent.
    lost = []

    def lose_first_reply(route):
        if lost:
            route.continue_()
            return
        reply = route.fetch()  # the server stores the form...
        lost.append(reply.status)
        route.abort()  # ...and the browser never hears of it

    page.route("**/api/v1/field/responses/batch/", lose_first_reply)
    cable.plug_in()
    context.set_offline(False)
    expect(waiting).to_have_text("0", timeout=20_000)
    assert lost == [200]
    expect(page.locator("#queue-list li")).to_have_count(0)
    expect(today).to_have_text("2")

    stored = {r.field_record.form_number: r for r in Response.objects.select_related("field_record")}
    assert sorted(stored) == ["BX-001", "BX-002"]
    first, second = stored["BX-001"], stored["BX-002"]
    assert first.answers == {"q1": "yes", "q2": ["direct", "online"], "q3": 12, "q4": 4}
    assert second.answers == {"q1": "no", "q3": 7, "q4": 0, "q5": "Phiếu ghi thêm"}
    for response in (first, second):
        assert (response.mode, response.unit, response.status) == ("paper", commune, "submitted")
        assert response.entered_by == field["users"]["a"]
        assert response.field_record.source == FieldRecord.Source.PAGE
    assert first.field_record.duration_seconds == 900
    assert first.field_record.respondent_phone == "+84912345678"
    assert second.field_record.duration_seconds is None
    # The interview time defaulted to the moment the form was started (the browser's local time).
    assert abs(first.field_record.interviewed_at - first.submitted_at) < datetime.timedelta(minutes=5)
    assert errors == []
    context.close()


def test_a_form_the_server_rejects_stays_listed_with_its_error_until_corrected(browser, setup):
    field, _commune, base_url = setup
    assignment = field["assignments"]["a"]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    entry_url = reverse("field-entry-page", args=[assignment.pk])
    log_in(page, base_url, "field-a", entry_url)
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    page.keyboard.type("BX-050")
    for _field in range(5):  # form number, time, minutes, mode, area
        page.keyboard.press("Enter")
    page.keyboard.type("0000 000 000")  # ten digits, but no Vietnamese number: only the server knows
    page.keyboard.press("Enter")
    page.keyboard.press("2")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.keyboard.press("5")
    page.keyboard.press("Control+Enter")

    rejected = page.locator("#queue-list li[data-state=rejected]")
    expect(rejected).to_contain_text("BX-050", timeout=10_000)
    expect(rejected.locator(".queue-errors")).not_to_be_empty()
    expect(page.locator("#connection")).to_have_attribute("data-state", "rejected")
    page.screenshot(path="/tmp/field-entry-phone.png", full_page=True)
    expect(page.locator("#waiting-count")).to_have_text("1")
    assert Response.objects.count() == 0

    # Page reload: the rejected form is still there (kept in the browser), and can be corrected.
    page.reload()
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    expect(rejected).to_contain_text("BX-050")
    rejected.locator("button[data-action=correct]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#f-form-number")).to_have_value("BX-050")
    expect(page.locator("#h-phone-error")).not_to_be_empty()
    assert focused(page) == "f-phone"
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#waiting-count")).to_have_text("0", timeout=10_000)
    response = Response.objects.get()
    assert response.field_record.form_number == "BX-050"
    assert response.answers == {"q1": "no", "q3": 3, "q4": 5}
    context.close()


def test_a_second_clerk_re_enters_a_form_and_the_supervisor_keeps_the_papers_value(browser, setup):
    field, _commune, base_url = setup
    assignment = field["assignments"]["team1"]
    field["teams"]["1"].verify_percent = 100  # every form is drawn for double entry, SP-7 among them
    field["teams"]["1"].save()
    first = APIClient()
    first.force_login(field["users"]["a"])
    body = {
        "client_uuid": str(uuid.uuid4()),
        "assignment": assignment.pk,
        "questionnaire": assignment.questionnaire_id,
        "mode": "paper",
        "form_number": "SP-7",
        "interviewed_at": (timezone.now() - datetime.timedelta(hours=3)).isoformat(),
        "answers": {"q1": "no", "q3": 12, "q4": 4},
    }
    assert first.post("/api/v1/field/responses/", body, format="json").status_code == 201

    # The enumerator who keyed it first may not be its second entry: the form stays listed, refused.
    own = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Ho_Chi_Minh")
    page = own.new_page()
    log_in(page, base_url, "field-a", reverse("field-verify-page", args=[assignment.pk]) + "?form=SP-7")
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    for _field in range(6):
        page.keyboard.press("Enter")
    page.keyboard.press("2")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    page.keyboard.press("4")
    page.keyboard.press("Control+Enter")
    refused = page.locator("#queue-list li[data-state=rejected]")
    expect(refused).to_contain_text("SP-7", timeout=10_000)
    expect(refused.locator(".queue-errors")).to_contain_text(
        page.locator("#h-form-number").get_attribute("data-label")
    )
    own.close()

    # The clerk, from the list of forms chosen for checking, keys the form again: q4 read as 2.
    clerk = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Ho_Chi_Minh")
    page = clerk.new_page()
    verify_url = reverse("field-verify-page", args=[assignment.pk]) + "?form=SP-7"
    log_in(page, base_url, "field-clerk", verify_url)
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    expect(page.locator("#f-form-number")).to_have_value("SP-7")
    for _field in range(6):
        page.keyboard.press("Enter")
    page.keyboard.press("2")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    page.keyboard.press("2")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#connection")).to_have_attribute("data-state", "sent", timeout=10_000)
    expect(page.locator("#waiting-count")).to_have_text("0")
    expect(page.locator("#entry-notice")).to_have_attribute("data-state", "info")  # "1 answer differs"
    expect(page.locator("#entry-notice")).to_contain_text("SP-7")
    clerk.close()
    assert Response.objects.count() == 1  # the re-entry is not a second response

    # The supervisor keeps the second entry's value, with the keyboard.
    supervisor = browser.new_context(viewport={"width": 1280, "height": 900})
    page = supervisor.new_page()
    log_in(page, base_url, "field-sup1", reverse("field-mismatches"))
    row = page.locator("tr[data-code=q4]")
    expect(row).to_contain_text("SP-7")
    expect(row.locator("td.mismatch-values").nth(0)).to_contain_text("4 · Đồng ý")
    expect(row.locator("td.mismatch-values").nth(1)).to_contain_text("2 · Không đồng ý")
    row.locator("td.mismatch-values").nth(1).locator("button").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages .success")).to_be_visible()
    expect(page.locator("tr[data-code=q4]")).to_have_count(0)
    supervisor.close()
    assert Response.objects.get().answers == {"q1": "no", "q3": 12, "q4": 2}


def test_options_from_ten_on_take_two_digits(browser, setup):
    field, _commune, base_url = setup
    options = [{"value": f"o{n}", "label": f"Lĩnh vực {n}"} for n in range(1, 13)]
    questionnaire = make_questionnaire(
        field["assignments"]["a"].campaign,
        code="many-options",
        sections=[
            {
                "code": "s1",
                "title": "Lĩnh vực",
                "questions": [
                    {"code": f"a{n}", "type": "single", "text": f"Câu {n}", "options": options}
                    for n in (1, 2, 3)
                ],
            }
        ],
    )
    assignment = Assignment.objects.create(
        campaign=questionnaire.campaign,
        team=field["teams"]["1"],
        enumerator=field["users"]["a"],
        questionnaire=questionnaire,
        area=field["assignments"]["a"].area,
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    log_in(page, base_url, "field-a", reverse("field-entry-page", args=[assignment.pk]))
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    page.keyboard.type("LV-1")
    for _field in range(6):
        page.keyboard.press("Enter")
    assert focused(page) == "q-a1-1"
    page.keyboard.press("1")  # may start "10", "11" or "12": the page waits for a second digit
    page.keyboard.press("2")
    assert focused(page) == "q-a2-1"
    page.keyboard.press("3")  # no option 30 or above: option 3 at once
    assert focused(page) == "q-a3-1"
    page.keyboard.press("1")
    page.keyboard.press("Enter")  # Enter settles the single digit: option 1
    assert focused(page) == "entry-save"
    page.keyboard.press("Enter")
    expect(page.locator("#connection")).to_have_attribute("data-state", "sent", timeout=10_000)
    assert Response.objects.get(questionnaire=questionnaire).answers == {"a1": "o12", "a2": "o3", "a3": "o1"}
    context.close()
