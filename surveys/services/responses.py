"""A respondent answering through the personal link: opening it, saving a draft, submitting exactly once.

Each action that writes locks the invitation row first, so a draft save racing a submission, a double
click or two tabs submitting at once are serialised; the Response's OneToOne to the invitation is the
last line of defence. Nothing about the respondent's device (IP, user agent) is recorded.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone

from kit import safeinput

from ..models import Invitation, Questionnaire, Response
from .answers import clean_answers
from .definitions import questions

MAX_BODY_BYTES = 256 * 1024  # an autosave of the longest questionnaire is a few KB
MAX_JSON_DEPTH = 3  # {"answers": {"code": [values]}}


@dataclass
class OpenedInvitation:
    questionnaire: Questionnaire
    answers: dict
    submitted: bool
    saved_at: datetime.datetime | None = None  # the last draft save


@dataclass
class SaveResult:
    status: str  # "saved" | "already_submitted" | "closed"
    answers: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    saved_at: datetime.datetime | None = None


@dataclass
class SubmitResult:
    status: str  # "submitted" | "already_submitted" | "invalid" | "closed"
    response: Response | None = None
    errors: dict[str, str] = field(default_factory=dict)


def questionnaire_for(*, invitation: Invitation) -> Questionnaire:
    """The version being answered: a started draft keeps the version it started with."""
    response = Response.all_objects.filter(invitation=invitation).select_related("questionnaire").first()
    return response.questionnaire if response else invitation.questionnaire


def open_invitation(*, invitation: Invitation) -> OpenedInvitation:
    """What the page shows. Showing it records nothing: mail scanners (Safe Links, antivirus) fetch links
    before people do, so an opening is recorded by record_opened when the page's script runs, or by the
    first autosave (docs/decisions.md D254)."""
    response = Response.all_objects.filter(invitation=invitation).select_related("questionnaire").first()
    if response is None:
        return OpenedInvitation(questionnaire=invitation.questionnaire, answers={}, submitted=False)
    return OpenedInvitation(
        questionnaire=response.questionnaire,
        answers=response.answers,
        submitted=response.status == Response.Status.SUBMITTED,
        saved_at=response.updated_at,
    )


def record_opened(*, invitation: Invitation) -> bool:
    """Record the first opening (a conditional update, so only the first counts); True if it was this."""
    if invitation.opened_at is not None:
        return False
    now = timezone.now()
    first = Invitation.all_objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
    invitation.opened_at = now
    return bool(first)


def save_draft(*, invitation: Invitation, answers: dict) -> SaveResult:
    """Keep every valid answer (invalid ones are reported, not stored); a submitted response is final.
    A save is a person's act, so it also records the opening if the page's script could not."""
    record_opened(invitation=invitation)
    with transaction.atomic():
        locked = _lock(invitation)
        if not locked.campaign.is_survey_open():
            return SaveResult(status="closed")
        response = Response.all_objects.filter(invitation=locked).select_related("questionnaire").first()
        if response is not None and response.status == Response.Status.SUBMITTED:
            return SaveResult(status="already_submitted")
        questionnaire = response.questionnaire if response else locked.questionnaire
        cleaned, errors = clean_answers(questionnaire.definition, answers, final=False)
        response = _store(locked, response, questionnaire, cleaned, submitted=False)
    _copy_timestamps(locked, invitation)
    return SaveResult(status="saved", answers=cleaned, errors=errors, saved_at=response.updated_at)


def submit(*, invitation: Invitation, answers: dict) -> SubmitResult:
    """Submit once. Invalid answers are reported and the valid ones kept as a draft, as an autosave would."""
    record_opened(invitation=invitation)
    try:
        with transaction.atomic():
            locked = _lock(invitation)
            if not locked.campaign.is_survey_open():
                return SubmitResult(status="closed")
            response = Response.all_objects.filter(invitation=locked).select_related("questionnaire").first()
            if locked.submitted_at is not None or (
                response is not None and response.status == Response.Status.SUBMITTED
            ):
                return SubmitResult(status="already_submitted", response=response)
            questionnaire = response.questionnaire if response else locked.questionnaire
            cleaned, errors = clean_answers(questionnaire.definition, answers, final=True)
            if errors:
                kept, _errors = clean_answers(questionnaire.definition, answers, final=False)
                _store(locked, response, questionnaire, kept, submitted=False)
                result = SubmitResult(status="invalid", errors=errors)
            else:
                response = _store(locked, response, questionnaire, cleaned, submitted=True)
                result = SubmitResult(status="submitted", response=response)
    except IntegrityError:
        # Only reachable without row locks (SQLite): another request created the response first.
        return SubmitResult(status="already_submitted")
    _copy_timestamps(locked, invitation)
    return result


def opt_out_of_reminders(*, invitation: Invitation) -> None:
    Invitation.all_objects.filter(pk=invitation.pk).update(reminders_opt_out=True)
    invitation.reminders_opt_out = True


def _lock(invitation: Invitation) -> Invitation:
    return (
        Invitation.all_objects.select_for_update(of=("self",))
        .select_related("campaign", "respondent")
        .get(pk=invitation.pk)
    )


def _store(
    invitation: Invitation,
    response: Response | None,
    questionnaire: Questionnaire,
    answers: dict,
    *,
    submitted: bool,
) -> Response:
    now = timezone.now()
    if response is None:
        response = Response(
            campaign_id=invitation.campaign_id,
            questionnaire=questionnaire,
            invitation=invitation,
            mode=Response.Mode.WEB,
            unit_id=invitation.respondent.unit_id if invitation.respondent_id else None,
            is_test=invitation.is_test,
        )
    response.answers = answers
    fields = ["started_at"]
    if submitted:
        response.status = Response.Status.SUBMITTED
        response.submitted_at = now
        invitation.submitted_at = now
        fields.append("submitted_at")
    if invitation.started_at is None:
        invitation.started_at = now
    response.save()
    Invitation.all_objects.filter(pk=invitation.pk).update(
        **{name: getattr(invitation, name) for name in fields}
    )
    return response


def _copy_timestamps(source: Invitation, target: Invitation) -> None:
    for name in ("started_at", "submitted_at"):
        setattr(target, name, getattr(source, name))


# Reading what the browser sent ------------------------------------------------------------------------


def answers_from_form(definition: dict, data: QueryDict) -> dict:
    """A form post (a QueryDict) as answers: lists for multiple-choice questions, text otherwise."""
    answers: dict = {}
    for question in questions(definition):
        code = question["code"]
        if question["type"] == "multiple":
            values = [v for v in data.getlist(code) if v != ""]
            if values:
                answers[code] = values
        elif data.get(code, "") != "":
            answers[code] = data.get(code)
    return answers


def answers_from_json(body: bytes, definition: dict) -> dict | None:
    """The autosave payload {"answers": {...}}, or None when it is too big, too deep, malformed or holds
    what no column can store (NUL, lone surrogates, NaN or 1e309: kit.safeinput.loads).

    Checked before cleaning: values must be numbers or text, and lists of them only for multiple-choice
    questions, so that nothing unexpected reaches clean_answers.
    """
    try:
        payload = safeinput.loads(body, max_bytes=MAX_BODY_BYTES, max_depth=MAX_JSON_DEPTH)
    except safeinput.UnsafeInput:
        return None
    answers = payload.get("answers") if isinstance(payload, dict) else None
    if not isinstance(answers, dict):
        return None
    multiple = {q["code"] for q in questions(definition) if q["type"] == "multiple"}
    for code, value in answers.items():
        if isinstance(value, list) and code in multiple:
            if not all(_is_scalar(v) for v in value):
                return None
        elif not (value is None or _is_scalar(value)):
            return None
    return answers


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)
