"""The question tables page in a real browser: an analyst chooses a breakdown with the filter form, sees the
hand-computed shares by unit (the one-respondent unit suppressed) and a bar chart per question."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.analysis.test_question_tables import analyst, answered  # noqa: F401  (fixtures)
from tests.browser import log_in, new_page

pytestmark = pytest.mark.integration


def test_the_analyst_filters_the_tables_by_unit(browser, live_server, transactional_db, answered, analyst):  # noqa: F811
    analyst.set_password("pw")
    analyst.save()
    page = new_page(browser, "vi-VN")
    url = reverse("question-tables", args=[answered.slug])
    log_in(page, live_server.url, "analyst", url)
    q1 = page.locator("#q-q1")
    expect(q1.locator('tr[data-option="yes"] td.pct')).to_have_text("66,7")
    expect(q1.locator("svg")).to_be_visible()
    page.locator('select[name="breakdown"]').select_option("unit")
    page.locator("#tables-filter button").click()
    page.wait_for_url("**breakdown=unit**")
    expect(q1.locator('tr[data-group="STP"][data-option="yes"] td.pct')).to_have_text("60,0")
    expect(q1.locator('tr[data-group="SNV"][data-option="yes"] td.pct')).to_have_text("–")
    expect(page.locator('select[name="breakdown"]')).to_have_value("unit")
    assert page.errors == []
