"""The audit log page (coordinators of a province, superusers). It reads the registry (respondents) to know
which provinces a user coordinates: the one upward import of the house (docs/architecture.md); the log
itself (models, `record`) depends on nothing of the project."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from respondents.models import Campaign
from respondents.selectors import coordinated_provinces

from .forms import AuditFilterForm
from .selectors import audit_events

EVENTS_PER_PAGE = 50


def _coordinated_province_ids(user) -> list[int] | None:
    """None for superusers (every province), else the provinces the user coordinates (maybe none)."""
    if user.is_superuser:
        return None
    return [row["province_id"] for row in coordinated_provinces(user)]


@login_required
def event_list(request):
    provinces = _coordinated_province_ids(request.user)
    if provinces == []:
        raise PermissionDenied
    campaigns = (
        Campaign.objects.all() if provinces is None else Campaign.objects.filter(province_id__in=provinces)
    )
    form = AuditFilterForm(request.GET or None, campaign_slugs=list(campaigns.values_list("slug", flat=True)))
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    events = audit_events(
        province_ids=provinces,
        campaign_slug=filters.get("campaign", ""),
        actor=filters.get("actor", ""),
        action=filters.get("action", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "audit/events.html", context)
