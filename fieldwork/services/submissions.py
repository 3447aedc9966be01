"""Storing field submissions exactly once: validation, the idempotency key and the payload hash.

A submission is a surveys.Response (submitted, with mode, unit, entered_by = who keyed it, and the exact
questionnaire version) plus its FieldRecord (enumerator = who interviewed), written in one transaction.
Only the team's enumerators and clerks key forms (access.may_key, docs/decisions.md D350).
The client-generated UUID is the idempotency key (Response.client_uuid is unique): a resubmission of
the same payload answers with the stored result, a different payload under the same UUID is a conflict.
Concurrent identical requests race on the unique index; the losers read the winner's row.
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

from kit.fastsql import insert_pair_values
from kit.phones import parse_vn_phone
from respondents.models import Campaign, Unit
from surveys.models import Questionnaire, Response
from surveys.services.answers import clean_answers

from ..access import may_key, may_see_record, may_work_on
from ..models import Assignment, DrawnUnit, FieldMember, FieldRecord, ReviewState, SampleDesign
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
    # Who interviewed, when not the keyer (a clerk keying an enumerator's paper form): a user id.
    interviewer_id: int | None = None
    # The household or person of the work list interviewed (a final-stage DrawnUnit id).
    drawn_unit_id: int | None = None


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

    def __init__(self, user: User, *, imported_by: User | None = None) -> None:
        self.user = user
        # A supervisor importing an enumerator's file of unsent forms (services/queue_files.py).
        self.imported_by = imported_by
        self._assignments: dict[int, Assignment | None] = {}
        self._refusals: dict[int, str] = {}
        self._questionnaires: dict[int, Questionnaire | None] = {}
        self._areas: dict[tuple[int, int], Unit | None] = {}
        self._interviewers: dict[tuple[int, int], bool] = {}

    def assignment(self, pk: int) -> Assignment | None:
        """The assignment if this user may key its forms, else None (refusal(pk) says why)."""
        if pk not in self._assignments:
            self.admit(pk, read_assignment(pk, self.user))
        return self._assignments[pk]

    def admit(self, pk: int, assignment: Assignment | None) -> None:
        """Judge an assignment read for this user (read_assignment, or the combined read of a device's
        submission): kept if the user may key its forms, else refused with the reason."""
        if assignment is not None and may_key(self.user, assignment):
            self._assignments[pk] = assignment
            return
        self._assignments[pk] = None
        watches = assignment is not None and may_work_on(self.user, assignment)
        self._refusals[pk] = (
            _("Only the team's enumerators and clerks enter forms; supervisors and coordinators review them.")
            if watches
            else _("Unknown assignment, or not one of yours.")
        )

    def refusal(self, pk: int) -> str:
        return self._refusals.get(pk, _("Unknown assignment, or not one of yours."))

    def is_enumerator(self, assignment: Assignment, user_id: int) -> bool:
        """Whether the user is an enumerator of the assignment's team."""
        key = (assignment.team_id, user_id)
        if key not in self._interviewers:
            self._interviewers[key] = FieldMember.objects.filter(
                team_id=assignment.team_id, user_id=user_id, role=FieldMember.Role.ENUMERATOR
            ).exists()
        return self._interviewers[key]

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
    # Added later: only present when given, so that the hash of earlier submissions stays the same.
    if submission.interviewer_id is not None:
        canonical["interviewer"] = submission.interviewer_id
    if submission.drawn_unit_id is not None:
        canonical["drawn_unit"] = submission.drawn_unit_id
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def stored_result(client_uuid: uuid.UUID, digest: str, user: User | None = None) -> SubmissionResult | None:
    """The outcome for a UUID already stored: duplicate (same payload) or conflict; None if not stored,
    or stored as a record `user` may not see: that caller learns nothing of it (docs/decisions.md D351)."""
    row = (
        Response.objects.filter(client_uuid=client_uuid)
        .values_list(
            "pk",
            "field_record__payload_hash",
            "field_record__received_at",
            "field_record__pk",
            "entered_by_id",
        )
        .first()
    )
    if row is None:
        return None
    pk, stored_hash, received_at, record_id, entered_by_id = row
    if user is not None and (
        record_id is None or not may_see_record(user, record_id=record_id, entered_by_id=entered_by_id)
    ):
        return None
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
    user = context.user
    assignment = context.assignment(submission.assignment_id)
    if assignment is None:
        return stored_result(submission.client_uuid, digest, user) or SubmissionResult(
            status="forbidden",
            client_uuid=submission.client_uuid,
            errors={"assignment": [context.refusal(submission.assignment_id)]},
        )
    checked = _check(submission, assignment, context)
    if isinstance(checked, dict):
        return stored_result(submission.client_uuid, digest, user) or SubmissionResult(
            status="invalid", client_uuid=submission.client_uuid, errors=checked
        )
    questionnaire, area, answers, phone, interviewer_id, drawn = checked
    now = timezone.now()
    enforce = getattr(assignment, "enforce_quotas", False) and assignment.quota > 0
    # The two rows by attname (kit.fastsql.insert_pair_values: what Model.objects.create() of each stores,
    # without building the instances).
    district = district_of(area)
    response = {
        "campaign_id": assignment.campaign_id,
        "questionnaire_id": questionnaire.pk,
        "client_uuid": submission.client_uuid,
        "mode": submission.mode,
        "unit_id": area.pk,
        "entered_by_id": user.pk,
        "answers": answers,
        "status": Response.Status.SUBMITTED,
        "submitted_at": now,
    }
    record = {
        "assignment_id": assignment.pk,
        "enumerator_id": interviewer_id,
        "form_number": submission.form_number,
        "interviewed_at": submission.interviewed_at,
        "duration_seconds": submission.duration_seconds,
        "respondent_phone": phone,
        "area_id": area.pk,
        "district_id": district.pk if district is not None else None,
        "service_area": _service_area(answers, assignment),
        "received_at": now,
        "source": submission.source,
        "payload_hash": digest,
        "drawn_unit_id": submission.drawn_unit_id if drawn == "final" else None,
        "drawn_village_id": submission.drawn_unit_id if drawn == "village" else None,
        "review_state": ReviewState.RECEIVED,
        "imported_by_id": context.imported_by.pk if context.imported_by is not None else None,
    }
    try:
        # Model.objects.create() of both without compiling the statements each time, on PostgreSQL as one
        # statement (atomic by itself); both rows or neither (kit/fastsql.py).
        if not enforce:
            response_id, _record_id = insert_pair_values(
                Response, response, FieldRecord, record, link="response"
            )
        else:
            with transaction.atomic():
                if quota_reached(assignment):
                    stored = stored_result(submission.client_uuid, digest, user)
                    if stored is not None:
                        return stored
                    return SubmissionResult(
                        status="invalid",
                        client_uuid=submission.client_uuid,
                        errors={"assignment": [quota_message(assignment)]},
                    )
                response_id, _record_id = insert_pair_values(
                    Response, response, FieldRecord, record, link="response"
                )
    except IntegrityError:
        # Another request stored this UUID between our check and our insert (it committed first), or the
        # household of the work list was interviewed meanwhile.
        existing = stored_result(submission.client_uuid, digest, user)
        if existing is not None:
            return existing
        if Response.objects.filter(client_uuid=submission.client_uuid).exists():
            # Stored as a record this caller may not see: refused without saying anything about it.
            return SubmissionResult(
                status="conflict",
                client_uuid=submission.client_uuid,
                errors={
                    "client_uuid": [_("This identifier is already in use: the device must make a new one.")]
                },
            )
        if submission.drawn_unit_id is not None:
            return SubmissionResult(
                status="invalid",
                client_uuid=submission.client_uuid,
                errors={"drawn_unit": [_("This household or person was already interviewed.")]},
            )
        raise
    return SubmissionResult(
        status="created", client_uuid=submission.client_uuid, response_id=response_id, received_at=now
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


def quota_reached(assignment: Assignment) -> bool:
    """Whether the assignment's quota is filled by interviews not rejected in review; locks the assignment
    row first so that concurrent submissions for the last place are counted one after the other."""
    Assignment.objects.select_for_update().filter(pk=assignment.pk).values_list("pk", flat=True).first()
    done = FieldRecord.objects.filter(assignment_id=assignment.pk).exclude(review_state=ReviewState.REJECTED)
    return done.count() >= assignment.quota


def quota_message(assignment: Assignment) -> str:
    return _(
        "The quota of this assignment (%(quota)d interviews) is reached: the supervisor must raise it or "
        "reject an interview before another one is accepted."
    ) % {"quota": assignment.quota}


def _interviewer(
    submission: Submission, assignment: Assignment, context: SubmissionContext
) -> tuple[int | None, str | None]:
    """Who interviewed: the assignment's enumerator, else the one named, else the keyer when it is an
    enumerator of the team. (user id, None) or (None, error message)."""
    named = submission.interviewer_id
    if assignment.enumerator_id is not None:
        if named not in (None, assignment.enumerator_id):
            return None, _("This assignment is the work of another enumerator.")
        return assignment.enumerator_id, None
    if named is not None:
        if not context.is_enumerator(assignment, named):
            return None, _("Not an enumerator of this team.")
        return named, None
    if assignment.member_role == FieldMember.Role.ENUMERATOR or context.is_enumerator(
        assignment, context.user.pk
    ):
        return context.user.pk, None
    return None, _("Name the enumerator who did the interview.")


def _check_drawn_unit(submission: Submission, assignment: Assignment) -> tuple[str | None, str]:
    """(error message or None, "final" | "village"): a household or person of this assignment's work list
    (a main unit or a released reserve) not interviewed yet, or, for a design loaded from a file
    (households not listed), a village drawn in the assignment's area."""
    unit = (
        DrawnUnit.objects.filter(pk=submission.drawn_unit_id, design__campaign_id=assignment.campaign_id)
        .select_related("design", "parent__unit")
        .first()
    )
    if (
        unit is not None
        and unit.stage == DrawnUnit.Stage.SSU
        and unit.design.source == SampleDesign.Source.FILE
    ):
        commune = unit.parent.unit if unit.parent else None
        if commune is None or assignment.area_id not in (commune.pk, commune.parent_id):
            return _("Not a village drawn in this assignment's area."), "village"
        return None, "village"
    if unit is None or unit.stage != DrawnUnit.Stage.FINAL or unit.assignment_id != assignment.pk:
        return _("Not a household or person of this assignment's work list."), "final"
    if not unit.in_work_list:
        return (
            _("This reserve has not been released: it replaces a household only by the replacement rule."),
            "final",
        )
    if FieldRecord.objects.filter(drawn_unit_id=unit.pk).exists():
        return _("This household or person was already interviewed."), "final"
    return None, "final"


def _check(
    submission: Submission, assignment: Assignment, context: SubmissionContext
) -> dict[str, Any] | tuple[Questionnaire, Unit, dict[str, Any], str, int | None, str | None]:
    """(questionnaire, area, cleaned answers, phone, interviewer id) or a dict of errors by field."""
    errors: dict = {}
    interviewer_id, problem = _interviewer(submission, assignment, context)
    if problem:
        errors["interviewer"] = [problem]
    drawn = None
    if submission.drawn_unit_id is not None:
        problem, drawn = _check_drawn_unit(submission, assignment)
        if problem:
            errors["drawn_unit"] = [problem]
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
    return errors or (questionnaire, area, answers, phone, interviewer_id, drawn)
