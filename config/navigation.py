"""The navigation: every page a user may open, and only those, asked of the same predicates the pages ask.

Each app answers for its own pages (respondents.selectors.may_open_lists, scoring.selectors.may_open_scoring,
fieldwork.access.may_watch_progress, …); this module, on top of every app, only lists them in order. The
campaign tabs (templates/includes/campaign_nav.html), the site links of the header (templates/base.html)
and the landing page (config/landing.py) are built from here, so a tab is shown exactly when its page
opens (tests/config/test_navigation.py walks them for every demo role). docs/decisions.md D105.

Templates load it as the tag library "navigation" (settings.TEMPLATES libraries): the apps' templates
name the library, never this module, so no app imports upwards.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from analysis.permissions import can_export_responses, can_view_indices
from audit.selectors import may_read_log
from fieldwork.access import may_manage_frame, may_watch_progress, supervised_team_ids
from fieldwork.entry_selectors import is_field_worker
from fieldwork.selectors import supervised_campaigns
from jobs.selectors import has_jobs
from respondents.models import Campaign
from respondents.selectors import is_coordinator, may_open_lists, may_track
from scoring.selectors import may_open_scoring
from surveys.selectors import may_see_non_responders

register = template.Library()


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url: str


@dataclass(frozen=True)
class _CampaignTab:
    key: str
    label: str
    url_name: str
    allowed: Callable[[object, Campaign], bool]
    query: bool = False  # the campaign goes in ?campaign= rather than in the path

    def url(self, campaign: Campaign) -> str:
        if self.query:
            return f"{reverse(self.url_name)}?{urlencode({'campaign': campaign.slug})}"
        return reverse(self.url_name, args=[campaign.slug])


def _coordinates(user, campaign: Campaign) -> bool:
    return is_coordinator(user, campaign.province_id)


def _is_sipas(campaign: Campaign) -> bool:
    return campaign.kind == Campaign.Kind.SIPAS_CITIZENS


def _par_lists(user, campaign: Campaign) -> bool:
    """A SIPAS campaign's own page is its interviews and SIPAS (its lists page leads there)."""
    return not _is_sipas(campaign) and may_open_lists(user, campaign)


def _par_indices(user, campaign: Campaign) -> bool:
    return not _is_sipas(campaign) and can_view_indices(user, campaign)


def _sipas_results(user, campaign: Campaign) -> bool:
    return _is_sipas(campaign) and can_view_indices(user, campaign)


def _sipas_margins(user, campaign: Campaign) -> bool:
    return _is_sipas(campaign) and _coordinates(user, campaign)


CAMPAIGN_TABS = [
    _CampaignTab("lists", _("Respondent lists"), "campaign", _par_lists),
    _CampaignTab("settings", _("Settings"), "campaign-settings", _coordinates),
    _CampaignTab("questionnaires", _("Questionnaires"), "campaign-questionnaires", _coordinates),
    _CampaignTab("distribution", _("Invitations"), "campaign-distribution", _coordinates),
    _CampaignTab("wording", _("Message wording"), "campaign-wording", _coordinates),
    _CampaignTab("suppressions", _("Do not write to"), "campaign-suppressions", _coordinates),
    _CampaignTab("tracking", _("Response tracking"), "campaign-tracking", may_track),
    _CampaignTab("non-responders", _("Not yet answered"), "campaign-non-responders", may_see_non_responders),
    _CampaignTab("scoring", _("Scoring"), "scoring-assessments", may_open_scoring),
    _CampaignTab("indices", _("Index results"), "indices-dashboard", _par_indices),
    _CampaignTab("sipas", _("Interviews and SIPAS"), "sipas-campaign", _sipas_results),
    _CampaignTab("tables", _("Question tables"), "question-tables", can_view_indices),
    _CampaignTab("margins", _("Population margins"), "sipas-margins", _sipas_margins),
    _CampaignTab("exports", _("Data for analysts"), "responses-export", can_export_responses),
    _CampaignTab("field", _("Field progress"), "field-progress", may_watch_progress, query=True),
    _CampaignTab("frame", _("Sampling frame"), "field-frame", may_manage_frame),
    _CampaignTab("personal-data", _("Personal data access"), "personal-data-access", _coordinates),
]


def campaign_tabs(user, campaign: Campaign) -> list[Tab]:
    """The campaign's sections this user may open, in the order of CAMPAIGN_TABS."""
    return [Tab(t.key, str(t.label), t.url(campaign)) for t in CAMPAIGN_TABS if t.allowed(user, campaign)]


def site_links(user) -> list[Tab]:
    """The pages outside any one campaign: home, field entry, supervision, the audit log, one's files."""
    if not user.is_authenticated:
        return []
    links = [Tab("home", str(_("Home")), reverse("home"))]
    if is_field_worker(user):
        links.append(Tab("field-entry", str(_("Enter questionnaires")), reverse("field-entry")))
        links.append(Tab("field-verify", str(_("Second entry")), reverse("field-verify")))
    if supervised_campaigns(user).exists():
        links.append(Tab("field-progress", str(_("Field progress")), reverse("field-progress")))
    if supervised_team_ids(user):
        links.append(Tab("field-mismatches", str(_("Double-entry mismatches")), reverse("field-mismatches")))
    if may_read_log(user):
        links.append(Tab("audit-log", str(_("Audit log")), reverse("audit-log")))
    if has_jobs(user):
        links.append(Tab("my-jobs", str(_("My files")), reverse("my-jobs")))
    if user.is_staff:
        links.append(Tab("admin", str(_("Administration")), reverse("admin:index")))
    return links


@register.simple_tag(takes_context=True)
def campaign_nav(context, campaign: Campaign) -> list[Tab]:
    return campaign_tabs(context["request"].user, campaign)


@register.simple_tag(takes_context=True)
def site_nav(context) -> list[Tab]:
    request = context.get("request")
    return site_links(request.user) if request is not None and hasattr(request, "user") else []
