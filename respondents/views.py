"""Pages for coordinators (Sở Nội vụ) and unit focal points: list status, uploads, reports, export."""

import smtplib
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors
from .forms import ImportForm
from .models import AddressSuppression, Campaign, ImportBatch
from .services.reminders import remind_late_units
from .services.suppressions import lift, suppressions_for, unit_delivery_problems


def _campaign_for(user, slug: str) -> Campaign:
    return get_object_or_404(selectors.visible_campaigns(user), slug=slug)


def _require_coordinator(user, campaign: Campaign) -> None:
    if not selectors.is_coordinator(user, campaign.province_id):
        raise PermissionDenied


@login_required
def campaign_detail(request, slug):
    campaign = _campaign_for(request.user, slug)
    if campaign.kind == Campaign.Kind.SIPAS_CITIZENS:
        # A SIPAS campaign has interviews, not respondent lists: its page is the SIPAS one (analysis).
        return redirect("sipas-campaign", slug=campaign.slug)
    if not selectors.may_open_lists(request.user, campaign):
        if selectors.may_track(request.user, campaign):  # an analyst: the campaign's page is its tracking
            return redirect("campaign-tracking", slug=slug)
        raise Http404
    if not selectors.is_coordinator(request.user, campaign.province_id):
        units = list(selectors.accessible_units(request.user, campaign))
        if len(units) == 1:
            return redirect("unit", slug=slug, unit_code=units[0].code)
        return render(request, "respondents/my_units.html", {"campaign": campaign, "units": units})
    statuses = selectors.unit_list_status(campaign)
    form = ImportForm(units=selectors.campaign_units(campaign))
    return render(request, "respondents/campaign.html", _campaign_context(campaign, statuses, form))


def _campaign_context(campaign, statuses, form):
    groups = selectors.campaign_groups(campaign)
    totals = selectors.group_totals(campaign)
    return {
        "campaign": campaign,
        "groups": groups,
        "rows": [{**s, "cells": [s["counts"].get(g.code, 0) for g in groups]} for s in statuses],
        "group_totals": [totals.get(g.code, 0) for g in groups],
        "total": sum(totals.values()),
        "submitted": sum(1 for s in statuses if s["submitted"]),
        "late": sum(1 for s in statuses if s["late"]),
        "days_left": (campaign.list_deadline - timezone.localdate()).days,
        "form": form,
    }


@login_required
def unit_detail(request, slug, unit_code):
    campaign = _campaign_for(request.user, slug)
    unit = get_object_or_404(selectors.accessible_units(request.user, campaign), code=unit_code)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, fixed_unit=unit)
        if form.is_valid():
            return _run_import(request, campaign, form, unit=unit)
    else:
        form = ImportForm(fixed_unit=unit)
    by_name = request.GET.get("sort") == "name"  # else the file's order (docs/decisions.md D103)
    respondents = selectors.in_file_order(
        selectors.respondents_visible_to(request.user, campaign).filter(unit=unit), by_name=by_name
    )
    return render(
        request,
        "respondents/unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "respondents": respondents,
            "by_name": by_name,
            "form": form,
            "imports": selectors.unit_imports(campaign, unit)[:20],
            "delivery_problems": unit_delivery_problems(campaign, unit),
        },
    )


@login_required
@require_POST
def campaign_upload(request, slug):
    campaign = _campaign_for(request.user, slug)
    _require_coordinator(request.user, campaign)
    form = ImportForm(request.POST, request.FILES, units=selectors.campaign_units(campaign))
    if not form.is_valid():
        statuses = selectors.unit_list_status(campaign)
        return render(
            request, "respondents/campaign.html", _campaign_context(campaign, statuses, form), status=400
        )
    return _run_import(request, campaign, form, unit=form.cleaned_data.get("unit"))


def _run_import(request, campaign, form, *, unit):
    from .services.uploads import import_upload

    data = form.cleaned_data
    report = import_upload(
        campaign=campaign,
        upload=data["file"],
        unit=unit,
        skip_invalid=data.get("skip_invalid", False),
        dry_run=data["dry_run"],
        user=request.user,
        source=ImportBatch.Source.WEB,
    )
    status = 200 if report.ok else 422
    return render(
        request,
        "respondents/import_report.html",
        {"campaign": campaign, "unit": unit, "report": report.as_dict()},
        status=status,
    )


@login_required
def import_detail(request, slug, batch_id):
    campaign = _campaign_for(request.user, slug)
    batch = get_object_or_404(ImportBatch, pk=batch_id, campaign=campaign)
    allowed_units = selectors.accessible_units(request.user, campaign)
    if not selectors.is_coordinator(request.user, campaign.province_id) and not (
        batch.unit_id and allowed_units.filter(pk=batch.unit_id).exists()
    ):
        raise PermissionDenied
    return render(
        request,
        "respondents/import_report.html",
        {"campaign": campaign, "unit": batch.unit, "report": batch.report, "batch": batch},
    )


@login_required
def export(request, slug):
    from .services.exporting import export_respondents

    campaign = _campaign_for(request.user, slug)
    _require_coordinator(request.user, campaign)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by FileResponse
    export_respondents(campaign=campaign, path=Path(handle.name), by=request.user)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"danh-sach-khao-sat-{campaign.slug}.xlsx")


@login_required
@require_POST
def remind_late(request, slug):
    campaign = _campaign_for(request.user, slug)
    _require_coordinator(request.user, campaign)
    try:
        result = remind_late_units(campaign=campaign, sent_by=request.user)
    except (OSError, smtplib.SMTPException):
        messages.error(
            request, _("The mail server could not be reached; no reminder was sent. Try again later.")
        )
        return redirect("campaign", slug=slug)
    if result.reminded:
        messages.success(request, _("Reminder sent to: %s.") % ", ".join(result.reminded))
    else:
        messages.info(request, _("No late unit to remind."))
    if result.without_contact:
        messages.warning(request, _("No focal point e-mail for: %s.") % ", ".join(result.without_contact))
    return redirect("campaign", slug=slug)


@login_required
def suppression_list(request, slug):
    """Addresses that get no messages (opted out, bounced, failed for good); the coordinator lifts one on
    the person's request."""
    campaign = _campaign_for(request.user, slug)
    _require_coordinator(request.user, campaign)
    rows = suppressions_for(campaign)
    if request.method == "POST":
        if not request.POST.get("suppression", "").isdigit():
            messages.error(request, _("Choose the address to lift."))
            return redirect("campaign-suppressions", slug=slug)
        suppression = get_object_or_404(rows, pk=request.POST["suppression"], lifted_at__isnull=True)
        reason = request.POST.get("reason", "").strip()
        if not reason:
            messages.error(request, _("Say why the address is lifted (e.g. the person asked by phone)."))
        else:
            lift(suppression=suppression, by=request.user, reason=reason)
            messages.success(
                request, _("%(address)s can receive messages again.") % {"address": suppression.address}
            )
        return redirect("campaign-suppressions", slug=slug)
    return render(
        request,
        "respondents/suppressions.html",
        {"campaign": campaign, "rows": rows[:1000], "reasons": AddressSuppression.Reason},
    )
