"""Storing field submissions exactly once: validation, the idempotency key and the payload hash.

A submission is a surveys.Response (submitted, with mode, unit, entered_by and the exact questionnaire
version) plus its FieldRecord, written in one transaction. The client-generated UUID is the idempotency
key (Response.client_uuid is unique): a resubmission of the same payload answers with the stored result,
a different payload under the same UUID is a conflict. Concurrent identical requests race on the unique
index; the losers read the winner's row.
"""

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.fastsql import insert
from kit.phones import parse_vn_phone
from respondents.models import Campaign, Unit
from surveys.models import Questionnaire, Response
from surveys.services.answers import clean_answers

from ..access import may_work_on
from ..models import Assignment, FieldRecord
from .reads import read_assignment

# An interview time a little ahead of the server's clock is a device clock off by minutes, not fraud.
CLOCK_SKEW = datetime.timedelta(minutes=10)


@dataclass
class Submission:
    """One submission as parsed from the request (types checked, rules not yet)."""

    client_uuid: uuid.UUID
    assignment_id: int
    questionnaire_id: int
    mode: str
    interviewed_at: datetime.datetime
    answers: dict
    area_id: int | None = None
    form_number: str = ""
    duration_seconds: int | None = None
    respondent_phone: str = ""
    source: str = FieldRecord.Source.API


@dataclass
class SubmissionResult:
    status: str  # created | duplicate | invalid | conflict | forbidden
    client_uuid: uuid.UUID
    response_id: int | None = None
    received_at: datetime.datetime | None = None
    errors: dict = field(default_factory=dict)


class SubmissionContext:
    """Per-request caches (assignments, questionnaires, areas), so that a batch of 500 items reads each
    assignment once. Scoped to one user."""

    def __init__(self, user: User) -> None:
        self.user = user
        self._assignments: dict[int, Assignment | None] = {}
        self._questionnaires: dict[int, Questionnaire | None] = {}
        self._areas: dict[tuple[int, int], Unit | None] = {}

    def assignment(self, pk: int) -> Assignment | None:
        if pk not in self._assignments:
            assignment = read_assignment(pk, self.user)
            self._assignments[pk] = assignment if assignment and may_work_on(self.user, assignment) else None
        return self._assignments[pk]

    def questionnaire(self, pk: int) -> Questionnaire | None:
        if pk not in self._questionnaires:
            self._questionnaires[pk] = Questionnaire.objects.filter(pk=pk).first()
        return self._questionnaires[pk]

    def area(self, assignment: Assignment, pk: int) -> Unit | None:
        """The assignment's area or one of the units under it (a commune of the district)."""
        if pk == assignment.area_id:
            return assignment.area
        key = (assignment.pk, pk)
        if key not in self._areas:
            self._areas[key] = (
                Unit.objects.select_related("parent")
                .filter(pk=pk)
                .filter(Q(parent_id=assignment.area_id) | Q(parent__parent_id=assignment.area_id))
                .first()
            )
        return self._areas[key]


def payload_hash(submission: Submission) -> str:
    """sha256 of the submission's canonical form (what the client sent, times in UTC)."""
    canonical = {
        "assignment": submission.assignment_id,
        "questionnaire": submission.questionnaire_id,
        "mode": submission.mode,
        "area": submission.area_id,
        "form_number": submission.form_number,
        "interviewed_at": submission.interviewed_at.astimezone(datetime.UTC).isoformat(),
        "duration_seconds": submission.duration_seconds,
        "respondent_phone": submission.respondent_phone,
        "answers": submission.answers,
    }
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def stored_result(client_uuid: uuid.UUID, digest: str) -> SubmissionResult | None:
    """The outcome for a UUID already stored: duplicate (same payload) or conflict; None if not stored."""
    row = (
        Response.objects.filter(client_uuid=client_uuid)
        .values_list("pk", "field_record__payload_hash", "field_record__received_at")
        .first()
    )
    if row is None:
        return None
    pk, stored_hash, received_at = row
    if stored_hash != digest:
        return SubmissionResult(
            status="conflict",
            client_uuid=client_uuid,
            response_id=pk,
            received_at=received_at,
            errors={"client_uuid": [_("This identifier was already used for a different submission.")]},
        )
    return SubmissionResult(
        status="duplicate", client_uuid=client_uuid, response_id=pk, received_at=received_at
    )


def submit_field_response(*, submission: Submission, context: SubmissionContext) -> SubmissionResult:
    """Store one submission once. Never half-written (one transaction), never twice (unique UUID)."""
    digest = payload_hash(submission)
    # The usual case is a new submission: check it, then insert; the unique client_uuid catches a
    # resubmission. A refused one is first looked up, so that a stored submission re-sent after its
    # assignment closed or changed still gets its stored result rather than an error.
    assignment = context.assignment(submission.assignment_id)
    if assignment is None:
        return stored_result(submission.client_uuid, digest) or SubmissionResult(
            status="forbidden",
            client_uuid=submission.client_uuid,
            errors={"assignment": [_("Unknown assignment, or not one of yours.")]},
        )
    checked = _check(submission, assignment, context)
    if isinstance(checked, dict):
        return stored_result(submission.client_uuid, digest) or SubmissionResult(
            status="invalid", client_uuid=submission.client_uuid, errors=checked
        )
    questionnaire, area, answers, phone = checked
    now = timezone.now()
    try:
        with transaction.atomic():
            # insert(): Model.objects.create() without compiling the statement each time (inserts.py).
            response = insert(
                Response(
                    campaign_id=assignment.campaign_id,
                    questionnaire=questionnaire,
                    client_uuid=submission.client_uuid,
                    mode=submission.mode,
                    unit=area,
                    entered_by=context.user,
                    answers=answers,
                    status=Response.Status.SUBMITTED,
                    submitted_at=now,
                )
            )
            insert(
                FieldRecord(
                    response=response,
                    assignment=assignment,
                    enumerator_id=assignment.enumerator_id or context.user.pk,
                    form_number=submission.form_number,
                    interviewed_at=submission.interviewed_at,
                    duration_seconds=submission.duration_seconds,
                    respondent_phone=phone,
                    area=area,
                    district=district_of(area),
                    service_area=_service_area(answers, assignment),
                    received_at=now,
                    source=submission.source,
                    payload_hash=digest,
                )
            )
    except IntegrityError:
        # Another request stored this UUID between our check and our insert (it committed first).
        existing = stored_result(submission.client_uuid, digest)
        if existing is None:
            raise
        return existing
    return SubmissionResult(
        status="created", client_uuid=submission.client_uuid, response_id=response.pk, received_at=now
    )


def district_of(area: Unit) -> Unit | None:
    """The district an area belongs to (itself, its parent or grandparent), or None (docs/methodology.md §8.1:
    communes of campaigns after 1 July 2025 have no district)."""
    unit = area
    while unit is not None:
        if unit.kind == Unit.Kind.DISTRICT:
            return unit
        unit = unit.parent if unit.parent_id else None
    return None


def _service_area(answers: dict, assignment: Assignment) -> str:
    value = answers.get("screening.area")
    return str(value)[:40] if value not in (None, "") else assignment.service_area


def field_window(assignment: Assignment) -> tuple[datetime.date | None, datetime.date | None]:
    """The days interviews may happen on: the campaign's survey period narrowed by the assignment's dates."""
    campaign = assignment.campaign
    starts = [d for d in (campaign.survey_opens, assignment.starts_on) if d]
    ends = [d for d in (campaign.survey_closes, assignment.ends_on) if d]
    return (max(starts) if starts else None, min(ends) if ends else None)


def _check(
    submission: Submission, assignment: Assignment, context: SubmissionContext
) -> dict[str, Any] | tuple[Questionnaire, Unit | None, dict[str, Any], str]:
    """(questionnaire, area, cleaned answers, phone) or a dict of errors by field."""
    errors: dict = {}
    if assignment.campaign.status == Campaign.Status.CLOSED:
        errors["assignment"] = [_("The campaign is closed: no more submissions are accepted.")]
    questionnaire = assignment.questionnaire
    if submission.questionnaire_id != assignment.questionnaire_id:
        # Another version of the assignment's questionnaire is fine (a device loaded it before an update).
        other = context.questionnaire(submission.questionnaire_id)
        if other is None or (other.campaign_id, other.code) != (
            questionnaire.campaign_id,
            questionnaire.code,
        ):
            errors["questionnaire"] = [_("This questionnaire is not the one of the assignment.")]
        else:
            questionnaire = other
    starts, ends = field_window(assignment)
    day = timezone.localdate(submission.interviewed_at)
    if submission.interviewed_at > timezone.now() + CLOCK_SKEW:
        errors["interviewed_at"] = [_("The interview time is in the future.")]
    elif (starts and day < starts) or (ends and day > ends):
        errors["interviewed_at"] = [
            _("The interview date %(day)s is outside the field window (%(starts)s to %(ends)s).")
            % {"day": day.isoformat(), "starts": starts or "…", "ends": ends or "…"}
        ]
    area = assignment.area
    if submission.area_id is not None:
        area = context.area(assignment, submission.area_id)
        if area is None:
            errors["area"] = [_("This area is not the assignment's area or a unit in it.")]
    phone = ""
    if submission.respondent_phone:
        parsed = parse_vn_phone(submission.respondent_phone)
        if parsed is None:
            errors["respondent_phone"] = [_("Not a valid Vietnamese phone number.")]
        else:
            phone = parsed.e164
    answers = {}
    if "questionnaire" not in errors:
        answers, answer_errors = clean_answers(questionnaire.definition, submission.answers, final=True)
        if answer_errors:
            errors["answers"] = {code: [message] for code, message in answer_errors.items()}
    return errors or (questionnaire, area, answers, phone)
