"""Double entry of paper forms: a second clerk's re-entry, the questions where the two entries differ,
and a supervisor's resolution (the kept value corrects the response, with the history recorded).

No one alters a form alone (docs/decisions.md D350): a second entry is accepted only for a form drawn for
verification (services/sampling.py), from an enumerator or clerk of the team other than the first entry's
author; a mismatch is resolved by a supervisor or coordinator who keyed neither entry, and every
correction is an AnswerCorrection and an audit event with the value before and after."""

import hashlib
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action
from surveys.models import Response
from surveys.services.answers import clean_answers

from ..access import may_see_record, supervised_team_ids
from ..models import AnswerCorrection, FieldRecord, FieldTeam, Mismatch, VerificationEntry
from .sampling import drawn_for_verification
from .submissions import Submission, SubmissionContext, payload_hash


@dataclass
class VerificationResult:
    status: str  # created | duplicate | invalid | conflict | forbidden
    client_uuid: uuid.UUID
    entry_id: int | None = None
    record_id: int | None = None  # the first entry's response id
    mismatches: list[str] = field(default_factory=list)
    errors: dict = field(default_factory=dict)


def compare_answers(first: dict, second: dict) -> list[str]:
    """Question codes whose values differ between two entries (an answer missing in one counts)."""
    return sorted(code for code in first.keys() | second.keys() if first.get(code) != second.get(code))


def _stored(client_uuid: uuid.UUID, digest: str, user: User) -> VerificationResult | None:
    """The stored outcome for this UUID, or None when there is none or the caller may see neither the
    entry (its own) nor the record: then it learns nothing of it (docs/decisions.md D351)."""
    entry = (
        VerificationEntry.objects.filter(client_uuid=client_uuid).select_related("record__response").first()
    )
    if entry is None:
        return None
    if entry.clerk_id != user.pk and not may_see_record(
        user, record_id=entry.record_id, entered_by_id=entry.record.response.entered_by_id
    ):
        return None
    if entry.payload_hash != digest:
        return VerificationResult(
            status="conflict",
            client_uuid=client_uuid,
            entry_id=entry.pk,
            errors={"client_uuid": [_("This identifier was already used for a different submission.")]},
        )
    codes = list(entry.mismatches.values_list("question_code", flat=True))
    return VerificationResult(
        status="duplicate",
        client_uuid=client_uuid,
        entry_id=entry.pk,
        record_id=entry.record.response_id,
        mismatches=codes,
    )


def submit_verification(*, submission: Submission, context: SubmissionContext) -> VerificationResult:
    """Store a re-entry of the paper form `submission.form_number` of the assignment, once."""
    digest = hashlib.sha256(("verification:" + payload_hash(submission)).encode()).hexdigest()
    existing = _stored(submission.client_uuid, digest, context.user)
    if existing is not None:
        return existing
    assignment = context.assignment(submission.assignment_id)
    if assignment is None:
        return VerificationResult(
            status="forbidden",
            client_uuid=submission.client_uuid,
            errors={"assignment": [context.refusal(submission.assignment_id)]},
        )
    record = (
        FieldRecord.objects.filter(assignment=assignment, form_number=submission.form_number)
        .select_related("response__questionnaire")
        .order_by("pk")
        .first()
    )
    if record is None:
        return VerificationResult(
            status="invalid",
            client_uuid=submission.client_uuid,
            errors={"form_number": [_("No first entry of this form number in the assignment.")]},
        )
    if not drawn_for_verification(record.form_number, assignment.team):
        return VerificationResult(
            status="invalid",
            client_uuid=submission.client_uuid,
            errors={"form_number": [_("This form was not drawn for double entry.")]},
        )
    if record.response.entered_by_id == context.user.pk:
        return VerificationResult(
            status="invalid",
            client_uuid=submission.client_uuid,
            errors={"form_number": [_("The second entry of a form must be made by another person.")]},
        )
    cleaned, errors = clean_answers(record.response.questionnaire.definition, submission.answers, final=True)
    if errors:
        return VerificationResult(
            status="invalid",
            client_uuid=submission.client_uuid,
            errors={"answers": {code: [message] for code, message in errors.items()}},
        )
    first = record.response.answers
    codes = compare_answers(first, cleaned)
    try:
        with transaction.atomic():
            entry = VerificationEntry.objects.create(
                record=record,
                clerk=context.user,
                client_uuid=submission.client_uuid,
                answers=cleaned,
                payload_hash=digest,
            )
            Mismatch.objects.bulk_create(
                Mismatch(entry=entry, question_code=c, first_value=first.get(c), second_value=cleaned.get(c))
                for c in codes
            )
    except IntegrityError:
        existing = _stored(submission.client_uuid, digest, context.user)
        if existing is not None:
            return existing
        if VerificationEntry.objects.filter(client_uuid=submission.client_uuid).exists():
            return VerificationResult(
                status="conflict",
                client_uuid=submission.client_uuid,
                errors={
                    "client_uuid": [_("This identifier is already in use: the device must make a new one.")]
                },
            )
        raise
    return VerificationResult(
        status="created",
        client_uuid=submission.client_uuid,
        entry_id=entry.pk,
        record_id=record.response_id,
        mismatches=codes,
    )


def mismatches_for(
    user: User | AnonymousUser, *, team: FieldTeam | None = None, unresolved_only: bool = True
) -> QuerySet[Mismatch]:
    """Mismatches a supervisor (or coordinator) may resolve, oldest first."""
    teams = supervised_team_ids(user)
    if team is not None:
        teams &= {team.pk}
    mismatches = Mismatch.objects.filter(entry__record__assignment__team_id__in=teams).select_related(
        "entry__record__response", "entry__record__enumerator", "entry__clerk", "resolved_by"
    )
    if unresolved_only:
        mismatches = mismatches.filter(resolved_at__isnull=True)
    return mismatches.order_by("entry__created_at", "question_code")


@dataclass
class ResolveResult:
    status: str  # resolved | already_resolved | forbidden | keyed
    corrected: bool = False


_UNSET = object()


def resolve_mismatch(
    *, mismatch: Mismatch, user: User, keep: str = "first", value: object = _UNSET
) -> ResolveResult:
    """Keep the first entry's value, the second's, or a value the supervisor read on the paper form.
    The response's answers change only when the kept value differs; each change is an AnswerCorrection
    and an audit event. Someone who keyed either entry may not decide ("keyed")."""
    with transaction.atomic():
        locked = (
            Mismatch.objects.select_for_update(of=("self",))
            .select_related("entry__record__assignment__campaign", "entry__record__response")
            .get(pk=mismatch.pk)
        )
        field_record = locked.entry.record
        if field_record.assignment.team_id not in supervised_team_ids(user):
            return ResolveResult(status="forbidden")
        if user.pk in (field_record.response.entered_by_id, locked.entry.clerk_id):
            return ResolveResult(status="keyed")
        if locked.resolved_at is not None:
            return ResolveResult(status="already_resolved")
        if value is _UNSET:
            value = locked.first_value if keep == "first" else locked.second_value
        response = Response.objects.select_for_update().get(pk=field_record.response_id)
        old = response.answers.get(locked.question_code)
        corrected = old != value
        if corrected:
            apply_correction(
                field_record=field_record,
                response=response,
                question_code=locked.question_code,
                value=value,
                user=user,
                mismatch=locked,
                reason=_("Double-entry mismatch decided"),
            )
        locked.resolved_value = value
        locked.resolved_by = user
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["resolved_value", "resolved_by", "resolved_at"])
    mismatch.resolved_value, mismatch.resolved_by, mismatch.resolved_at = value, user, locked.resolved_at
    return ResolveResult(status="resolved", corrected=corrected)


def apply_correction(
    *,
    field_record: FieldRecord,
    response: Response,
    question_code: str,
    value: object,
    user: User,
    reason: str,
    mismatch: Mismatch | None = None,
) -> AnswerCorrection:
    """Change one answer of a locked response: the original answers are kept on the record (first change
    only), the change is an AnswerCorrection and an audit event with the value before and after."""
    old = response.answers.get(question_code)
    if field_record.original_answers is None:
        field_record.original_answers = dict(response.answers)
        FieldRecord.objects.filter(pk=field_record.pk).update(original_answers=field_record.original_answers)
    if value is None:
        response.answers.pop(question_code, None)
    else:
        response.answers[question_code] = value
    response.save(update_fields=["answers", "updated_at"])
    correction = AnswerCorrection.objects.create(
        response=response,
        question_code=question_code,
        old_value=old,
        new_value=value,
        mismatch=mismatch,
        corrected_by=user,
        reason=reason,
    )
    audit.record(
        actor=user,
        action=Action.FIELD_ANSWER_CORRECTED,
        obj=field_record,
        campaign=field_record.assignment.campaign,
        detail={
            "response": response.pk,
            "form_number": field_record.form_number,
            "question": question_code,
            "before": old,
            "after": value,
            "mismatch": mismatch.pk if mismatch is not None else None,
            "reason": reason,
        },
    )
    return correction
