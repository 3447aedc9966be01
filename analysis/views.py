"""The index dashboard (analysts and coordinators) and its Excel report."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jobs.services import start_job
from respondents.models import Campaign
from respondents.selectors import is_coordinator

from .jobs import INDEX_REPORT
from .permissions import can_view_indices

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _campaign(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("province"), slug=slug)
    if not can_view_indices(request.user, campaign):
        raise PermissionDenied
    return campaign


@login_required
def dashboard(request, slug):
    from .dashboard import dashboard_context
    from .indices import campaign_indices

    campaign = _campaign(request, slug)
    if campaign.kind == Campaign.Kind.SIPAS_CITIZENS:
        # A SIPAS campaign has no assessment: its indices are its SIPAS figures (its own page).
        return redirect("sipas-campaign", slug=campaign.slug)
    result = campaign_indices(campaign, sipas_by=["locality", "area"])
    return render(request, "analysis/dashboard.html", dashboard_context(result))


@login_required
@require_POST
def report(request, slug):
    """Starts the Excel report as a background job and shows its page (docs/decisions.md D326)."""
    campaign = _campaign(request, slug)
    job = start_job(
        kind_name=INDEX_REPORT,
        owner=request.user,
        params={"campaign_id": campaign.pk},
        campaign_id=campaign.pk,
        campaign_slug=campaign.slug,
        campaign_name=campaign.name,
        back_url=reverse("indices-dashboard", args=[campaign.slug]),
    )
    return redirect("job", pk=job.pk)


@login_required
def index_settings(request, slug):
    """The campaign's criteria set and officials' conversion (coordinators); others see them read-only."""
    from .index_settings import save_index_settings, settings_choices

    campaign = _campaign(request, slug)
    may_change = is_coordinator(request.user, campaign.province_id)
    errors = {}
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        result = save_index_settings(
            campaign=campaign,
            tree_code=request.POST.get("tree", ""),
            officials_method=request.POST.get("officials_method", ""),
            user=request.user,
        )
        if result.ok:
            return redirect("indices-settings", slug)
        errors = result.errors
    context = {"campaign": campaign, "may_change": may_change, "errors": errors, **settings_choices(campaign)}
    return render(request, "analysis/settings.html", context, status=400 if errors else 200)
