"""The campaign's respondent-level export page: the form, then the file and its codebook in one zip. Thin:
the export is analysis.exports.service.export_responses, the function a background job runs
(docs/decisions.md D309)."""

import tempfile
import zipfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render

from respondents.models import Campaign
from respondents.selectors import sees_personal_data

from .exports.service import export_responses, questionnaire_codes
from .forms import ResponsesExportForm
from .permissions import can_export_responses


@login_required
def responses_export(request, slug):
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
    folder = Path(tempfile.mkdtemp(prefix="export-"))
    name = f"phieu-tra-loi-{campaign.slug}.{data['format']}"
    report = export_responses(
        campaign=campaign,
        fmt=data["format"],
        path=folder / name,
        by=request.user,
        personal=personal_allowed and data.get("personal", False),
        questionnaire=data["questionnaire"] or None,
        include_drafts=data["include_drafts"],
        labels=data["labels"],
    )
    archive = folder / f"phieu-tra-loi-{campaign.slug}-{data['format']}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.write(report.path, report.path.name)
        bundle.write(report.codebook, report.codebook.name)
    return FileResponse(archive.open("rb"), as_attachment=True, filename=archive.name)
