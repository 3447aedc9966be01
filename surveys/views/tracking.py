"""Response tracking for the coordinator (dashboard, export) and non-responder lists for focal points."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from respondents.models import Campaign
from respondents.selectors import accessible_units, is_coordinator, visible_campaigns

from ..selectors import non_responders, response_rates
from ..services.charts import submissions_chart
from ..services.tracking_export import export_tracking, progress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NON_RESPONDERS_PER_PAGE = 200


def _campaign_for(user, slug: str) -> Campaign:
    return get_object_or_404(visible_campaigns(user), slug=slug)


def _coordinated_campaign(user, slug: str) -> Campaign:
    campaign = _campaign_for(user, slug)
    if not is_coordinator(user, campaign.province_id):
        raise PermissionDenied
    return campaign


@login_required
def dashboard(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    report = response_rates(campaign)
    days = [(row["date"], row["submitted"]) for row in report["by_day"]]
    chart = submissions_chart(days, target=report["overall"]["required"])
    return render(request, "surveys/tracking.html", {"campaign": campaign, "chart": chart, **report})


@login_required
def non_responder_list(request, slug):
    """All non-responders for the coordinator; a focal point sees its own unit(s) only (404 for others)."""
    campaign = _campaign_for(request.user, slug)
    units = accessible_units(request.user, campaign)
    people = non_responders(campaign)
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
        {"number": number, "person": p, "progress": progress(p.invitation)}
        for number, p in enumerate(page, start=page.start_index())
    ]
    context = {
        "campaign": campaign,
        "unit": unit,
        "rows": rows,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "units": units.order_by("kind", "name"),
    }
    return render(request, "surveys/non_responders.html", context)


@login_required
def export(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    buffer = io.BytesIO()
    export_tracking(campaign=campaign, stream=buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="theo-doi-tra-loi-{campaign.slug}.xlsx"'
    return response
