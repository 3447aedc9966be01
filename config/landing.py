"""The landing page: the campaigns a user can act on (each with the sections it may open) and the pages of
its other roles; for a coordinator, a dashboard of its campaigns (lists sent and late, response rate, days
to the deadlines).

It lives in config because it looks across apps; the sections come from config/navigation.py, which asks
each app's own predicates, so a campaign is listed only when one of its pages opens for the user.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fieldwork.selectors import supervised_campaigns
from respondents.models import Campaign
from respondents.selectors import is_coordinator, lists_come_from_units, unit_list_status, visible_campaigns
from scoring.selectors import visible_campaigns as scoring_campaigns
from surveys.selectors import response_summary

from .navigation import Tab, campaign_tabs, site_links


@dataclass
class Link:
    label: str
    url: str
    detail: str = ""


@dataclass
class Figure:
    label: str
    value: str
    state: str = ""  # "late" or "ok": how the figure reads at a glance


@dataclass
class CampaignCard:
    campaign: Campaign
    tabs: list[Tab]
    figures: list[Figure] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.tabs[0].url


@dataclass
class Section:
    title: str
    links: list[Link] = field(default_factory=list)


@dataclass
class Landing:
    cards: list[CampaignCard]
    sections: list[Section]

    def destinations(self) -> list[str]:
        """Every page the landing page leads to (a campaign's sections each count)."""
        tabs = [tab.url for card in self.cards for tab in card.tabs]
        return tabs + [link.url for section in self.sections for link in section.links]


def landing(user) -> Landing:
    cards = [_card(user, campaign) for campaign in _campaigns(user)]
    cards = [card for card in cards if card.tabs]
    others = [link for link in site_links(user) if link.key not in ("home", "audit-log", "admin")]
    sections = [Section(_("Field work (SIPAS)"), [Link(link.label, link.url) for link in others])]
    return Landing(cards=cards, sections=[s for s in sections if s.links])


def _campaigns(user) -> list[Campaign]:
    """Every campaign one of the user's roles may touch, newest first (the tabs then say which pages)."""
    ids = set()
    for scope in (visible_campaigns(user), scoring_campaigns(user), supervised_campaigns(user)):
        ids |= set(scope.values_list("pk", flat=True))
    return list(
        Campaign.objects.filter(pk__in=ids).select_related("province").order_by("-year", "kind", "name")
    )


def _card(user, campaign: Campaign) -> CampaignCard:
    tabs = campaign_tabs(user, campaign)
    card = CampaignCard(campaign=campaign, tabs=tabs)
    if tabs and is_coordinator(user, campaign.province_id) and campaign.status != Campaign.Status.CLOSED:
        card.figures = _coordinator_figures(campaign)
    return card


def _coordinator_figures(campaign: Campaign) -> list[Figure]:
    today = timezone.localdate()
    figures = []
    if lists_come_from_units(campaign):
        statuses = unit_list_status(campaign, today=today)
        sent = sum(row["submitted"] for row in statuses)
        late = sum(row["late"] for row in statuses)
        figures.append(
            Figure(_("lists sent"), f"{sent}/{len(statuses)}", "ok" if sent == len(statuses) else "")
        )
        figures.append(Figure(_("units late"), str(late), "late" if late else "ok"))
        figures.append(_days_to(_("list deadline"), (campaign.list_deadline - today).days))
    summary = response_summary(campaign)
    if summary.invited:
        figures.append(Figure(_("response rate"), summary.rate_text, ""))
    if campaign.survey_closes is not None:
        figures.append(_days_to(_("survey closes"), (campaign.survey_closes - today).days))
    return figures


def _days_to(label: str, days: int) -> Figure:
    if days < 0:
        return Figure(label, _("passed"), "late")
    if days == 0:
        return Figure(label, _("today"), "late")
    return Figure(label, ngettext("in %(n)s day", "in %(n)s days", days) % {"n": days})
