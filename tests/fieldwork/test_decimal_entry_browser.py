"""The decimal typed is the decimal stored on the field entry page (which checks as one types, offline
too), in a browser with an English UI and one with a Vietnamese UI (docs/decisions.md D100)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys.models import Response
from tests.browser import LOCALES, eventually, log_in, new_page, type_into

pytestmark = pytest.mark.integration


@pytest.fixture
def setup(transactional_db, live_server, field, commune):
    return field, commune, live_server.url


def key_one_form(page, form_number: str, years: str) -> None:
    type_into(page.locator("#f-form-number"), form_number)
    page.locator("#f-area").select_option(
        str(page.evaluate("document.querySelector('#f-area option:last-child').value"))
    )
    page.locator("label[for=q-q1-2]").click()  # q1 = no
    type_into(page.locator("#q-q3-input"), years)
    page.locator("label[for=q-q4-4]").click()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_decimal_keyed_with_a_comma_or_a_point_is_stored_as_keyed(browser, setup, locale):
    field, _commune, base_url = setup
    page = new_page(browser, locale, viewport={"width": 1280, "height": 900})
    entry_url = reverse("field-entry-page", args=[field["assignments"]["a"].pk])
    log_in(page, base_url, "field-a", entry_url)
    expect(page.locator("#entry")).to_have_attribute("data-ready", "1")
    error = page.locator("#q-q3-error")

    # Refused as typed, before anything is sent: grouping, the ambiguous "1.500", hexadecimal, exponent.
    for typed in ("1.500", "0x10", "1e1", "1,5,0"):
        key_one_form(page, "BX-900", typed)
        expect(error).to_contain_text(typed)
    page.keyboard.press("Control+Enter")
    expect(page.locator("#entry-summary")).to_be_visible()
    assert Response.objects.count() == 0

    for number, (form, typed) in enumerate((("BX-901", "1,5"), ("BX-902", "2.5")), start=1):
        key_one_form(page, form, typed)
        expect(error).to_be_empty()
        page.keyboard.press("Control+Enter")
        assert eventually(lambda n=number: Response.objects.count() == n)
    stored = {
        r.field_record.form_number: r.answers["q3"] for r in Response.objects.select_related("field_record")
    }
    assert stored == {"BX-901": 1.5, "BX-902": 2.5}
    assert page.errors == []
