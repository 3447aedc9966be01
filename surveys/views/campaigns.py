"""Setting campaigns up in the browser (coordinator): create one, edit it until it opens, copy last year's."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from respondents.forms import CampaignForm
from respondents.models import Campaign, Province, RespondentGroup
from respondents.selectors import coordinated_provinces
from respondents.services.setup import (
    DEFAULT_GROUPS,
    EDITABLE_WHEN_OPEN,
    create_campaign,
    is_open,
    units_valid_in,
    update_campaign,
)

from .distribution import _coordinated_campaign

VALUES = (
    "name",
    "list_deadline",
    "survey_opens",
    "survey_closes",
    "reminder_limit",
    "reminder_interval_days",
)


def _provinces(user):
    if user.is_superuser:
        return Province.objects.all()
    return Province.objects.filter(pk__in=coordinated_provinces(user))


def _form(request, *, existing=None, initial=None, data=None):
    provinces = _provinces(request.user)
    return CampaignForm(
        data, provinces=provinces, groups=RespondentGroup.objects.all(), existing=existing, initial=initial
    )


@login_required
def campaign_new(request):
    if not _provinces(request.user).exists():
        raise PermissionDenied
    year = datetime.date.today().year
    kind = request.GET.get("kind") or Campaign.Kind.PAR_OFFICIALS
    initial = {
        "kind": kind,
        "year": year,
        "province": _provinces(request.user).first(),
        "list_deadline": datetime.date(year, 12, 10),
        "reminder_limit": 3,
        "reminder_interval_days": 3,
        "groups": DEFAULT_GROUPS.get(kind, []),
    }
    form = _form(request, initial=initial, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        campaign = _create(form)
        if campaign is not None:
            messages.success(request, _("Campaign created: %(name)s.") % {"name": campaign.name})
            return redirect("campaign-settings", slug=campaign.slug)
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": None})


def _create(form) -> Campaign | None:
    data = form.cleaned_data
    if Campaign.objects.filter(slug=data["slug"]).exists():
        form.add_error("slug", _("Another campaign already uses this short name."))
        return None
    with transaction.atomic():
        campaign = create_campaign(
            slug=data["slug"],
            kind=data["kind"],
            year=data["year"],
            province=data["province"],
            name=data["name"],
            list_deadline=data["list_deadline"],
            group_codes=data["groups"] or None,
        )
        values = {name: data[name] for name in VALUES if name != "name" or data["name"]}
        values["response_targets"] = form.targets()
        result = update_campaign(campaign=campaign, values=values)
        if not result.ok:
            for name, message in result.errors.items():
                form.add_error(name if name in form.fields else None, message)
            transaction.set_rollback(True)
            return None
    return campaign


@login_required
def campaign_settings(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    initial = {
        "kind": campaign.kind,
        "year": campaign.year,
        "province": campaign.province,
        "slug": campaign.slug,
        "groups": list(campaign.groups.values_list("code", flat=True)),
        **{name: getattr(campaign, name) for name in VALUES},
        **{f"target_{code}": value for code, value in campaign.response_targets.items()},
    }
    form = _form(request, existing=campaign, initial=initial, data=request.POST or None)
    opened = is_open(campaign)
    if opened:
        for name, field in form.fields.items():
            field.disabled = name not in EDITABLE_WHEN_OPEN
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in VALUES if not form.fields[name].disabled}
        if not opened:
            values["response_targets"] = form.targets()
        codes = None if opened else form.cleaned_data["groups"]
        result = update_campaign(campaign=campaign, values=values, group_codes=codes)
        if result.ok:
            messages.success(request, _("Campaign saved."))
            return redirect("campaign-settings", slug=slug)
        for name, message in result.errors.items():
            form.add_error(name if name in form.fields else None, message)
    context = {
        "form": form,
        "campaign": campaign,
        "opened": opened,
        "units": units_valid_in(campaign.province, campaign.year).count(),
        "next_year": campaign.year + 1,
        "next_slug": _next_slug(campaign),
    }
    return render(request, "surveys/campaign_form.html", context)


def _next_slug(campaign: Campaign) -> str:
    year = str(campaign.year)
    if year in campaign.slug:
        return campaign.slug.replace(year, str(campaign.year + 1))
    return f"{campaign.slug}-{campaign.year + 1}"[:60]


def _year(text: str | None, *, default: int) -> int | None:
    """A campaign year as posted, or None when it is not one (a number far outside 2000-2100 included)."""
    text = (text or "").strip()
    if not text:
        return default
    if not text.isdigit() or len(text) != 4 or not 2000 <= int(text) <= 2100:
        return None
    return int(text)


@login_required
@require_POST
def campaign_copy(request, slug):
    from ..services.campaign_setup import copy_for_next_round

    source = _coordinated_campaign(request.user, slug)
    new_slug = (request.POST.get("slug") or _next_slug(source)).strip()[:60]
    year = _year(request.POST.get("year"), default=source.year + 1)
    if year is None:
        messages.error(request, _("The year of the new campaign is a year from 2000 to 2100."))
        return redirect("campaign-settings", slug=slug)
    if Campaign.objects.filter(slug=new_slug).exists():
        messages.error(
            request, _("Another campaign already uses the short name %(slug)s.") % {"slug": new_slug}
        )
        return redirect("campaign-settings", slug=slug)
    report = copy_for_next_round(source=source, slug=new_slug, year=year)
    messages.success(
        request,
        _("%(name)s created from %(source)s: %(units)d units valid in %(year)d, %(n)d questionnaires copied.")
        % {
            "name": report.campaign.name,
            "source": source.name,
            "units": report.campaign.units.count(),
            "year": year,
            "n": len(report.questionnaires),
        },
    )
    for code, reason in report.skipped.items():
        messages.warning(
            request, _("Questionnaire %(code)s not copied: %(reason)s") % {"code": code, "reason": reason}
        )
    return redirect("campaign-settings", slug=report.campaign.slug)
