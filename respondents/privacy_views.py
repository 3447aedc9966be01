"""The page where a coordinator grants or revokes an analyst's access to a campaign's personal data
(names, phones, e-mails); each change is written to the audit log by the privacy service."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import GrantForm
from .models import Campaign, Membership, PersonalDataGrant
from .selectors import is_coordinator
from .services.privacy import grant_personal_data, revoke_personal_data


def _analysts(campaign: Campaign):
    users = Membership.objects.filter(role=Membership.Role.ANALYST, province_id=campaign.province_id)
    return get_user_model().objects.filter(pk__in=users.values("user_id")).order_by("username")


def _coordinated_campaign(request, slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if not is_coordinator(request.user, campaign.province_id):
        raise PermissionDenied
    return campaign


@login_required
def access_page(request, slug):
    campaign = _coordinated_campaign(request, slug)
    analysts = _analysts(campaign)
    grants = PersonalDataGrant.objects.filter(campaign=campaign).select_related(
        "analyst", "granted_by", "revoked_by"
    )
    form = GrantForm(analysts=analysts)
    context = {"campaign": campaign, "grants": grants, "form": form, "analysts": analysts}
    return render(request, "respondents/personal_data.html", context)


@login_required
@require_POST
def access_grant(request, slug):
    campaign = _coordinated_campaign(request, slug)
    analysts = _analysts(campaign)
    form = GrantForm(request.POST, analysts=analysts)
    if form.is_valid():
        analyst = analysts.get(pk=form.cleaned_data["analyst"])
        try:
            grant_personal_data(
                campaign=campaign,
                analyst=analyst,
                by=request.user,
                valid_until=form.cleaned_data["valid_until"],
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Access granted to %(user)s.") % {"user": analyst.get_username()})
        except ValueError:
            messages.error(request, _("The last day of access cannot be in the past."))
    else:
        messages.error(request, _("Choose an analyst and the last day of access."))
    return redirect("personal-data-access", slug=campaign.slug)


@login_required
@require_POST
def access_revoke(request, slug):
    campaign = _coordinated_campaign(request, slug)
    chosen = request.POST.get("analyst", "")
    if not chosen.isdecimal() or len(chosen) > 18:  # "1e30" or a long text: no such analyst
        messages.error(request, _("Choose an analyst."))
        return redirect("personal-data-access", slug=campaign.slug)
    analyst = get_object_or_404(_analysts(campaign), pk=int(chosen))
    revoke_personal_data(campaign=campaign, analyst=analyst, by=request.user)
    messages.success(request, _("Access revoked for %(user)s.") % {"user": analyst.get_username()})
    return redirect("personal-data-access", slug=campaign.slug)
