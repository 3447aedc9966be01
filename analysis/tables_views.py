"""The question tables page: every question of a campaign, weighted, filtered by questionnaire, respondent
group and breakdown; and starting the workbook of all its tables as a job (docs/decisions.md D328)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from jobs.services import start_job
from kit.charts.bars import percent_bars
from kit.safeinput import storable_text
from respondents.selectors import is_coordinator, sees_personal_data

from .jobs import QUESTION_TABLES
from .tables import FrequencyTable
from .views import _campaign

if TYPE_CHECKING:  # pandas behind it: imported where used, not at start-up (D401)
    from .question_tables import CampaignTables


def _filters(request) -> dict:
    questionnaire = request.GET.get("questionnaire", "")
    return {
        "questionnaire_id": int(questionnaire)
        if questionnaire.isdigit() and len(questionnaire) < 12
        else None,
        # As a job's JSON params can hold them on both databases; an unknown value matches nothing.
        "breakdown": storable_text(request.GET.get("breakdown", ""), length=200),
        "group": storable_text(request.GET.get("group", ""), length=60),
    }


def _chart_rows(tables: list[FrequencyTable], *, prefixed: bool) -> list[dict]:
    return [
        {
            "label": f"{table.label}: {row.label}" if prefixed else row.label,
            "estimate": row.percent,
            "ci_low": row.low,
            "ci_high": row.high,
            "suppressed": table.suppressed,
        }
        for table in tables
        for row in table.rows
    ]


def charts_of(result: CampaignTables) -> dict[str, object]:
    """One bar chart per choice question: the options overall, or each option in each breakdown group."""
    charts: dict[str, object] = {}
    for question in result.questions:
        if not question.is_choice or question.overall is None:
            continue
        if question.breakdown:
            charts[question.code] = percent_bars(_chart_rows(question.breakdown, prefixed=True))  # type: ignore[arg-type]
        else:
            charts[question.code] = percent_bars(_chart_rows([question.overall], prefixed=False))  # type: ignore[list-item]
    return charts


@login_required
def tables_page(request, slug):
    campaign = _campaign(request, slug)
    filters = _filters(request)
    from .question_tables import campaign_tables

    result = campaign_tables(
        campaign=campaign,
        **filters,
        personal=sees_personal_data(request.user, campaign),
        suppress=not is_coordinator(request.user, campaign.province_id),
    )
    charts = charts_of(result)
    questions = [(q, charts.get(q.code)) for q in result.questions]
    context = {"campaign": campaign, "result": result, "questions": questions}
    return render(request, "analysis/tables.html", context)


def _back_url(campaign, filters: dict) -> str:
    """The tables page with the job's filters, if that fits the job's 300 characters; else the page."""
    page = reverse("question-tables", args=[campaign.slug])
    query = urlencode({k: v for k, v in filters.items() if v})
    return f"{page}?{query}" if query and len(page) + len(query) < 300 else page


@login_required
@require_POST
def tables_workbook(request, slug):
    """Starts the workbook of every table (with the page's filters) as a job and shows its page."""
    campaign = _campaign(request, slug)
    filters = _filters(request) | {
        k: storable_text(request.POST.get(k, ""), length=200)
        for k in ("breakdown", "group")
        if request.POST.get(k)
    }
    questionnaire = request.POST.get("questionnaire", "")
    if questionnaire.isdigit() and len(questionnaire) < 12:
        filters["questionnaire_id"] = int(questionnaire)
    job = start_job(
        kind_name=QUESTION_TABLES,
        owner=request.user,
        params={
            "campaign_id": campaign.pk,
            **filters,
            "personal": sees_personal_data(request.user, campaign),
            "suppress": not is_coordinator(request.user, campaign.province_id),
        },
        campaign_id=campaign.pk,
        campaign_slug=campaign.slug,
        campaign_name=campaign.name,
        back_url=_back_url(campaign, filters),
    )
    return redirect("job", pk=job.pk)
