"""The coordinator's questionnaire pages: upload (XLSForm or YAML), download as XLSForm, preview as the
respondent sees it (phone and desktop), and test links."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from ..forms import QuestionnaireUploadForm, TestLinkForm
from ..models import Questionnaire
from ..services.layout import page_sections
from ..services.questionnaires import load_questionnaire
from ..services.trial_links import create_test_link, delete_test_links, links_for_testing
from .distribution import _coordinated_campaign
from .respondent import language_context

# The preview frame may be shown inside our own preview page only (never by another site).
FRAME_OF_OUR_PAGES = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}


@login_required
def questionnaire_list(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    form = QuestionnaireUploadForm(campaign=campaign)
    report = None
    if request.method == "POST":
        form = QuestionnaireUploadForm(request.POST, request.FILES, campaign=campaign)
        if form.is_valid():
            report = _load_upload(campaign, form.cleaned_data)
            if report.ok:
                messages.success(request, _status_message(report))
                return _after_upload(request, slug, report)
    return render(request, "surveys/questionnaires.html", _list_context(campaign, form, report))


def _load_upload(campaign, data):
    upload = data["file"]
    with tempfile.TemporaryDirectory() as folder:
        # The file keeps its name (the report and the questionnaire's source name it) but never its path.
        name = Path(upload.name).name or "questionnaire.xlsx"
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        codes = [g.code for g in data.get("groups") or []]
        return load_questionnaire(campaign=campaign, path=path, group_codes=codes or None)


def _after_upload(request, slug, report):
    changes = getattr(report, "changes", None)
    if changes is not None and not changes.empty:
        # The change report against the version replaced or updated (kit.versioning): by question code.
        messages.info(
            request,
            _("Changes: %(added)s added, %(removed)s removed, %(reworded)s reworded, %(changed)s changed.")
            % {
                "added": ", ".join(changes.added) or "0",
                "removed": ", ".join(changes.removed) or "0",
                "reworded": ", ".join(c.code for c in changes.renamed) or "0",
                "changed": ", ".join(sorted({c.code for c in changes.changed})) or "0",
            },
        )
    for warning in report.warnings:
        messages.warning(request, warning)
    return redirect("campaign-questionnaires", slug=slug)


def _status_message(report) -> str:
    q = report.questionnaire
    return {
        "created": _("%(title)s: version %(version)d loaded."),
        "updated": _("%(title)s: version %(version)d updated (nobody had answered it yet)."),
        "unchanged": _("%(title)s: unchanged, version %(version)d is identical."),
    }[report.status] % {"title": q.title, "version": q.version}


def _list_context(campaign, form, report) -> dict:
    questionnaires = Questionnaire.objects.filter(campaign=campaign).prefetch_related("groups")
    return {
        "campaign": campaign,
        "questionnaires": questionnaires.order_by("code", "-version"),
        "form": form,
        "report": report,
        "test_links": links_for_testing(campaign),
        "test_form": TestLinkForm(campaign=campaign),
    }


def _questionnaire(campaign, pk) -> Questionnaire:
    return get_object_or_404(Questionnaire, campaign=campaign, pk=pk)


@login_required
def download_xlsform(request, slug, pk):
    from ..services.xlsform import write_xlsform

    campaign = _coordinated_campaign(request.user, slug)
    questionnaire = _questionnaire(campaign, pk)
    response = HttpResponse(
        write_xlsform(questionnaire.definition),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{slugify(questionnaire.code) or 'questionnaire'}-v{questionnaire.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def preview(request, slug, pk):
    campaign = _coordinated_campaign(request.user, slug)
    questionnaire = _questionnaire(campaign, pk)
    return render(request, "surveys/preview.html", {"campaign": campaign, "questionnaire": questionnaire})


@login_required
@xframe_options_sameorigin
@csp_override(FRAME_OF_OUR_PAGES)
def preview_frame(request, slug, pk):
    """The questionnaire exactly as the respondent's page draws it, with nothing to save or submit."""
    campaign = _coordinated_campaign(request.user, slug)
    questionnaire = _questionnaire(campaign, pk)
    sections, progress = page_sections(questionnaire.definition, {}, {})
    context = {
        "campaign": campaign,
        "questionnaire": questionnaire,
        **language_context(questionnaire.definition),
        "sections": sections,
        "progress": progress,
        "error_list": [],
        "preview": True,
    }
    return render(request, "surveys/respondent/questionnaire.html", context)


@login_required
@require_POST
def test_link_create(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    form = TestLinkForm(request.POST, campaign=campaign)
    if not form.is_valid():
        messages.error(request, _("Choose a questionnaire for the test link."))
        return redirect("campaign-questionnaires", slug=slug)
    link = create_test_link(
        campaign=campaign, questionnaire=form.cleaned_data["questionnaire"], label=form.cleaned_data["label"]
    )
    # The token is shown this once (only its hash is stored), as for every personal link.
    messages.success(request, _("Test link created: %(url)s") % {"url": link.url})
    return redirect("campaign-questionnaires", slug=slug)


@login_required
@require_POST
def test_links_delete(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    ids = [int(i) for i in request.POST.getlist("link") if i.isdigit()] or None
    count = delete_test_links(campaign=campaign, ids=ids)
    messages.success(request, _("%(n)d test links deleted with their answers.") % {"n": count})
    return redirect("campaign-questionnaires", slug=slug)
