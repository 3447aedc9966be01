"""The decimal typed is the decimal stored, on the respondent's page, in a browser with an English UI and
in one with a Vietnamese UI (docs/decisions.md D100): "1,5" and "1.5" are 1.5; text that is not one plain
number is refused with a message naming it, and nothing else is stored in its place."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from surveys.models import Response
from tests.browser import LOCALES, eventually, new_page, type_into
from tests.surveys.respondent_setup import make_link

pytestmark = pytest.mark.integration


@pytest.fixture
def link(transactional_db, live_server, campaign, units):
    invitation, token = make_link(campaign, units["STP"])
    return invitation, live_server.url + reverse("survey-start", args=[token])


def stored(invitation) -> dict:
    response = Response.objects.filter(invitation=invitation).first()
    return response.answers if response else {}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_decimal_typed_with_a_comma_or_a_point_is_stored_as_typed(browser, link, locale):
    invitation, url = link
    page = new_page(browser, locale)
    page.goto(url)
    status = page.locator("#save-status")
    box = page.locator("#q-q3-input")  # "years of service", 0 to 60: 15 would pass the range check
    expect(box).to_have_attribute("inputmode", "decimal")

    type_into(box, "1,5")
    assert eventually(lambda: stored(invitation).get("q3") == 1.5)  # not an autosave of "1" halfway

    type_into(box, "2.5")
    assert eventually(lambda: stored(invitation).get("q3") == 2.5)

    # "1.500": 1500 or 1.5 depending on the reader; refused, with the text typed in the message.
    type_into(box, "1.500")
    expect(page.locator("#q-q3-error")).to_contain_text("1.500")
    assert eventually(lambda: "q3" not in stored(invitation))
    type_into(box, "abc")
    expect(page.locator("#q-q3-error")).to_contain_text("abc")

    # Back on the page (another device): the stored number comes back as one types it in Vietnamese.
    type_into(box, "12,25")
    assert eventually(lambda: stored(invitation).get("q3") == 12.25)
    expect(status).to_have_attribute("data-state", "saved")
    page.goto(url)
    expect(page.locator("#q-q3-input")).to_have_value("12,25")

    # Without the script (a plain form post), the server reads the same text the same way.
    type_into(page.locator("#q-q3-input"), "3,75")
    page.locator("button.secondary").click()  # "Save and continue later"
    expect(page.locator("#q-q3-input")).to_have_value("3,75")
    assert stored(invitation)["q3"] == 3.75
    assert page.errors == []
