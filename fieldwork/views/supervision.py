"""Supervisor pages: field progress against quota with the data-quality flags, and its xlsx export.

Supervisors see their own team(s); coordinators of the campaign's province see every team; enumerators
and clerks get 403.
"""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from kit.charts.timeline import submissions_chart

from ..selectors import field_progress, progress_team_ids, quality_flags, supervised_campaigns, thresholds
from ..supervision import export_progress, flag_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(request):
    """The campaign asked for (?campaign=slug, else the latest one supervised) and the visible teams."""
    campaigns = supervised_campaigns(request.user)
    if request.GET.get("campaign"):
        campaign = get_object_or_404(campaigns, slug=request.GET["campaign"])
    else:
        campaign = campaigns.order_by("-year", "-pk").first()
    if campaign is None:
        raise PermissionDenied
    return campaign, campaigns, progress_team_ids(request.user, campaign)


@login_required
def progress(request):
    campaign, campaigns, team_ids = _scope(request)
    report = field_progress(campaign, team_ids=team_ids)
    days = [(row["date"], row["submitted"]) for row in report["by_day"]]
    context = {
        "campaign": campaign,
        "campaigns": campaigns.order_by("-year", "slug"),
        "all_teams": team_ids is None,
        "chart": submissions_chart(days, target=report["overall"]["quota"] or None),
        "flags": flag_rows(quality_flags(campaign, team_ids=team_ids)),
        "limits": thresholds(),
        **report,
    }
    return render(request, "fieldwork/progress.html", context)


@login_required
def progress_export(request):
    campaign, _campaigns, team_ids = _scope(request)
    buffer = io.BytesIO()
    export_progress(
        campaign=campaign,
        report=field_progress(campaign, team_ids=team_ids),
        flags=quality_flags(campaign, team_ids=team_ids),
        stream=buffer,
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="tien-do-dieu-tra-{campaign.slug}.xlsx"'
    return response
