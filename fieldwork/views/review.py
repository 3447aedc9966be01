"""Review before data counts: the supervisor's list of interviews to review (flags proposing holds, gaps
in form numbers), one interview with its answers and history, and the decisions (approve, hold, reject,
correct an answer, explain a missing form). Supervisors see their team(s), coordinators every team."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import review_selectors
from ..models import FieldRecord, FormNumberNote, ReviewState
from ..paperforms import normalise
from ..selectors import progress_team_ids, supervised_campaigns
from ..services.review import correct_in_review, hold_flagged, set_review_state
from ..supervision import REASON_LABELS
from .supervision import _scope

MESSAGES = {
    "forbidden": gettext_lazy("This interview is not in your teams."),
    "own": gettext_lazy("You keyed or did this interview: another person reviews it."),
    "reason_required": gettext_lazy("Give the reason for this decision."),
    "unchanged": gettext_lazy("Nothing changed."),
}


class DecisionForm(forms.Form):
    state = forms.ChoiceField(choices=ReviewState.choices)
    reason = forms.CharField(required=False, max_length=2000)


class CorrectionForm(forms.Form):
    question = forms.CharField(max_length=100)
    value = forms.CharField(required=False, max_length=1000)
    reason = forms.CharField(max_length=2000)


def _record(request, record_id: int) -> tuple[FieldRecord, object, list | None]:
    record = get_object_or_404(
        FieldRecord.objects.select_related(
            "assignment__campaign", "assignment__team", "response__questionnaire", "response__entered_by"
        ),
        pk=record_id,
    )
    campaign = record.assignment.campaign
    if not supervised_campaigns(request.user).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    team_ids = progress_team_ids(request.user, campaign)
    if team_ids is not None and record.assignment.team_id not in team_ids:
        raise PermissionDenied
    return record, campaign, team_ids


@login_required
def review_list(request):
    campaign, campaigns, team_ids = _scope(request)
    state = request.GET.get("state") or None
    if state not in (None, *ReviewState.values):
        state = None
    flags = review_selectors.flag_reasons(campaign, team_ids)
    rows = review_selectors.review_rows(campaign, team_ids, state=state, flags=flags)
    for row in rows:
        row["flag_labels"] = [str(REASON_LABELS.get(f, f)) for f in row["flags"]]
    proposed = [row for row in rows if row["flags"] and row["record"].review_state == ReviewState.RECEIVED]
    context = {
        "campaign": campaign,
        "campaigns": campaigns.order_by("-year", "slug"),
        "rows": rows,
        "state": state,
        "states": ReviewState.choices,
        "counts": review_selectors.review_counts(campaign, team_ids),
        "proposed": len(proposed),
        "forms": review_selectors.form_problems(campaign, team_ids),
        "all_teams": team_ids is None,
    }
    return render(request, "fieldwork/review_list.html", context)


@login_required
def review_detail(request, record_id: int):
    record, campaign, _team_ids = _record(request, record_id)
    context = {
        "record": record,
        "campaign": campaign,
        "states": ReviewState.choices,
        **review_selectors.record_detail(record),
        "keyer": review_selectors.person(record.response.entered_by),
        "enumerator": review_selectors.person(record.enumerator),
    }
    return render(request, "fieldwork/review_detail.html", context)


def _say(request, result) -> None:
    if result.status == "changed":
        messages.success(request, _("Saved."))
    elif result.status in MESSAGES:
        level = messages.info if result.status == "unchanged" else messages.error
        level(request, str(MESSAGES[result.status]))
    else:
        for problems in result.errors.values():
            items = problems.values() if isinstance(problems, dict) else [problems]
            for item in items:
                messages.error(request, " ".join(item) if isinstance(item, list) else str(item))


@require_POST
@login_required
def review_decide(request, record_id: int):
    record, _campaign, _team_ids = _record(request, record_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a review state."))
    else:
        result = set_review_state(
            record=record,
            user=request.user,
            state=form.cleaned_data["state"],
            reason=form.cleaned_data["reason"],
        )
        _say(request, result)
    back = request.POST.get("next", "")
    if not back.startswith(reverse("field-review")):  # only back to a review page of this site
        back = reverse("field-review-detail", args=[record.pk])
    return redirect(back)


@require_POST
@login_required
def review_correct(request, record_id: int):
    record, _campaign, _team_ids = _record(request, record_id)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the question, the new value and the reason."))
    else:
        value = _typed(record, form.cleaned_data["question"], form.cleaned_data["value"])
        result = correct_in_review(
            record=record,
            user=request.user,
            question_code=form.cleaned_data["question"],
            value=value,
            reason=form.cleaned_data["reason"],
        )
        _say(request, result)
    return redirect("field-review-detail", record.pk)


def _typed(record: FieldRecord, code: str, text: str):
    """The value typed in the correction form as the questionnaire stores it (an option's own value, a
    list for several answers separated by commas); clean_answers then checks it."""
    text = text.strip()
    if not text:
        return None
    for section in record.response.questionnaire.definition["sections"]:
        for question in section["questions"]:
            if question["code"] != code:
                continue
            by_text = {str(o["value"]): o["value"] for o in question.get("options", [])}
            if question["type"] == "multiple":
                return [by_text.get(part.strip(), part.strip()) for part in text.split(",") if part.strip()]
            return by_text.get(text, text)
    return text


@require_POST
@login_required
def review_hold_flagged(request):
    campaign, _campaigns, team_ids = _scope(request)
    flags = review_selectors.flag_reasons(campaign, team_ids)
    labels = {pk: ", ".join(str(REASON_LABELS.get(f, f)) for f in reasons) for pk, reasons in flags.items()}
    held = 0
    for pk, reasons in flags.items():
        held += hold_flagged(
            user=request.user,
            flagged={pk: reasons},
            reason=_("Proposed by the data-quality flags: %(flags)s") % {"flags": labels[pk]},
        )
    messages.success(request, _("%(n)d interview(s) put on hold.") % {"n": held})
    return redirect(f"{reverse('field-review')}?campaign={campaign.slug}")


@require_POST
@login_required
def form_number_note(request):
    campaign, _campaigns, team_ids = _scope(request)
    number = normalise(request.POST.get("form_number", ""))[:40]
    note = request.POST.get("note", "").strip()[:2000]
    enumerator = get_user_model().objects.filter(pk=request.POST.get("enumerator") or 0).first()
    scope = review_selectors.scoped_records(campaign, team_ids)
    if not number or not note or enumerator is None:
        messages.error(request, _("Write why the form is missing."))
    elif not scope.filter(enumerator=enumerator).exists():
        raise Http404
    else:
        try:
            with transaction.atomic():
                FormNumberNote.objects.create(
                    campaign=campaign, enumerator=enumerator, form_number=number, note=note, by=request.user
                )
            messages.success(request, _("Form %(form)s: explanation saved.") % {"form": number})
        except IntegrityError:
            messages.info(request, _("Form %(form)s was already explained.") % {"form": number})
    return redirect(f"{reverse('field-review')}?campaign={campaign.slug}#form-gaps")
