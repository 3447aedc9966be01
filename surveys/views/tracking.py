"""Response tracking for the coordinator (dashboard, export) and non-responder lists for focal points.

Analysts of the province see the same pages with small rows hidden and, unless a coordinator granted them the
campaign's personal data, non-responders as pseudonyms (surveys/services/tracking_privacy.py)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jobs.services import start_job
from kit.charts.timeline import submissions_chart
from kit.collation import vi_order
from respondents.models import Campaign
from respondents.selectors import (
    accessible_units,
    campaign_units,
    is_analyst,
    is_coordinator,
    may_track,
    sees_personal_data,
    visible_campaigns,
)
from respondents.services.privacy import pseudonym

from ..jobs import TRACKING_WORKBOOK
from ..selectors import non_responders, response_rates
from ..services.tracking_privacy import suppress_small_rows, suppressed_unit_codes

NON_RESPONDERS_PER_PAGE = 200


def _campaign_for(user, slug: str) -> Campaign:
    return get_object_or_404(visible_campaigns(user), slug=slug)


def _tracking_campaign(user, slug: str) -> tuple[Campaign, bool]:
    """The campaign for its province's coordinator or analyst; True when the viewer is an analyst."""
    campaign = _campaign_for(user, slug)
    if not may_track(user, campaign):  # the navigation asks the same (config/navigation.py)
        raise PermissionDenied
    return campaign, not is_coordinator(user, campaign.province_id)


@login_required
def dashboard(request, slug):
    campaign, analyst = _tracking_campaign(request.user, slug)
    report = response_rates(campaign)
    if analyst:
        report = suppress_small_rows(report)
    days = [(row["date"], row["submitted"]) for row in report["by_day"]]
    chart = submissions_chart(days, target=report["overall"]["required"])
    context = {"campaign": campaign, "chart": chart, "analyst": analyst, **report}
    return render(request, "surveys/tracking.html", context)


@login_required
def non_responder_list(request, slug):
    """All non-responders for the coordinator; a focal point sees its own unit(s) only (404 for others)."""
    from ..services.tracking_export import progress

    campaign = _campaign_for(request.user, slug)
    units = accessible_units(request.user, campaign)
    people = non_responders(campaign)
    analyst = not is_coordinator(request.user, campaign.province_id) and is_analyst(
        request.user, campaign.province_id
    )
    personal = not analyst or sees_personal_data(request.user, campaign)
    if analyst:
        units = campaign_units(campaign)
        small = suppressed_unit_codes(suppress_small_rows(response_rates(campaign)))
        units, people = units.exclude(code__in=small), people.exclude(unit__code__in=small)
    unit = None
    if request.GET.get("unit"):
        unit = get_object_or_404(units, code=request.GET["unit"])
        people = people.filter(unit=unit)
    elif not is_coordinator(request.user, campaign.province_id):
        if not units.exists():
            raise PermissionDenied
        people = people.filter(unit__in=units)
    page = Paginator(people, NON_RESPONDERS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "number": number,
            "person": p,
            "progress": progress(p.invitation),
            "pseudonym": "" if personal else pseudonym(p.pk),
        }
        for number, p in enumerate(page, start=page.start_index())
    ]
    context = {
        "campaign": campaign,
        "unit": unit,
        "rows": rows,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "units": units.order_by("kind", vi_order("name"), "code"),
        "personal": personal,
        "analyst": analyst,
    }
    return render(request, "surveys/non_responders.html", context)


@login_required
@require_POST
def export(request, slug):
    """Starts the tracking workbook as a background job and shows its page (docs/decisions.md D326)."""
    campaign, analyst = _tracking_campaign(request.user, slug)
    job = start_job(
        kind_name=TRACKING_WORKBOOK,
        owner=request.user,
        params={
            "campaign_id": campaign.pk,
            "user_id": request.user.pk,
            "personal": sees_personal_data(request.user, campaign),
            "suppress": analyst,
        },
        campaign_id=campaign.pk,
        campaign_slug=campaign.slug,
        campaign_name=campaign.name,
        back_url=reverse("campaign-tracking", args=[campaign.slug]),
    )
    return redirect("job", pk=job.pk)
