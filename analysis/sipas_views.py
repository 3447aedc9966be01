"""The SIPAS campaign's pages: interviews, progress and indices; the population margins (upload, confirm);
the method (propose, confirm). Thin: services in analysis/services, figures in analysis.indices."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from respondents.models import Campaign
from respondents.selectors import is_coordinator

from .forms import MarginsForm, MethodForm
from .models import MarginSet, SipasMethodChoice
from .permissions import can_view_indices


def _sipas_campaign(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign.objects.select_related("province"), slug=slug)
    if not can_view_indices(request.user, campaign):
        raise PermissionDenied
    if campaign.kind != Campaign.Kind.SIPAS_CITIZENS:
        raise Http404  # a PAR campaign's SIPAS is its linked SIPAS campaign's page (indices page links it)
    return campaign


@login_required
def sipas_page(request, slug):
    from . import selectors
    from .dashboard import sipas_context
    from .indices import sipas_summary
    from .sipas import SipasInputError
    from .sipas.campaign import campaign_sipas, sipas_questionnaires

    campaign = _sipas_campaign(request, slug)
    context = {
        "campaign": campaign,
        "interviews": selectors.sipas_interviews(campaign),
        "has_questionnaire": bool(sipas_questionnaires(campaign)),
        "is_coordinator": is_coordinator(request.user, campaign.province_id),
        "method_form": MethodForm(),
        "methods": selectors.method_choices(campaign),
        "margin_sets": selectors.margin_sets(campaign),
        "linked_par": campaign.linked_par_campaigns.order_by("slug"),
    }
    try:
        result = campaign_sipas(campaign, by=["locality", "area"])
    except SipasInputError as exc:
        context["problem"] = str(exc)
    else:
        sipas = sipas_summary(result)
        context |= {"sipas": sipas, **sipas_context(sipas, campaign)}
        context["comparison"] = _comparison(context["breakdowns"].get("locality", []), campaign, result)
    return render(request, "analysis/sipas_campaign.html", context)


def _comparison(rows: list[dict], campaign: Campaign, result) -> dict | None:
    """This year's SIPAS by locality beside the latest earlier year's, on comparable units."""
    from .sipas.comparison import previous_by_locality

    previous = previous_by_locality(campaign, result)
    if not previous:
        return None
    year = next(iter(previous.values())).year
    lines = []
    for row in rows:
        found = previous.get(str(row["group"]))
        before = round(found.estimate * 100, 2) if found and found.estimate is not None else None
        now = None if row["suppressed"] else row["estimate"]
        lines.append(
            {
                **row,
                "previous": before,
                "change": round(now - before, 2) if now is not None and before is not None else None,
                "sources": found.sources if found else [],
                "combined": bool(found and found.combined),
                "weights_missing": bool(found and found.weights_missing),
            }
        )
    return {"year": year, "rows": lines}


def _coordinator_campaign(request, slug: str) -> Campaign:
    campaign = _sipas_campaign(request, slug)
    if not is_coordinator(request.user, campaign.province_id):
        raise PermissionDenied
    return campaign


@login_required
def margins_page(request, slug):
    from . import selectors
    from .services.margins import propose_margins

    campaign = _coordinator_campaign(request, slug)
    report, status = None, 200
    if request.method == "POST":
        form = MarginsForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = Path(upload.name or "margins.xlsx").name[:200]
            with tempfile.TemporaryDirectory(prefix="margins-") as tmp:
                path = Path(tmp) / ("file" + Path(name).suffix.lower()[:10])
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                report = propose_margins(
                    campaign=campaign,
                    path=path,
                    file_name=name,
                    user=request.user,
                    calibration=form.cleaned_data["calibration"],
                )
            if report.ok:
                messages.success(request, _("The table was read; another coordinator must now confirm it."))
                return redirect("sipas-margins", slug=campaign.slug)
            status = 422
        else:
            status = 400
    else:
        form = MarginsForm()
    context = {
        "campaign": campaign,
        "form": form,
        "report": report,
        "margin_sets": selectors.margin_sets(campaign),
    }
    return render(request, "analysis/sipas_margins.html", context, status=status)


@login_required
@require_POST
def margins_decide(request, slug, margin_set_id):
    from .services.margins import decide_margins

    campaign = _coordinator_campaign(request, slug)
    margin_set = get_object_or_404(MarginSet, pk=margin_set_id, campaign=campaign)
    problem = decide_margins(margin_set=margin_set, user=request.user, confirm="confirm" in request.POST)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("sipas-margins", slug=campaign.slug)


@login_required
@require_POST
def method_propose(request, slug):
    from .services.methods import propose_method

    campaign = _coordinator_campaign(request, slug)
    form = MethodForm(request.POST)
    problem = _("Check the form.")
    if form.is_valid():
        data = form.cleaned_data
        _choice, problem = propose_method(
            campaign=campaign,
            method=data["method"],
            policy_weight=data["policy_weight"],
            reason=data["reason"],
            user=request.user,
        )
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Method proposed; another coordinator must now confirm it."))
    return redirect("sipas-campaign", slug=campaign.slug)


@login_required
@require_POST
def method_decide(request, slug, choice_id):
    from .services.methods import decide_method

    campaign = _coordinator_campaign(request, slug)
    choice = get_object_or_404(SipasMethodChoice, pk=choice_id, campaign=campaign)
    problem = decide_method(choice=choice, user=request.user, confirm="confirm" in request.POST)
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("sipas-campaign", slug=campaign.slug)
