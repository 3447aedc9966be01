"""The real browser of the browser tests: Debian's chromium, headless, driven by Playwright. Fails (never
skips) when chromium is missing: CI installs it (.ci/run)."""

import contextlib
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

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


class Cable:
    """A network cable between the browser and the live server that a test can pull out: a TCP relay on a
    port of its own. Pulled, the port refuses connections and every open connection is cut, as a dead
    network refuses them. Chromium's offline emulation alone was seen to let a request through under a
    heavy load (the field pages' service worker, about 1 run in 3 on a loaded machine), and the tests are
    about what the pages do when the network fails, not about the emulation."""

    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self._target = (parts.hostname or "localhost", parts.port or 80)
        self._lock = threading.Lock()
        self._open: set = set()
        self._listener = None
        self.port = 0
        self.plug_in()

    @property
    def url(self) -> str:
        # 127.0.0.1 is a secure context for the service worker, as localhost is.
        return f"http://127.0.0.1:{self.port}"

    def plug_in(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def pull_out(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._open = list(self._open), set()
        for sock in ([listener] if listener else []) + sockets:
            self._close(sock)

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # pulled out
                return
            try:
                upstream = socket.create_connection(self._target)
            except OSError:
                self._close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # pulled out meanwhile
                    self._close(client)
                    self._close(upstream)
                    return
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(sink)
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)

    def _close(self, sock) -> None:
        with contextlib.suppress(OSError):  # shutdown wakes a thread blocked in accept() or recv() on it
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@pytest.fixture
def cable(live_server):
    """The live server behind a cable the test can pull out (`Cable`)."""
    relay = Cable(live_server.url)
    yield relay
    relay.pull_out()
