"""The real browser of the browser tests: Debian's chromium, headless, driven by Playwright. Fails (never
skips) when chromium is missing: CI installs it (.ci/run)."""

from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# The browser languages a province meets: an English UI (the decimal point) and a Vietnamese one (comma).
LOCALES = ["en-US", "vi-VN"]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test still uses the ORM synchronously.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
        # The ORM calls made while the loop ran used their own connection (asgiref's context-local
        # storage): close it here, or PostgreSQL refuses to drop the test database at the end.
        connections.close_all()


def new_page(browser, locale: str, **options):
    """A page in a browser context whose UI language is `locale` (navigator.language, Accept-Language,
    number parsing of form controls); page errors are collected in page.errors."""
    context = browser.new_context(locale=locale, timezone_id="Asia/Ho_Chi_Minh", **options)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def log_in(page, base_url: str, username: str, next_url: str, password: str = "pw") -> None:
    page.goto(f"{base_url}{reverse('login')}?next={next_url}")
    expect(page.locator("#id_username")).to_be_visible()
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(f"{base_url}{next_url}")


def eventually(check, *, timeout: float = 10.0, interval: float = 0.1):
    """Wait until check() is truthy (what the server stored after the page's autosave); its last value."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def type_into(box, text: str) -> None:
    """Clear a field and type `text` key by key, as a person does (fill() would bypass the keyboard)."""
    box.fill("")
    box.press_sequentially(text)
