"""The respondent's page in a real browser (Debian's chromium, headless) against the live server: answering
with keyboard and mouse, autosave and its retry, resuming on another device, a skip rule, submitting once,
and a phone-width layout without sideways scrolling."""

from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

from surveys.models import Response
from tests.surveys.respondent_setup import make_link

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SCREENSHOT = Path("/tmp/survey-phone.png")


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM synchronously.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():  # fail, never skip: CI installs it (.ci/run)
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # The ORM calls made while the loop ran used their own connection (asgiref's context-local
        # storage): close it here, or PostgreSQL refuses to drop the test database at the end.
        connections.close_all()


@pytest.fixture
def link(transactional_db, live_server, campaign, units):
    invitation, token = make_link(campaign, units["STP"])
    return invitation, token, live_server.url + reverse("survey-start", args=[token])


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_respondent_answers_on_a_phone_resumes_on_a_computer_and_submits_once(browser, link):
    invitation, token, url = link
    errors: list[str] = []

    # On a phone: keyboard first.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    assert no_sideways_scroll(page)
    status = page.locator("#save-status")
    expect(status).to_have_attribute("data-state", "idle")
    page.locator("#q-q1-1").focus()
    page.keyboard.press("Space")  # q1 = yes: the skip rule shows q2
    expect(page.locator("#q-q2")).to_be_visible()
    page.keyboard.press("ArrowDown")  # q1 = no: q2 hidden again, and out of the tab order
    expect(page.locator("#q-q1-2")).to_be_checked()
    expect(page.locator("#q-q2")).to_be_hidden()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q-q3-input"
    page.keyboard.type("12")
    expect(status).to_have_attribute("data-state", "saved")
    expect(page.locator("[data-progress-answered]")).to_have_text("2")
    assert Response.objects.get(invitation=invitation).answers == {"q1": "no", "q3": 12}
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The network drops one autosave: the page says so, retries, and saves.
    failed = []

    def drop_once(route):
        if not failed:
            failed.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/save/", drop_once)
    page.locator("label[for=q-q4-6]").click()  # the mouse, on the "don't know" option
    expect(status).to_have_attribute("data-state", "retrying")
    expect(status).to_have_attribute("data-state", "saved", timeout=10_000)
    assert failed
    assert Response.objects.get(invitation=invitation).answers == {"q1": "no", "q3": 12, "q4": 0}
    phone.close()

    # Another device, no shared cookie: the answers come back from the server.
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    expect(page.locator("#q-q1-2")).to_be_checked()
    expect(page.locator("#q-q3-input")).to_have_value("12")
    expect(page.locator("#q-q4-6")).to_be_checked()
    expect(page.locator("[data-progress-answered]")).to_have_text("3")
    page.locator("label[for=q-q4-4]").click()
    page.locator("label[for=q-q1-1]").click()  # yes: q2 appears and is required
    expect(page.locator("#q-q2")).to_be_visible()
    expect(page.locator("[data-progress-required]")).to_have_text("4")

    # Submitting with q2 unanswered: the page comes back with the summary focused and the message linked.
    page.locator("button[data-submit]").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#q-q2-error")).not_to_be_empty()
    expect(page.locator("#q-q2-1")).to_have_attribute("aria-describedby", "q-q2-error")
    page.locator("label[for=q-q2-3]").click()
    page.locator("label[for=q-q2-1]").click()
    page.locator("button[data-submit]").dblclick()  # a double click submits once
    expect(page.locator("[data-page=thanks]")).to_be_visible()
    assert page.url.endswith(reverse("survey-thanks", args=[token]))

    stored = Response.objects.get(invitation=invitation)
    assert stored.status == "submitted"
    assert stored.answers == {"q1": "yes", "q2": ["direct", "online"], "q3": 12, "q4": 4}
    page.goto(url)
    expect(page.locator("[data-page=already-submitted]")).to_be_visible()
    desktop.close()
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert errors == []


def test_the_page_works_without_javascript(browser, link):
    invitation, _token, url = link
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(url)
    expect(page.locator("#q-q2")).to_be_visible()  # rules cannot run live: the question says when to answer
    page.locator("label[for=q-q1-2]").click()
    page.locator("#q-q3-input").fill("4")
    page.locator("button.secondary").click()  # "Save and continue later"
    expect(page.locator(".notice")).to_be_visible()
    assert Response.objects.get(invitation=invitation).answers == {"q1": "no", "q3": 4}
    page.locator("label[for=q-q4-5]").click()
    page.locator("button[data-submit]").click()
    expect(page.locator("[data-page=thanks]")).to_be_visible()
    assert Response.objects.get(invitation=invitation).status == "submitted"
    assert no_sideways_scroll(page)
    context.close()
