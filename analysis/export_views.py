"""The campaign's respondent-level export page: the form starts a background job (analysis/jobs.py
RESPONSES_EXPORT) whose page offers the file and its codebook in one zip (docs/decisions.md D309, D450)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from jobs.services import start_job
from respondents.models import Campaign
from respondents.selectors import sees_personal_data

from .forms import ResponsesExportForm
from .jobs import RESPONSES_EXPORT
from .permissions import can_export_responses


@login_required
def responses_export(request, slug):
    from .exports.service import questionnaire_codes  # pandas: not at start-up (D401)

    campaign = get_object_or_404(Campaign.objects.select_related("province"), slug=slug)
    if not can_export_responses(request.user, campaign):
        raise PermissionDenied
    personal_allowed = sees_personal_data(request.user, campaign)
    form = ResponsesExportForm(
        request.POST or None,
        questionnaire_codes=questionnaire_codes(campaign),
        may_see_personal=personal_allowed,
    )
    if request.method != "POST" or not form.is_valid():
        context = {"campaign": campaign, "form": form, "personal_allowed": personal_allowed}
        return render(request, "analysis/responses_export.html", context)
    data = form.cleaned_data
    job = start_job(
        kind_name=RESPONSES_EXPORT,
        owner=request.user,
        params={
            "campaign_id": campaign.pk,
            "user_id": request.user.pk,
            "format": data["format"],
            "personal": bool(personal_allowed and data.get("personal", False)),
            "questionnaire": data["questionnaire"] or None,
            "include_drafts": bool(data["include_drafts"]),
            "labels": data["labels"],
        },
        campaign_id=campaign.pk,
        campaign_slug=campaign.slug,
        campaign_name=campaign.name,
        back_url=reverse("responses-export", args=[campaign.slug]),
    )
    return redirect("job", pk=job.pk)
