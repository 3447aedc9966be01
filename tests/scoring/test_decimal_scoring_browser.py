"""The decimal typed is the decimal stored on the self-assessment page, for points and for the figures of
a computed indicator, in a browser with an English UI and one with a Vietnamese UI (docs/decisions.md
D100)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from scoring.models import Score
from tests.browser import LOCALES, log_in, new_page, type_into

pytestmark = pytest.mark.integration


def save_row(page, code: str, **fields) -> None:
    row = page.locator(f"#item-{code.replace('.', '\\.')}")
    for name, typed in fields.items():
        type_into(row.locator(f"[name={name}]"), typed)
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", LOCALES)
def test_points_and_figures_typed_with_a_comma_or_a_point_are_stored_as_typed(
    browser, transactional_db, live_server, open_now, scorer_stp, scorer_skhdt, locale
):
    url = reverse("scoring-self", args=[open_now.campaign.slug, open_now.pk])
    page = new_page(browser, locale, viewport={"width": 1400, "height": 900})
    log_in(page, live_server.url, "scorer-stp", url)
    save_row(page, "2.1.1", points="1,25")
    save_row(page, "2.1.2", points="0.5")
    points = dict(Score.objects.values_list("criterion__code", "self_points"))
    assert points == {"2.1.1": Decimal("1.25"), "2.1.2": Decimal("0.5")}
    # Shown back in the page's language: a decimal comma in Vietnamese.
    expect(page.locator("#item-2\\.1\\.1 [name=points]")).to_have_value("1,25")

    page.context.clear_cookies()
    log_in(page, live_server.url, "scorer-skhdt", url)
    # "1.500" projects: 1500 to a Vietnamese reader, 1.5 to an English one. Refused, never guessed.
    save_row(page, "8.2.1", value_current="1.500", value_previous="1200")
    expect(page.locator("#item-8\\.2\\.1 .errorlist")).to_contain_text("1.500")
    assert not Score.objects.filter(criterion__code="8.2.1", self_points__isnull=False).exists()
    save_row(page, "8.2.1", value_current="1500", value_previous="1200,5")
    score = Score.objects.get(criterion__code="8.2.1")
    assert (score.value_current, score.value_previous) == (1500, Decimal("1200.5"))
    assert page.errors == []
