"""Double entry of paper forms: a second clerk's re-entry, the questions where the two entries differ,
and a supervisor's resolution (the kept value corrects the response, with the history recorded)."""

import hashlib
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import Response
from surveys.services.answers import clean_answers

from ..access import supervised_team_ids
from ..models import AnswerCorrection, FieldRecord, FieldTeam, Mismatch, VerificationEntry
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


def _stored(client_uuid: uuid.UUID, digest: str) -> VerificationResult | None:
    entry = VerificationEntry.objects.filter(client_uuid=client_uuid).select_related("record").first()
    if entry is None:
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
    existing = _stored(submission.client_uuid, digest)
    if existing is not None:
        return existing
    assignment = context.assignment(submission.assignment_id)
    if assignment is None:
        return VerificationResult(
            status="forbidden",
            client_uuid=submission.client_uuid,
            errors={"assignment": [_("Unknown assignment, or not one of yours.")]},
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
        existing = _stored(submission.client_uuid, digest)
        if existing is None:
            raise
        return existing
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
    status: str  # resolved | already_resolved | forbidden
    corrected: bool = False


_UNSET = object()


def resolve_mismatch(
    *, mismatch: Mismatch, user: User, keep: str = "first", value: object = _UNSET
) -> ResolveResult:
    """Keep the first entry's value, the second's, or a value the supervisor read on the paper form.
    The response's answers change only when the kept value differs; each change is an AnswerCorrection."""
    with transaction.atomic():
        locked = (
            Mismatch.objects.select_for_update(of=("self",))
            .select_related("entry__record__assignment")
            .get(pk=mismatch.pk)
        )
        if locked.entry.record.assignment.team_id not in supervised_team_ids(user):
            return ResolveResult(status="forbidden")
        if locked.resolved_at is not None:
            return ResolveResult(status="already_resolved")
        if value is _UNSET:
            value = locked.first_value if keep == "first" else locked.second_value
        response = Response.objects.select_for_update().get(pk=locked.entry.record.response_id)
        old = response.answers.get(locked.question_code)
        corrected = old != value
        if corrected:
            if value is None:
                response.answers.pop(locked.question_code, None)
            else:
                response.answers[locked.question_code] = value
            response.save(update_fields=["answers", "updated_at"])
            AnswerCorrection.objects.create(
                response=response,
                question_code=locked.question_code,
                old_value=old,
                new_value=value,
                mismatch=locked,
                corrected_by=user,
            )
        locked.resolved_value = value
        locked.resolved_by = user
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["resolved_value", "resolved_by", "resolved_at"])
    mismatch.resolved_value, mismatch.resolved_by, mismatch.resolved_at = value, user, locked.resolved_at
    return ResolveResult(status="resolved", corrected=corrected)
