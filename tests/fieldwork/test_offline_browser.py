"""Offline that survives, and review before data counts, in a real browser (Debian's chromium, headless)
against the live server:

- the entry page opens with no network after a first visit (the service worker's copy), and so does an
  assignment's page never opened, once the list of assignments was seen online;
- a form keyed offline survives closing the browser (a persistent profile) and reaches the server exactly
  once after reopening online and logging in again (the session ends with the browser);
- unsent forms exported to a file are imported by the supervisor once, whatever the number of imports;
- a supervisor's rejection in the review page removes the interview from SIPAS.
"""

import datetime
import json
import random
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error, expect, sync_playwright

from analysis.sipas.campaign import campaign_sipas
from fieldwork.models import Assignment, FieldRecord, FieldSettings
from fieldwork.services.review import set_review_state
from surveys.models import Response
from surveys.services.questionnaires import load_questionnaire
from tests.fieldwork.conftest import api_client
from tests.fieldwork.test_entry_browser import CHROMIUM, CHROMIUM_ARGS, log_in

pytestmark = pytest.mark.integration
SIPAS_FILE = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "sipas_citizens.yaml"


@pytest.fixture
def playwright_(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Without it Chromium's service worker fetches bypass the context's offline emulation: the "offline"
    # page would still reach the server through its service worker.
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    if not CHROMIUM.exists():  # fail, never skip: CI installs it
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium")
    with sync_playwright() as playwright:
        yield playwright
        connections.close_all()


@pytest.fixture
def setup(transactional_db, cable, field, commune):
    return field, cable.url


def controlled(page) -> None:
    """Wait until the service worker controls the page and has kept the pages it was asked to keep."""
    # Polled from here: wait_for_function would evaluate a string in the page, which its CSP forbids.
    page.wait_for_load_state("load")
    for _attempt in range(100):
        try:
            if page.evaluate("() => Boolean(navigator.serviceWorker && navigator.serviceWorker.controller)"):
                break
        except Error:  # a navigation under way (the login's redirect): look again
            pass
        page.wait_for_timeout(200)
    else:
        pytest.fail("no service worker controls the page")
    expect(page.locator("[data-offline]")).to_have_attribute("data-offline-ready", "1", timeout=20_000)


def go_offline(context, cable) -> None:
    """The context offline (navigator.onLine, the "offline" event) and the cable to the server pulled out
    (tests/browser.py `Cable`): a request that slips past the emulation meets a dead network too."""
    context.set_offline(True)
    cable.pull_out()


def go_online(context, cable) -> None:
    cable.plug_in()
    context.set_offline(False)


def key_one_form(page, form_number: str) -> None:
    """Form details by keyboard (the first field has the focus), then q1 = no, q3 = 7, q4 = 4."""
    page.keyboard.type(form_number)
    for _field in range(6):  # form number, time, minutes, mode, area, phone
        page.keyboard.press("Enter")
    page.keyboard.press("2")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    page.keyboard.press("4")
    page.keyboard.press("Control+Enter")


def test_the_entry_page_opens_offline_after_a_first_visit(playwright_, setup, cable):
    field, base_url = setup
    browser = playwright_.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    context = browser.new_context(timezone_id="Asia/Ho_Chi_Minh")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The list of assignments, online: the service worker keeps every assignment's page.
    log_in(page, base_url, "field-a", reverse("field-entry"))
    page.wait_for_url(f"**{reverse('field-entry')}")
    controlled(page)
    own = reverse("field-entry-page", args=[field["assignments"]["a"].pk])
    page.goto(base_url + own)
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    controlled(page)

    go_offline(context, cable)
    page.reload()
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1", timeout=20_000)
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline", timeout=10_000)
    assert page.evaluate("document.querySelector('script[src*=\"entry.js\"]') !== null")
    # A form keyed offline goes to the queue; the page says since when it waits.
    key_one_form(page, "BX-OFF-1")
    expect(page.locator("#waiting-count")).to_have_text("1")
    expect(page.locator("#waiting-since")).not_to_be_empty()
    # The team's other assignment, never opened, opens offline too (kept from the list of assignments).
    team_page = reverse("field-entry-page", args=[field["assignments"]["team1"].pk])
    page.goto(base_url + team_page)
    expect(page.locator("#entry")).to_have_attribute("data-assignment", str(field["assignments"]["team1"].pk))
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1", timeout=20_000)
    assert not Response.objects.exists()

    go_online(context, cable)  # and the form goes once the network is back
    page.goto(base_url + own)
    expect(page.locator("#waiting-count")).to_have_text("0", timeout=20_000)
    assert list(FieldRecord.objects.values_list("form_number", flat=True)) == ["BX-OFF-1"]
    assert errors == []
    context.close()
    browser.close()


def test_a_form_keyed_offline_survives_closing_the_browser_and_is_sent_once(
    playwright_, setup, cable, tmp_path
):
    field, base_url = setup
    profile = tmp_path / "profile"
    entry = base_url + reverse("field-entry-page", args=[field["assignments"]["a"].pk])

    def launch():
        return playwright_.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            timezone_id="Asia/Ho_Chi_Minh",
        )

    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    log_in(page, base_url, "field-a", reverse("field-entry-page", args=[field["assignments"]["a"].pk]))
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    controlled(page)
    go_offline(context, cable)
    key_one_form(page, "BX-CLOSE-1")
    expect(page.locator("#waiting-count")).to_have_text("1")
    expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
    context.close()  # the browser is closed with the form unsent
    assert not Response.objects.exists()
    cable.plug_in()

    # Reopened later with the network. The session ended with the browser (docs/decisions.md D138), so
    # the enumerator logs in again; the page then finds the form kept in the browser and sends it.
    context = launch()
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(entry)
    expect(page.locator("#id_username")).to_be_visible()
    log_in(page, base_url, "field-a", reverse("field-entry-page", args=[field["assignments"]["a"].pk]))
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1", timeout=20_000)
    expect(page.locator("#waiting-count")).to_have_text("0", timeout=20_000)
    records = list(FieldRecord.objects.select_related("response"))
    assert [r.form_number for r in records] == ["BX-CLOSE-1"]
    assert records[0].response.answers == {"q1": "no", "q3": 7, "q4": 4}
    # Reloading sends nothing again.
    page.reload()
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    page.wait_for_timeout(1500)
    assert FieldRecord.objects.count() == 1
    context.close()


def test_unsent_forms_exported_to_a_file_are_imported_once_by_the_supervisor(
    playwright_, setup, cable, tmp_path
):
    field, base_url = setup
    browser = playwright_.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    log_in(page, base_url, "field-a", reverse("field-entry-page", args=[field["assignments"]["a"].pk]))
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    go_offline(context, cable)
    key_one_form(page, "BX-FILE-1")
    expect(page.locator("#waiting-count")).to_have_text("1")
    expect(page.locator("#f-form-number")).to_be_focused()
    key_one_form(page, "BX-FILE-2")
    expect(page.locator("#waiting-count")).to_have_text("2")
    with page.expect_download() as download:
        page.click("#queue-export")
    path = tmp_path / "queue.json"
    download.value.save_as(path)
    expect(page.locator("#export-note")).not_to_be_empty()
    context.close()
    browser.close()
    exported = json.loads(path.read_text())
    assert exported["format"] == "parindex-field-queue" and exported["count"] == 2 and exported["signature"]

    supervisor = Client()
    supervisor.force_login(field["users"]["sup1"])
    url = reverse("field-queue-import") + "?campaign=sipas-field"
    with path.open("rb") as fh:
        first = supervisor.post(url, {"file": fh})
    assert first.status_code == 200
    assert [r["status"] for r in first.context["report"].results] == ["created", "created"]
    records = FieldRecord.objects.select_related("response__entered_by", "imported_by").order_by(
        "form_number"
    )
    assert [r.form_number for r in records] == ["BX-FILE-1", "BX-FILE-2"]
    for record in records:
        assert (record.response.entered_by, record.enumerator) == (field["users"]["a"], field["users"]["a"])
        assert (record.imported_by, record.source) == (field["users"]["sup1"], FieldRecord.Source.IMPORT)
    with path.open("rb") as fh:
        again = supervisor.post(url, {"file": fh})
    assert [r["status"] for r in again.context["report"].results] == ["duplicate", "duplicate"]
    assert FieldRecord.objects.count() == 2

    # A file altered on the way (an answer changed) is refused as a whole.
    exported["items"] = exported["items"].replace('"q4":4', '"q4":1')
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(exported))
    with forged.open("rb") as fh:
        refused = supervisor.post(url, {"file": fh})
    assert refused.status_code == 400 and refused.context["report"].errors
    # Another team's supervisor cannot load it either.
    other = Client()
    other.force_login(field["users"]["sup2"])
    with path.open("rb") as fh:
        outside = other.post(url, {"file": fh})
    assert outside.status_code == 404 or all(
        r["status"] == "forbidden" for r in outside.context["report"].results
    )


def test_a_rejection_in_review_removes_the_interview_from_sipas(playwright_, setup):
    field, base_url = setup
    sipas = field["teams"]["1"].campaign
    questionnaire = load_questionnaire(campaign=sipas, path=SIPAS_FILE).questionnaire
    assignment = Assignment.objects.create(
        campaign=sipas,
        team=field["teams"]["1"],
        enumerator=field["users"]["a"],
        questionnaire=questionnaire,
        area=field["assignments"]["a"].area,
        quota=10,
    )
    from demo.services.field import sipas_answers
    from tests.analysis.test_campaign_sipas import ITEMS

    def answers(level: int) -> dict:
        given = sipas_answers(questionnaire.definition, random.Random(level), service_area="land")
        return given | {item: level for item in ITEMS if item in given}

    device = api_client(field["users"]["a"])
    ids = []
    for number, level in (("S-1", 5), ("S-2", 5), ("S-3", 1)):
        body = {
            "client_uuid": f"00000000-0000-4000-8000-00000000000{number[-1]}",
            "assignment": assignment.pk,
            "questionnaire": questionnaire.pk,
            "mode": "paper",
            "form_number": number,
            "interviewed_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
            "answers": answers(level),
        }
        reply = device.post("/api/v1/field/responses/", body, format="json")
        assert reply.status_code == 201, reply.json()
        ids.append(reply.json()["id"])
    assert not FieldSettings.objects.filter(campaign=sipas).exists()  # the default: approved ones count
    for record in FieldRecord.objects.filter(response_id__in=ids):
        assert (
            set_review_state(record=record, user=field["users"]["sup1"], state="approved").status == "changed"
        )
    before = campaign_sipas(sipas)
    assert before.respondents == 3

    browser = playwright_.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    page = browser.new_page()
    log_in(
        page, base_url, "field-sup1", quote(reverse("field-review") + "?campaign=sipas-field&state=approved")
    )
    record = FieldRecord.objects.get(form_number="S-3")
    row = page.locator(f"#review-rows tr[data-record='{record.pk}']")
    expect(row).to_be_visible()
    row.locator("select[name=state]").select_option("rejected")
    row.locator("input[name=reason]").fill("Người trả lời không thuộc diện khảo sát")
    row.locator("button[type=submit]").click()
    expect(page.locator(f"#review-rows tr[data-record='{record.pk}']")).to_have_count(0)
    browser.close()

    record.refresh_from_db()
    assert record.review_state == "rejected"
    after = campaign_sipas(sipas)
    assert after.respondents == 2  # the rejected interview no longer counts
    from fieldwork.selectors import counting_responses

    assert record.response_id not in set(counting_responses(campaign=sipas).values_list("pk", flat=True))
