"""The landing page's sections: every place a user's roles lead to, gathered from the apps.

It lives in config because it looks across apps (respondents, field work, scoring, indices), which must
not import one another the wrong way; each app answers only for its own roles.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from analysis.permissions import can_view_indices
from fieldwork.models import FieldMember
from respondents.models import Campaign
from respondents.selectors import visible_campaigns
from scoring.models import ScoringRole


@dataclass
class Link:
    label: str
    url: str
    detail: str = ""


@dataclass
class Section:
    title: str
    links: list[Link] = field(default_factory=list)


def landing_sections(user) -> list[Section]:
    sections = [_campaigns(user), _field_work(user), _scoring(user)]
    return [section for section in sections if section.links]


def _campaigns(user) -> Section:
    section = Section(_("Survey campaigns"))
    for campaign in visible_campaigns(user):
        detail = f"{campaign.province} · {campaign.year} · {campaign.get_status_display()}"
        section.links.append(Link(campaign.name, reverse("campaign", args=[campaign.slug]), detail))
    return section


def _field_work(user) -> Section:
    section = Section(_("Field work (SIPAS)"))
    roles = set(FieldMember.objects.filter(user=user).values_list("role", flat=True))
    if roles & {FieldMember.Role.ENUMERATOR, FieldMember.Role.CLERK}:
        section.links.append(Link(_("Enter questionnaires"), reverse("field-entry")))
        section.links.append(Link(_("Second entry of sampled forms"), reverse("field-verify")))
    if FieldMember.Role.SUPERVISOR in roles:
        section.links.append(Link(_("Field progress and data quality"), reverse("field-progress")))
        section.links.append(Link(_("Double-entry mismatches"), reverse("field-mismatches")))
    return section


def _scoring(user) -> Section:
    """Scorers of lead departments and council members, who have no campaign membership of their own."""
    section = Section(_("Self-assessment and appraisal"))
    if user.is_superuser:
        return section  # the campaigns section already leads everywhere
    provinces = set(ScoringRole.objects.filter(user=user).values_list("province_id", flat=True))
    for campaign in Campaign.objects.filter(province_id__in=provinces).select_related("province"):
        section.links.append(
            Link(campaign.name, reverse("scoring-assessments", args=[campaign.slug]), str(campaign.province))
        )
        if can_view_indices(user, campaign):
            section.links.append(
                Link(_("Index results"), reverse("indices-dashboard", args=[campaign.slug]), campaign.name)
            )
    return section
