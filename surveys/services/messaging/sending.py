"""Sending queued messages batch by batch, crash-safe between workers.

- Sending claims a small batch (SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL, so workers never take the
  same rows), marks it `sending` and commits before anything leaves; each message's outcome is committed
  as soon as it is known, together with the next message's claim renewal (one commit per message). Right
  before each message leaves, the worker renews its claim with a conditional UPDATE (same pk, still
  `sending`, still the claim time it set); 0 rows means another worker took the message over after the
  lease, and it is skipped, so even a batch slower than the lease is never sent twice.
  At that moment the respondent is read again: a message to someone retired from the list is cancelled,
  and a changed e-mail address or phone number is used (the change is recorded as a MessageEvent).
  A worker that dies leaves `sending` rows; once their claim is older than the lease the next run takes
  them again. Delivery is therefore at least once: nobody is skipped, and only the one message a worker
  was handing over when it died can go twice (same Message-ID, so mail clients can fold the copies).
- What an error does to the message and the rest of the batch is in outcomes.py.
"""

import datetime
import functools
import logging
import smtplib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from twilio.base.exceptions import TwilioException

from respondents.models import AddressSuppression, Campaign, Respondent

from ...models import Invitation, InvitationToken, Message, MessageEvent, Response
from .. import message_texts, sms
from ..tokens import issue_token, new_token
from ..unsubscribe import is_suppressed
from .contents import _email, message_id, sms_body
from .outcomes import (
    MAX_ATTEMPTS,
    OUTAGE,
    SendReport,
    _failed_attempt,
    _finish,
    _Outcomes,
    _requeue_outage,
    _smtp_reason,
    classify_smtp_error,
    classify_twilio_status,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # messages per claim, and per SMTP connection

Clock = Callable[[], datetime.datetime]  # the time now: timezone.now, or a fixed time in tests


def send_queued(
    *,
    campaign: Campaign | None = None,
    limit: int | None = None,
    now: datetime.datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> SendReport:
    """Send queued messages (and stale claims) batch by batch until none is left, `limit` is reached or
    every channel had an outage. `now` fixes the clock (tests); by default the real time is used."""
    clock: Clock = (lambda: now) if now is not None else timezone.now
    started = clock()
    report = SendReport()
    channels: set[str] = {Message.Channel.EMAIL}
    if sms.is_configured():
        channels.add(Message.Channel.SMS)
    handled = 0
    while channels and (limit is None or handled < limit):
        size = batch_size if limit is None else min(batch_size, limit - handled)
        batch = _claim(campaign=campaign, channels=channels, size=size, started=started, now=clock())
        if not batch:
            break
        handled += len(batch)
        emails = [m for m in batch if m.channel == Message.Channel.EMAIL]
        texts = [m for m in batch if m.channel == Message.Channel.SMS]
        if emails and not _send_emails(emails, report=report, clock=clock):
            channels.discard(Message.Channel.EMAIL)
        if texts and not _send_texts(texts, report=report, clock=clock):
            channels.discard(Message.Channel.SMS)
    return report


def lease() -> datetime.timedelta:
    """A `sending` claim older than this belongs to a dead worker (SENDING_LEASE_SECONDS, default 10 min)."""
    return datetime.timedelta(seconds=settings.SENDING_LEASE_SECONDS)


def _claim(
    *,
    campaign: Campaign | None,
    channels: set[str],
    size: int,
    started: datetime.datetime,
    now: datetime.datetime,
) -> list[Message]:
    # Requeued rows keep this run's claim time, so a run never retries what it has just given back.
    fresh = Q(status=Message.Status.QUEUED) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=started))
    stale = Q(status=Message.Status.SENDING, claimed_at__lt=now - lease())
    ready = Message.objects.filter(fresh | stale, channel__in=channels)
    if campaign is not None:
        ready = ready.filter(invitation__campaign=campaign)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ready = ready.select_for_update(skip_locked=True, of=("self",))
        ids = list(ready.order_by("pk").values_list("pk", flat=True)[:size])
        # The same conditions again: without row locks (SQLite) a row claimed meanwhile is left alone.
        Message.objects.filter(fresh | stale, pk__in=ids).update(
            status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(
        Message.objects.filter(pk__in=ids, status=Message.Status.SENDING, claimed_at=now)
        .select_related("invitation__respondent", "invitation__campaign")
        .order_by("pk")
    )


def _send_emails(messages: list[Message], *, report: SendReport, clock: Clock) -> bool:
    """Send over one SMTP connection. False when an outage stopped the batch (the rest is requeued)."""
    pending = list(messages)
    outcomes = _Outcomes()
    templates = message_texts.templates_for(m.invitation.campaign_id for m in messages)
    try:
        with mailers.default as mailer:
            while pending:
                message = pending[0]
                token = _ready(message, report=report, now=clock(), outcomes=outcomes)
                if token:
                    try:
                        mailer.send_messages([_email(message, token, templates=templates)])
                    except (smtplib.SMTPException, OSError, ValueError) as exc:
                        if classify_smtp_error(exc) == OUTAGE:
                            raise
                        _failed_attempt(message, classify_smtp_error(exc), _smtp_reason(exc), report, clock())
                    else:
                        outcomes.add(
                            message, Message.Status.SENT, now=clock(), provider_id=message_id(message)
                        )
                        report.sent += 1
                pending.pop(0)
    except (smtplib.SMTPException, OSError) as exc:
        outcomes.flush()
        if not pending:  # the connection failed while closing, after every message was handled
            logger.warning("SMTP connection did not close cleanly: %s", exc)
            return True
        reason = f"SMTP server unavailable: {_smtp_reason(exc)}"
        _requeue_outage(pending, reason, report, clock())
        return False
    finally:
        outcomes.flush()
    return True


def _send_texts(messages: list[Message], *, report: SendReport, clock: Clock) -> bool:
    """Send through Twilio. False when Twilio could not be reached (the rest is requeued)."""
    client = sms.sms_client()
    outcomes = _Outcomes()
    templates = message_texts.templates_for(m.invitation.campaign_id for m in messages)
    try:
        for index, message in enumerate(messages):
            token = _ready(message, report=report, now=clock(), outcomes=outcomes)
            if not token:
                continue
            try:
                sid = sms.send_sms(client, to=message.to, body=sms_body(message, token, templates=templates))
            except TwilioException as exc:
                status = getattr(exc, "status", None) or 0
                reason = f"Twilio {status} error {getattr(exc, 'code', '')}: {getattr(exc, 'msg', exc)}"
                kind = classify_twilio_status(status)
                if kind == OUTAGE:
                    reason = f"Twilio refused the account (check the TWILIO_* settings): {reason}"
                    outcomes.flush()
                    _requeue_outage(messages[index:], reason, report, clock())
                    return False
                _failed_attempt(message, kind, reason, report, clock())
            except OSError as exc:  # requests' connection errors and timeouts
                outcomes.flush()
                _requeue_outage(messages[index:], f"Twilio unreachable: {exc}", report, clock())
                return False
            else:
                outcomes.add(message, Message.Status.SENT, now=clock(), provider_id=sid)
                report.sent += 1
    finally:
        outcomes.flush()
    return True


def _ready(message: Message, *, report: SendReport, now: datetime.datetime, outcomes: _Outcomes) -> str:
    """Right before `message` leaves: renew this worker's claim and check the message against the current
    state of its invitation and respondent. Returns a new link token when it is to be sent now (to
    `message.to`, refreshed); the previous message's outcome, the renewed claim and the token are
    committed together.

    "" when another worker took it over (the claim is no longer the one this worker set) or when it was
    cancelled (recorded as failed with the reason).
    """
    field = "respondent__email" if message.channel == Message.Channel.EMAIL else "respondent__phone"
    state = _current_state(message)
    address = (state or {}).get(field) or ""
    reason = ""
    if state is None:
        reason = "cancelled: the invitation no longer exists"
    elif state["submitted_at"] is not None or state["answered"]:
        reason = "cancelled: the questionnaire was already submitted"
    elif state["respondent__retired_at"] is not None:
        reason = "cancelled: the respondent was retired from the list"
    elif not address:
        reason = "cancelled: the respondent no longer has an address for this channel"
    elif message.kind == Message.Kind.REMINDER and state["reminders_opt_out"]:
        reason = "cancelled: the respondent asked for no reminders"
    elif state["suppressed"] if _sql_normalises(address) else is_suppressed(message.channel, address):
        reason = "cancelled: the address is on the suppression list (opted out, or bounced for good)"
    elif not message.invitation.campaign.is_survey_open(now):
        reason = "cancelled: the survey is closed"
    elif message.attempts > MAX_ATTEMPTS:
        reason = f"gave up after {MAX_ATTEMPTS} attempts"
    changed = bool(address) and address != message.to
    if not reason and not changed and connection.vendor == "postgresql":
        handed = _hand_over_in_one_statement(message, now=now, outcomes=outcomes)
        if handed is not None:
            if not handed:
                report.taken_over += 1
            return handed
    token = ""
    with transaction.atomic():
        outcomes.write()
        renewed = Message.objects.filter(
            pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
        ).update(claimed_at=now, **({"to": address} if changed else {}))
        if not renewed:
            report.taken_over += 1
            return ""
        message.claimed_at = now
        if changed:
            detail = f"recipient changed: {message.to} -> {address}"
            MessageEvent.objects.create(message=message, status=Message.Status.SENDING, detail=detail)
            message.to = address
        if reason:
            _finish(message, Message.Status.FAILED, now=now, error=reason)
            report.failed += 1
        else:
            token = issue_token(message.invitation)
    return token


def _hand_over_in_one_statement(
    message: Message, *, now: datetime.datetime, outcomes: _Outcomes
) -> str | None:
    """What the atomic block of _ready does for the usual message (to be sent now, to the same address),
    as one statement on PostgreSQL: the previous message's `sent` outcome and its event, this message's
    claim renewal and its new link token. A statement is its own transaction, so it is all or nothing as
    the block is, in one round trip instead of six (BEGIN, two UPDATEs, two INSERTs, COMMIT; docs/decisions.md
    D457). The token is inserted only if the claim was renewed (the same conditional UPDATE).

    Returns the token, "" when another worker took the message over, or None when the waiting outcome is
    not a plain `sent` one (then the ORM path writes it)."""
    pending = outcomes.pending
    if pending is not None and (
        pending[1] != Message.Status.SENT or set(pending[2]) != {"now", "provider_id"}
    ):
        return None
    token, token_hash = new_token()
    created = timezone.now()
    params: list[Any] = [now, message.pk, Message.Status.SENDING, message.claimed_at, token_hash, created]
    if pending is not None:
        done, _status, changes = pending
        params += [Message.Status.SENT, changes["now"], changes["provider_id"], done.pk]
        params += [Message.Status.SENDING, done.claimed_at, done.pk, Message.Status.SENT]
        params += [changes["provider_id"], created]
    with connection.cursor() as cursor:
        cursor.execute(_hand_over_sql(with_outcome=pending is not None), params)
        row = cursor.fetchone()
    if pending is not None:
        outcomes.pending = None
        pending[0].status = Message.Status.SENT
    if not row or not row[0]:
        return ""
    message.claimed_at = now
    return token


@functools.cache
def _hand_over_sql(*, with_outcome: bool) -> str:
    """The statement of _hand_over_in_one_statement, written once from the models' tables and columns
    (PostgreSQL: data-modifying WITH clauses)."""
    q = connection.ops.quote_name
    message, token = q(Message._meta.db_table), q(InvitationToken._meta.db_table)
    event = q(MessageEvent._meta.db_table)
    sql = f"""
        WITH renewed AS (
            UPDATE {message} SET {q("claimed_at")} = %s
            WHERE {q("id")} = %s AND {q("status")} = %s AND {q("claimed_at")} = %s
            RETURNING {q("invitation_id")}
        ), token AS (
            INSERT INTO {token} ({q("invitation_id")}, {q("token_hash")}, {q("created_at")})
            SELECT {q("invitation_id")}, %s, %s FROM renewed
        )"""
    if with_outcome:
        sql += f""", outcome AS (
            UPDATE {message} SET {q("status")} = %s, {q("error")} = '', {q("sent_at")} = %s,
                {q("provider_id")} = %s
            WHERE {q("id")} = %s AND {q("status")} = %s AND {q("claimed_at")} = %s
        ), event AS (
            INSERT INTO {event} ({q("message_id")}, {q("status")}, {q("detail")}, {q("created_at")})
            VALUES (%s, %s, %s, %s)
        )"""
    return sql + " SELECT COUNT(*) FROM renewed"


def _sql_normalises(address: str) -> bool:
    """Whether SQL's LOWER(TRIM(address)) is Python's address.strip().lower(): TRIM removes spaces only,
    and SQLite's LOWER folds ASCII only. Otherwise is_suppressed() asks in Python's terms."""
    return address.isascii() and address.strip() == address.strip(" ")


_STATE_COLUMNS = (
    "submitted_at",
    "reminders_opt_out",
    "answered",
    "suppressed",
    "respondent__retired_at",
    "respondent__email",
    "respondent__phone",
)


@functools.cache
def _state_sql(channel: str) -> str:
    """The query of _current_state, written once: built by the ORM for every message it cost more Python
    than the rest of the hand-over (bench/send_invitations.py --profile; docs/decisions.md D402). It reads
    what Invitation.objects (real invitations only), its respondent, Response.objects (real responses) and
    the suppression list say now; the suppression list for the address as is_suppressed() normalises it
    (trimmed, lower-case; see _sql_normalises)."""
    q = connection.ops.quote_name
    invitation, respondent = q(Invitation._meta.db_table), q(Respondent._meta.db_table)
    response, suppression = q(Response._meta.db_table), q(AddressSuppression._meta.db_table)
    address = q("email" if channel == Message.Channel.EMAIL else "phone")
    return f"""
        SELECT i.{q("submitted_at")}, i.{q("reminders_opt_out")},
               EXISTS (SELECT 1 FROM {response} r WHERE r.{q("invitation_id")} = i.{q("id")}
                       AND r.{q("status")} = %s AND r.{q("is_test")} = %s),
               EXISTS (SELECT 1 FROM {suppression} s WHERE s.{q("channel")} = %s
                       AND s.{q("address")} = LOWER(TRIM(p.{address})) AND s.{q("lifted_at")} IS NULL),
               p.{q("retired_at")}, p.{q("email")}, p.{q("phone")}
        FROM {invitation} i LEFT JOIN {respondent} p ON p.{q("id")} = i.{q("respondent_id")}
        WHERE i.{q("id")} = %s AND i.{q("is_test")} = %s"""


def _current_state(message: Message) -> dict[str, Any] | None:
    """The message's invitation and respondent as they are now, None when the invitation is gone."""
    params = [Response.Status.SUBMITTED, False, message.channel, message.invitation_id, False]
    with connection.cursor() as cursor:
        cursor.execute(_state_sql(message.channel), params)
        row = cursor.fetchone()
    return None if row is None else dict(zip(_STATE_COLUMNS, row, strict=True))
