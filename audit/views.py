"""The audit log page (coordinators of a province, superusers). It reads the registry (respondents) to know
which provinces a user coordinates: the one upward import of the house (docs/architecture.md); the log
itself (models, `record`) depends on nothing of the project."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from respondents.models import Campaign

from .forms import AuditFilterForm
from .presentation import present
from .selectors import audit_events, log_province_ids, may_read_log

EVENTS_PER_PAGE = 50


@login_required
def event_list(request):
    if not may_read_log(request.user):
        raise PermissionDenied
    provinces = log_province_ids(request.user)
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
        "events": present(page),
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }
    return render(request, "audit/events.html", context)
