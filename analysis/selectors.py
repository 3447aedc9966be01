"""Read queries of the SIPAS campaign page (the interviews that count, the field progress), and the names a
campaign holds, which free text shown to analysts is masked with."""

from django.contrib.auth.models import User
from django.db.models import Count

from fieldwork.models import SamplingFrameEntry
from fieldwork.selectors import field_progress
from respondents.models import Campaign, Respondent
from surveys.models import Response

from .models import MarginSet, SipasMethodChoice
from .sipas import sources


def sipas_interviews(campaign: Campaign) -> dict:
    """Interviews of the campaign: submitted, those that count (not rejected in review, not tests), drafts,
    by mode; and the field teams' progress against their quotas."""
    responses = Response.objects.filter(campaign=campaign)
    by_status = dict(responses.values_list("status").annotate(n=Count("pk")).order_by())
    counting = sources.counting_responses(campaign=campaign)
    modes = dict(counting.values_list("mode").annotate(n=Count("pk")).order_by())
    progress = field_progress(campaign) if campaign.field_teams.exists() else None
    return {
        "submitted": by_status.get(Response.Status.SUBMITTED, 0),
        "drafts": by_status.get(Response.Status.DRAFT, 0),
        "counting": counting.count(),
        "by_mode": [
            {"mode": mode, "label": Response.Mode(mode).label, "n": n} for mode, n in sorted(modes.items())
        ],
        "progress": progress,
    }


def margin_sets(campaign: Campaign) -> list[MarginSet]:
    return list(MarginSet.objects.filter(campaign=campaign).select_related("proposed_by", "decided_by")[:20])


def method_choices(campaign: Campaign) -> list[SipasMethodChoice]:
    return list(
        SipasMethodChoice.objects.filter(campaign=campaign).select_related("proposed_by", "decided_by")[:20]
    )


def person_names(campaign: Campaign) -> list[str]:
    """Every person's name the campaign holds: its lists of respondents, its sampling frame and its field
    teams' members (analysis.tables.KnownNames masks them in free text for analysts)."""
    names = set(Respondent.objects.filter(campaign=campaign).values_list("full_name", flat=True))
    names |= set(SamplingFrameEntry.objects.filter(campaign=campaign).values_list("name", flat=True))
    members = User.objects.filter(field_memberships__team__campaign=campaign).distinct()
    names |= {f"{u.last_name} {u.first_name}".strip() for u in members.only("first_name", "last_name")}
    names |= {f"{u.first_name} {u.last_name}".strip() for u in members.only("first_name", "last_name")}
    return sorted(n for n in names if n)
