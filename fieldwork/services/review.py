"""Review before data counts: a supervisor (or the coordinator) approves, holds or rejects each interview
with a reason, takes the holds the data-quality flags propose, and corrects an answer in review keeping
the original. Each change is a ReviewEvent or AnswerCorrection and an audit event (docs/decisions.md
D356, D357). Whoever keyed or did the interview never reviews it."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action
from surveys.models import Response
from surveys.services.answers import clean_answers

from ..access import supervised_team_ids
from ..models import FieldRecord, ReviewEvent, ReviewState
from .verification import apply_correction

# A reason is required to hold or reject, and to change a decision already taken.
REASON_REQUIRED = {ReviewState.ON_HOLD, ReviewState.REJECTED}
DECIDED = {ReviewState.APPROVED, ReviewState.REJECTED}


@dataclass
class ReviewResult:
    status: str  # changed | unchanged | forbidden | own | reason_required | invalid
    errors: dict = field(default_factory=dict)


def _refusal(user: User, record: FieldRecord) -> str | None:
    if record.assignment.team_id not in supervised_team_ids(user):
        return "forbidden"
    if user.pk in (record.enumerator_id, record.response.entered_by_id):
        return "own"
    return None


def _locked(record_id: int) -> FieldRecord:
    return (
        FieldRecord.objects.select_for_update(of=("self",))
        .select_related("assignment__campaign", "response")
        .get(pk=record_id)
    )


def set_review_state(
    *, record: FieldRecord, user: User, state: str, reason: str = "", flags: Iterable[str] = ()
) -> ReviewResult:
    """Move one interview to `state` (received → approved / on hold / rejected, or between them)."""
    reason = (reason or "").strip()
    if state not in ReviewState.values:
        return ReviewResult(status="invalid", errors={"state": [_("Unknown review state.")]})
    with transaction.atomic():
        locked = _locked(record.pk)
        refused = _refusal(user, locked)
        if refused:
            return ReviewResult(status=refused)
        if locked.review_state == state:
            return ReviewResult(status="unchanged")
        if not reason and (state in REASON_REQUIRED or locked.review_state in DECIDED):
            return ReviewResult(
                status="reason_required", errors={"reason": [_("Give the reason for this decision.")]}
            )
        before = locked.review_state
        now = timezone.now()
        FieldRecord.objects.filter(pk=locked.pk).update(review_state=state, reviewed_at=now, reviewed_by=user)
        ReviewEvent.objects.create(
            record=locked, from_state=before, to_state=state, reason=reason, flags=list(flags), by=user
        )
        audit.record(
            actor=user,
            action=Action.FIELD_REVIEWED,
            obj=locked,
            campaign=locked.assignment.campaign,
            detail={
                "response": locked.response_id,
                "form_number": locked.form_number,
                "before": before,
                "after": state,
                "reason": reason,
                "flags": sorted(set(flags)),
            },
        )
    record.review_state, record.reviewed_at, record.reviewed_by = state, now, user
    return ReviewResult(status="changed")


def hold_flagged(*, user: User, flagged: dict[int, Collection[str]], reason: str) -> int:
    """Put on hold the interviews the data-quality flags propose (record id → flag reasons), among those
    still received; the supervisor confirms the proposal (a flag proves nothing). Returns how many."""
    held = 0
    records = FieldRecord.objects.filter(pk__in=list(flagged), review_state=ReviewState.RECEIVED)
    for found in records.select_related("assignment", "response"):
        result = set_review_state(
            record=found, user=user, state=ReviewState.ON_HOLD, reason=reason, flags=flagged[found.pk]
        )
        held += result.status == "changed"
    return held


def correct_in_review(
    *, record: FieldRecord, user: User, question_code: str, value: object, reason: str
) -> ReviewResult:
    """Change one answer of an interview under review (received or on hold), e.g. after calling the
    respondent back: the answers must still pass the questionnaire's rules; the original is kept."""
    reason = (reason or "").strip()
    if not reason:
        return ReviewResult(
            status="reason_required", errors={"reason": [_("Give the reason for this change.")]}
        )
    with transaction.atomic():
        locked = _locked(record.pk)
        refused = _refusal(user, locked)
        if refused:
            return ReviewResult(status=refused)
        if locked.review_state in DECIDED:
            return ReviewResult(
                status="invalid",
                errors={"state": [_("Put the interview on hold before changing its answers.")]},
            )
        response = (
            Response.objects.select_for_update().select_related("questionnaire").get(pk=locked.response_id)
        )
        answers = dict(response.answers)
        if value in (None, "", []):
            answers.pop(question_code, None)
        else:
            answers[question_code] = value
        cleaned, errors = clean_answers(response.questionnaire.definition, answers, final=True)
        if errors:
            return ReviewResult(status="invalid", errors={"answers": errors})
        if cleaned.get(question_code) == response.answers.get(question_code):
            return ReviewResult(status="unchanged")
        apply_correction(
            field_record=locked,
            response=response,
            question_code=question_code,
            value=cleaned.get(question_code),
            user=user,
            reason=reason,
        )
    return ReviewResult(status="changed")
