"""Scoring pages: a lead department's self-assessment, the council's appraisal, the overview, history."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from respondents.selectors import coordinated_provinces, is_coordinator

from . import selectors
from .forms import CriteriaTableForm, load_criteria_upload
from .models import Assessment, CriteriaTree, Criterion, Evidence, ScoreEvent
from .services.scoring import add_evidence, appraise_score, save_self_score
from .survey_points import survey_points
from .totals import band, points_lost, tree_totals


def _assessment(user, slug: str, pk: int) -> Assessment:
    campaign = get_object_or_404(selectors.visible_campaigns(user), slug=slug)
    assessment = get_object_or_404(
        Assessment.objects.select_related("tree", "unit", "campaign__province"), pk=pk, campaign=campaign
    )
    if not selectors.can_view(user, assessment):
        raise PermissionDenied
    return assessment


def _item(assessment: Assessment, code: str) -> Criterion:
    return get_object_or_404(Criterion, tree_id=assessment.tree_id, code=code, is_leaf=True)


@login_required
def assessment_list(request, slug):
    campaign = get_object_or_404(selectors.visible_campaigns(request.user), slug=slug)
    if not selectors.may_open_scoring(request.user, campaign):
        raise PermissionDenied
    assessments = selectors.visible_assessments(request.user, campaign)
    return render(request, "scoring/assessments.html", {"campaign": campaign, "assessments": assessments})


@login_required
def overview(request, slug, pk):
    assessment = _assessment(request.user, slug, pk)
    sheet = selectors.score_sheet(assessment)
    surveys = survey_points(assessment)  # the same points as the indices dashboard (D159)
    final = selectors.final_scores(sheet, surveys.points)
    nodes = selectors.tree_nodes(assessment.tree)
    totals = tree_totals(nodes, final)
    survey_by_domain = {
        group.code: sum((surveys.points[i.code] for i in group.items if i.code in surveys.points), Decimal(0))
        for group in sheet.domains
        if any(i.source == "survey" for i in group.items)
    }
    context = {
        "campaign": assessment.campaign,
        "assessment": assessment,
        "sheet": sheet,
        "totals": totals,
        "domain_rows": [
            {"group": group, "survey": survey_by_domain.get(group.code), "points": node.points}
            for group, node in zip(sheet.domains, totals.domains, strict=True)
        ],
        "surveys": surveys,
        "survey_items": [i for i in sheet.items if i.source == "survey"],
        "band": band(totals.index, assessment.tree.bands),
        "lost": points_lost(nodes, final)[:15],
        "leads": assessment.tree.leads,
        "can_appraise": selectors.can_appraise(request.user, assessment),
        "can_score": selectors.scorable_leads(request.user, assessment) != set(),
    }
    return render(request, "scoring/overview.html", context)


@login_required
def self_page(request, slug, pk, *, errors=None, posted=None, status=200):
    assessment = _assessment(request.user, slug, pk)
    leads = selectors.scorable_leads(request.user, assessment)
    if leads == set():
        raise PermissionDenied
    sheet = selectors.score_sheet(assessment)
    domains = []
    for domain in sheet.domains:
        items = [i for i in domain.items if selectors.may_score_item(leads, i)]
        if items:
            domains.append({"domain": domain, "items": items})
    context = {
        "campaign": assessment.campaign,
        "assessment": assessment,
        "domains": domains,
        "errors": errors or {},
        "posted": posted or {},
    }
    return render(request, "scoring/self.html", context, status=status)


@login_required
@require_POST
def self_save(request, slug, pk, code):
    assessment = _assessment(request.user, slug, pk)
    criterion = _item(assessment, code)
    result = save_self_score(
        assessment=assessment,
        criterion=criterion,
        user=request.user,
        points=request.POST.get("points"),
        explanation=request.POST.get("explanation", ""),
        figures={k: request.POST.get(k) for k in ("value_current", "value_previous", "target", "achieved")},
    )
    errors = dict(result.errors)
    if result.ok and request.FILES.get("evidence"):
        upload = add_evidence(
            assessment=assessment, criterion=criterion, user=request.user, upload=request.FILES["evidence"]
        )
        errors.update(upload.errors)
    if errors:
        return self_page(request, slug, pk, errors={code: errors}, posted={code: request.POST}, status=400)
    return redirect(reverse("scoring-self", args=[slug, pk]) + f"#item-{code}")


@login_required
def appraisal_page(request, slug, pk, *, errors=None, posted=None, status=200):
    assessment = _assessment(request.user, slug, pk)
    if not selectors.can_appraise(request.user, assessment):
        raise PermissionDenied
    context = {
        "campaign": assessment.campaign,
        "assessment": assessment,
        "sheet": selectors.score_sheet(assessment),
        "leads": assessment.tree.leads,
        "errors": errors or {},
        "posted": posted or {},
    }
    return render(request, "scoring/appraisal.html", context, status=status)


@login_required
@require_POST
def appraise(request, slug, pk, code):
    assessment = _assessment(request.user, slug, pk)
    result = appraise_score(
        assessment=assessment,
        criterion=_item(assessment, code),
        user=request.user,
        points=request.POST.get("appraised_points"),
        reason=request.POST.get("reason", ""),
    )
    if not result.ok:
        return appraisal_page(
            request, slug, pk, errors={code: result.errors}, posted={code: request.POST}, status=400
        )
    return redirect(reverse("scoring-appraisal", args=[slug, pk]) + f"#item-{code}")


@login_required
def history(request, slug, pk, code):
    assessment = _assessment(request.user, slug, pk)
    criterion = _item(assessment, code)
    if not _may_read_item(request.user, assessment, criterion):
        raise PermissionDenied
    events = ScoreEvent.objects.filter(
        score__assessment=assessment, score__criterion=criterion
    ).select_related("by")
    evidence = Evidence.objects.filter(score__assessment=assessment, score__criterion=criterion)
    context = {
        "campaign": assessment.campaign,
        "assessment": assessment,
        "criterion": criterion,
        "events": events,
        "evidence": evidence,
    }
    return render(request, "scoring/history.html", context)


@login_required
def evidence_file(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.select_related(
            "score__assessment__campaign__province", "score__assessment__tree", "score__criterion"
        ),
        pk=pk,
    )
    assessment = evidence.score.assessment
    if not selectors.visible_campaigns(request.user).filter(pk=assessment.campaign_id).exists():
        raise Http404
    if not _may_read_item(request.user, assessment, evidence.score.criterion):
        raise PermissionDenied
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


def _may_read_item(user, assessment: Assessment, criterion: Criterion) -> bool:
    """Council and coordinator read every item; a lead department only its own."""
    if selectors.can_appraise(user, assessment) or is_coordinator(user, assessment.campaign.province_id):
        return True
    leads = selectors.scorable_leads(user, assessment)
    return leads is None or criterion.lead in leads


# --- the official criteria table (coordinators and the admin) ---------------------------------------------


def _may_load_criteria(user) -> bool:
    return user.is_superuser or coordinated_provinces(user).exists()


@login_required
def criteria_import(request):
    """Upload the annex: "Check" reads and checks it and stores nothing; "Load" stores the checked file."""
    if not _may_load_criteria(request.user):
        raise PermissionDenied
    form = CriteriaTableForm(request.POST or None, request.FILES or None)
    context = {"form": form, "trees": CriteriaTree.objects.filter(is_current=True).order_by("level", "code")}
    if request.method == "POST" and form.is_valid():
        context |= load_criteria_upload(form, user=request.user, load="load" in request.POST)
    status = 400 if context.get("result") and not context["result"].ok else 200
    return render(request, "scoring/criteria_import.html", context, status=status)
