"""The sample in the field: the coordinator draws it (or loads a design drawn on paper), an enumerator
works through its work list recording each contact attempt, the supervisor follows the outcome rates."""

import datetime
import tempfile
import uuid
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from respondents.models import Campaign
from respondents.selectors import is_coordinator

from .. import entry_selectors, sample_selectors
from ..models import ContactAttempt, DrawnUnit, SampleDesign
from ..services.contacts import record_attempt
from ..services.design import DrawSettings, draw_sample
from ..services.design_file import import_sample_design
from .supervision import _scope


class DrawForm(forms.Form):
    psu_count = forms.IntegerField(
        min_value=1, max_value=500, initial=6, label=gettext_lazy("Communes/wards drawn")
    )
    ssu_per_psu = forms.IntegerField(
        min_value=1, max_value=100, initial=3, label=gettext_lazy("Villages per commune")
    )
    units_per_ssu = forms.IntegerField(
        min_value=1, max_value=1000, initial=30, label=gettext_lazy("Households/people per village")
    )
    reserves_per_ssu = forms.IntegerField(
        min_value=0, max_value=1000, initial=5, label=gettext_lazy("Reserves per village")
    )
    psu_method = forms.ChoiceField(
        choices=SampleDesign.Method.choices, initial=SampleDesign.Method.PPS, label=gettext_lazy("Stage 1")
    )
    ssu_method = forms.ChoiceField(
        choices=SampleDesign.Method.choices, initial=SampleDesign.Method.PPS, label=gettext_lazy("Stage 2")
    )
    stratify_by = forms.ChoiceField(
        choices=SampleDesign.Strata.choices, initial=SampleDesign.Strata.NONE, label=gettext_lazy("Strata")
    )
    seed = forms.IntegerField(
        required=False, min_value=0, max_value=2**62, label=gettext_lazy("Seed (empty: a new one)")
    )


class DesignFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Design file (xlsx or ods: strata, communes, villages)"))
    dry_run = forms.BooleanField(required=False, initial=True, label=gettext_lazy("Check only, load nothing"))


def _coordinated(request, slug) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None or not is_coordinator(request.user, campaign.province_id):
        raise Http404
    return campaign


@login_required
def sample_page(request, slug):
    campaign = _coordinated(request, slug)
    draw_form, file_form, report = DrawForm(prefix="draw"), DesignFileForm(prefix="file"), None
    if request.method == "POST" and "draw-psu_count" in request.POST:
        draw_form = DrawForm(request.POST, prefix="draw")
        if draw_form.is_valid():
            result = draw_sample(
                campaign=campaign, user=request.user, settings=DrawSettings(**draw_form.cleaned_data)
            )
            if result.ok:
                messages.success(
                    request, _("Sample drawn with seed %(seed)s.") % {"seed": result.design.seed}
                )
                return redirect("field-sample", campaign.slug)
            for error in result.errors:
                messages.error(request, error)
    elif request.method == "POST":
        file_form = DesignFileForm(request.POST, request.FILES, prefix="file")
        if file_form.is_valid():
            upload = file_form.cleaned_data["file"]
            name = Path(upload.name or "design.xlsx").name[:200]
            with tempfile.TemporaryDirectory(prefix="design-") as tmp:
                path = Path(tmp) / ("file" + Path(name).suffix.lower()[:10])
                with path.open("wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                report = import_sample_design(
                    campaign=campaign,
                    path=path,
                    user=request.user,
                    file_name=name,
                    dry_run=file_form.cleaned_data["dry_run"],
                )
    context = {
        "campaign": campaign,
        "draw_form": draw_form,
        "file_form": file_form,
        "report": report,
        "summary": sample_selectors.design_summary(campaign),
    }
    return render(request, "fieldwork/sample.html", context, status=400 if report and not report.ok else 200)


@login_required
def work_list_home(request):
    if not entry_selectors.is_field_worker(request.user):
        raise PermissionDenied
    return render(
        request,
        "fieldwork/work_list.html",
        {"rows": sample_selectors.work_list(request.user), "outcomes": _outcomes()},
    )


@require_POST
@login_required
def work_list_attempt(request, unit_id: int):
    unit = get_object_or_404(
        DrawnUnit.objects.select_related("assignment", "design__campaign"), pk=unit_id, stage=3
    )
    try:
        when = timezone.make_aware(datetime.datetime.fromisoformat(request.POST.get("attempted_at", "")))
    except ValueError:
        when = timezone.now()
    try:
        key = uuid.UUID(request.POST.get("client_uuid", ""))
    except ValueError:
        key = uuid.uuid4()
    result = record_attempt(
        unit=unit,
        user=request.user,
        outcome=request.POST.get("outcome", ""),
        attempted_at=when,
        client_uuid=key,
        note=request.POST.get("note", ""),
    )
    if result.status == "forbidden":
        raise PermissionDenied
    if result.status in ("created", "duplicate"):
        messages.success(request, _("Attempt recorded: %(name)s.") % {"name": unit.name})
        if result.released is not None:
            messages.info(request, _("Replacement released: %(name)s.") % {"name": result.released.name})
        elif result.no_reserve_left:
            messages.warning(request, _("No reserve left in this village: tell the supervisor."))
    else:
        for problems in result.errors.values():
            messages.error(request, " ".join(problems))
    return redirect("field-work-list")


@login_required
def contacts(request):
    campaign, campaigns, team_ids = _scope(request)
    rates = sample_selectors.contact_rates(campaign, team_ids)
    rows = [_rate_row("overall", _("All"), rates["overall"])]
    rows += [_rate_row("team", name, r) for name, r in rates["by_team"]]
    rows += [_rate_row("area", name, r) for name, r in rates["by_area"]]
    context = {
        "campaign": campaign,
        "campaigns": campaigns.order_by("-year", "slug"),
        "rows": rows,
        "summary": sample_selectors.design_summary(campaign),
        "all_teams": team_ids is None,
    }
    return render(request, "fieldwork/contacts.html", context)


def _percent(value) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _rate_row(kind: str, name: str, rates) -> dict:
    return {
        "kind": kind,
        "name": name,
        "counts": [rates.counts[c] for c in ("I", "P", "R", "NC", "O", "UH", "NE")],
        "pending": rates.pending,
        "rates": [_percent(v) for v in (rates.rr1, rates.rr3, rates.ref1, rates.con1, rates.coop1)],
    }


def _outcomes():
    return [
        (value, label)
        for value, label in ContactAttempt.Outcome.choices
        if value != ContactAttempt.Outcome.INTERVIEWED
    ]
