"""The navigation leads only where the user may go, and everywhere it may go (config/navigation.py).

Over the demo (seed_demo --year 2026), for every demo role: every page reached by following the menus and
the home page's links opens (no 403, no 404, no 500), and each campaign shows exactly the sections whose
page opens for that user, asked of the same predicates as the pages themselves.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from config.navigation import CAMPAIGN_TABS, campaign_tabs
from demo.services.registry import NOT_YET_SENT
from respondents.models import Campaign
from tests.demo_world import DEMO_USERS

pytestmark = pytest.mark.django_db


class NavigationLinks(HTMLParser):
    """Links inside <nav> elements, and every link of the page's main part when `whole_page`."""

    def __init__(self, whole_page: bool):
        super().__init__()
        self.whole_page, self.depth, self.in_main, self.links = whole_page, 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "nav":
            self.depth += 1
        if tag == "main":
            self.in_main += 1
        href = dict(attrs).get("href") if tag == "a" else None
        if href and (self.depth or (self.whole_page and self.in_main)):
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag == "nav":
            self.depth -= 1
        if tag == "main":
            self.in_main -= 1


def page_links(html: str, *, whole_page: bool) -> list[str]:
    parser = NavigationLinks(whole_page)
    parser.feed(html)
    return [link for link in parser.links if link.startswith("/") and not link.startswith("//")]


def walk(client) -> dict[str, int]:
    """Every page reached from the home page through the menus (and the home page's own links): url →
    final status after redirects. Downloads count as pages (their status is checked, not followed)."""
    seen: dict[str, int] = {}
    todo = ["/"]
    while todo:
        url = todo.pop(0)
        if url in seen:
            continue
        response = client.get(url, follow=True)
        seen[url] = response.status_code
        final = urlsplit(response.redirect_chain[-1][0] if response.redirect_chain else url).path
        inside_admin = urlsplit(url).path.startswith("/admin/")  # Django's admin: its index page only
        if (
            "text/html" in response.get("Content-Type", "")
            and response.status_code == 200
            and not inside_admin
        ):
            todo += page_links(response.content.decode(), whole_page=final == "/")
    return seen


@pytest.mark.parametrize("username", DEMO_USERS)
def test_no_page_reachable_from_the_navigation_answers_403_or_404(demo, username):
    pages = walk(demo[username])
    assert len(pages) > 1, "the navigation leads nowhere"
    wrong = {url: status for url, status in pages.items() if status != 200}
    assert wrong == {}


@pytest.mark.parametrize("username", DEMO_USERS)
def test_each_campaign_shows_exactly_the_sections_that_open_for_the_user(demo, username):
    client = demo[username]
    user = get_user_model().objects.get(username=username)
    mismatches = []
    for campaign in Campaign.objects.filter(year=2026):
        shown = {tab.key for tab in campaign_tabs(user, campaign)}
        urls = {tab.url(campaign) for tab in CAMPAIGN_TABS}
        for tab in CAMPAIGN_TABS:
            response = client.get(tab.url(campaign), follow=True)
            final = response.redirect_chain[-1][0] if response.redirect_chain else tab.url(campaign)
            # Sent on to another section (an analyst's campaign page is its tracking): not this one.
            opens = response.status_code == 200 and (final == tab.url(campaign) or final not in urls)
            if opens != (tab.key in shown):
                state = "shown" if tab.key in shown else "hidden"
                mismatches.append(f"{campaign.slug} {tab.key}: {state}, {response.status_code} at {final}")
    assert mismatches == [], mismatches


def test_the_home_page_lists_only_campaigns_the_user_can_act_on(demo):
    html = demo["cham-stp"].get("/").content.decode()
    # The scorer of Sở Tư pháp scores the PAR campaign; the SIPAS campaigns have no assessment to score.
    assert "/campaigns/par-2026/scoring/" in html
    assert "sipas-2026" not in html
    home = demo["snv"].get("/")
    card = next(c for c in home.context["cards"] if c.campaign.slug == "par-2026")
    figures = {f.label: f.value for f in card.figures}
    # The demo's units in scope, less those it leaves without a list (demo/services/registry.py NOT_YET_SENT).
    campaign = Campaign.objects.get(slug="par-2026")
    in_scope = set(campaign.units.values_list("code", flat=True))
    unsent = in_scope & NOT_YET_SENT
    assert len(unsent) == 3 and len(in_scope) > 20
    assert figures["danh sách đã gửi"] == f"{len(in_scope) - len(unsent)}/{len(in_scope)}"
    assert figures["đơn vị chậm gửi"].isdigit()
    assert figures["tỷ lệ trả lời"].endswith("%") and "," in figures["tỷ lệ trả lời"]


def test_every_page_of_a_role_is_in_its_navigation(demo):
    """The pages that were linked from nowhere: the audit log, the sampling frame, the mismatch list."""
    coordinator = walk(demo["snv"])
    assert "/audit/" in coordinator
    assert "/field/campaigns/sipas-2026/frame/" in coordinator
    assert "/campaigns/par-2026/personal-data/" in coordinator
    assert "/field/mismatches/" in walk(demo["bd-team1-gs"])
