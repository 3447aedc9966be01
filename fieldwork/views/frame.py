"""The coordinator's page for the sampling frame: upload a workbook (check first or import), see the frame."""

import tempfile
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kit.tabular.problems import problem
from respondents.models import Campaign

from ..access import may_manage_frame
from ..models import Assignment, SamplingFrameEntry
from ..services.frame import FrameReport, import_sampling_frame


class FrameUploadForm(forms.Form):
    file = forms.FileField(label=_("Workbook (xlsx, xls, ods or csv)"))
    assignment = forms.ModelChoiceField(
        queryset=Assignment.objects.none(), required=False, label=_("Assignment (optional)")
    )
    dry_run = forms.BooleanField(required=False, initial=True, label=_("Check only, import nothing"))

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = Assignment.objects.filter(campaign=campaign).select_related(
            "team", "enumerator", "area"
        )


@login_required
def frame_upload(request, slug):
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None or not may_manage_frame(request.user, campaign):
        raise Http404
    report = None
    form = FrameUploadForm(request.POST or None, request.FILES or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        report = _import(campaign, form.cleaned_data)
    summary = (
        SamplingFrameEntry.objects.filter(campaign=campaign)
        .values("area__name", "kind", "status")
        .annotate(n=Count("pk"))
        .order_by("area__name", "kind", "status")
    )
    status = 400 if report is not None and not report.ok else 200
    return render(
        request,
        "fieldwork/frame_upload.html",
        {"campaign": campaign, "form": form, "report": report, "summary": summary},
        status=status,
    )


def _import(campaign, data) -> FrameReport:
    upload = data["file"]
    name = Path(upload.name or "upload.xlsx").name[:200]
    if upload.size > settings.RESPONDENT_FILE_MAX_BYTES:
        limit = settings.RESPONDENT_FILE_MAX_BYTES
        detail = gettext("%(size).1f MB, more than %(max).0f MB") % {
            "size": upload.size / 1e6,
            "max": limit / 1e6,
        }
        report = FrameReport(file_name=name)
        report.errors.append(problem("file_too_large", file=name, detail=detail))
        return report
    with tempfile.TemporaryDirectory(prefix="frame-") as tmp:
        path = Path(tmp) / ("file" + Path(name).suffix.lower()[:10])
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        return import_sampling_frame(
            campaign=campaign,
            path=path,
            file_name=name,
            assignment=data["assignment"],
            dry_run=data["dry_run"],
        )
