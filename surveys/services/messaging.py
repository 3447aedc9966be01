"""Queuing and sending invitations and reminders by e-mail and SMS, through a crash-safe state machine.

    queued ──claim (committed)──▶ sending ──▶ sent ──(Twilio report)──▶ delivered
      ▲                             │  │            └─(report / bounce)─▶ failed | bounced
      └── outage or temporary ──────┘  └──▶ failed (refused address, invalid number, cancelled, gave up)

- Queuing is idempotent: a Message is unique per (invitation, channel, kind, sequence) and rows are
  inserted with ignore_conflicts, so a re-run (or two coordinators at once) queues nothing twice.
- Queuing records a `queued` MessageEvent for every message it inserts.
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
- Errors (docs/decisions.md D11): a server that cannot be reached, drops the connection or answers 421 is an
  *outage*: the message and the rest of its batch go back to the queue with the reason noted, the attempt is
  not counted, and the run stops using that channel (tasks.py runs it again with exponential back-off, and
  the next run retries too; nothing fails for ever because a server was down). A 4xx answer about one
  message, a Twilio 429 or 5xx is *temporary*: back to the queue (retried the same way) until MAX_ATTEMPTS.
  A 5xx answer (recipient refused), an invalid address or a Twilio 4xx (invalid number) is *permanent*: the
  message fails with the reason and the batch goes on. Twilio 401/403/404 (wrong credentials, suspended or
  unknown account) concern every message: they are an outage too.
Every attempt and outcome is a MessageEvent; delivery reports and bounces are in services/delivery.py.
"""

import datetime
import email.policy
import functools
import logging
import smtplib
from dataclasses import asdict, dataclass, field
from email.utils import formataddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from twilio.base.exceptions import TwilioException

from respondents.models import Campaign

from ..models import Invitation, Message, MessageEvent, Response
from . import sms
from .invitations import InvitationReport, create_invitations, opt_out_url, survey_url
from .tokens import issue_token

logger = logging.getLogger(__name__)

BATCH_SIZE = 50  # messages per claim, and per SMTP connection
MAX_ATTEMPTS = 5  # tries that reached the provider (or crashed a worker); outages are not counted

OUTAGE, TEMPORARY, PERMANENT = "outage", "temporary", "permanent"
DONE = (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.BOUNCED)
PENDING = (Message.Status.QUEUED, Message.Status.SENDING)


@dataclass
class QueueReport:
    channel: str
    kind: str
    queued: int = 0
    no_address: int = 0  # would have been queued but the respondent has no address for the channel
    survey_closed: bool = False


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    requeued: int = 0  # back in the queue after an outage or a temporary failure
    taken_over: int = 0  # skipped: another worker took the claim over (this worker was slower than the lease)
    outages: list[str] = field(default_factory=list)  # one line per channel that stopped


@dataclass
class RoundReport:
    invitations_created: int
    missing_groups: dict[str, int]
    queue: QueueReport
    send: SendReport

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class RoundPreview:
    invitations: InvitationReport
    queues: dict[str, QueueReport]


# ------------------------------------------------------------------------------------------------ queuing


def queue_round(*, campaign: Campaign, channel: str, reminders: bool, now=None) -> QueueReport:
    """Queue invitations (once per invitation and channel) or the next due reminder, for one channel.

    Reminders (docs/decisions.md D10, agreed with the coordinator): to invitations not submitted and not
    opted out, with fewer than `campaign.reminder_limit` reminders in all (e-mail and SMS together: the
    limit is per respondent, and a reminder's sequence numbers them across channels), nothing queued on this
    channel, once an invitation message was sent on some channel, and when the last message sent on this
    channel (on any channel if none was sent on this one) is at least `campaign.reminder_interval_days` old.
    """
    now = now or timezone.now()
    kind = Message.Kind.REMINDER if reminders else Message.Kind.INVITATION
    report = QueueReport(channel=channel, kind=kind)
    if not campaign.is_survey_open(now):
        report.survey_closed = True
        return report
    address = "email" if channel == Message.Channel.EMAIL else "phone"
    open_invitations = (
        Invitation.objects.filter(
            campaign=campaign, respondent__retired_at__isnull=True, submitted_at__isnull=True
        )
        .exclude(response__status=Response.Status.SUBMITTED)
        .select_related("respondent")
    )
    if reminders:
        candidates = _due_for_reminder(open_invitations, campaign=campaign, channel=channel, now=now)
    else:
        already = Message.objects.filter(invitation=OuterRef("pk"), channel=channel, kind=kind)
        candidates = open_invitations.filter(~Exists(already))
    rows = []
    for invitation in candidates.order_by("pk"):
        to = getattr(invitation.respondent, address)
        if not to:
            report.no_address += 1
            continue
        sequence = invitation.reminders + 1 if reminders else 0
        rows.append(Message(invitation=invitation, channel=channel, kind=kind, sequence=sequence, to=to))
    same_kind = Message.objects.filter(invitation__campaign=campaign, channel=channel, kind=kind)
    with transaction.atomic():
        last = same_kind.aggregate(last=Max("pk"))["last"] or 0
        Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        # ignore_conflicts returns no primary keys: the rows inserted here are the later ones without an
        # event yet (a concurrent run's rows come with their events, committed together).
        new = same_kind.filter(pk__gt=last, status=Message.Status.QUEUED).filter(
            ~Exists(MessageEvent.objects.filter(message=OuterRef("pk")))
        )
        events = [
            MessageEvent(message_id=pk, status=Message.Status.QUEUED, detail=to)
            for pk, to in new.values_list("pk", "to")
        ]
        MessageEvent.objects.bulk_create(events, batch_size=500)
        report.queued = len(events)
    return report


def _due_for_reminder(invitations, *, campaign: Campaign, channel: str, now):
    on_channel = Q(messages__channel=channel)
    cutoff = now - datetime.timedelta(days=campaign.reminder_interval_days)
    return (
        invitations.filter(reminders_opt_out=False)
        .annotate(
            reminders=Count("messages", filter=Q(messages__kind=Message.Kind.REMINDER)),  # all channels
            pending=Count("messages", filter=on_channel & Q(messages__status__in=PENDING)),
            invited=Count(
                "messages", filter=Q(messages__kind=Message.Kind.INVITATION, messages__sent_at__isnull=False)
            ),
            last_sent=Coalesce(Max("messages__sent_at", filter=on_channel), Max("messages__sent_at")),
        )
        .filter(reminders__lt=campaign.reminder_limit, pending=0, invited__gt=0, last_sent__lte=cutoff)
    )


# ------------------------------------------------------------------------------------------------ sending


def send_queued(
    *, campaign: Campaign | None = None, limit: int | None = None, now=None, batch_size: int = BATCH_SIZE
) -> SendReport:
    """Send queued messages (and stale claims) batch by batch until none is left, `limit` is reached or
    every channel had an outage. `now` fixes the clock (tests); by default the real time is used."""
    clock = (lambda: now) if now is not None else timezone.now
    started = clock()
    report = SendReport()
    channels = {Message.Channel.EMAIL}
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


def _claim(*, campaign, channels, size: int, started, now) -> list[Message]:
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


def _send_emails(messages: list[Message], *, report: SendReport, clock) -> bool:
    """Send over one SMTP connection. False when an outage stopped the batch (the rest is requeued)."""
    pending = list(messages)
    outcomes = _Outcomes()
    try:
        with mailers.default as mailer:
            while pending:
                message = pending[0]
                token = _ready(message, report=report, now=clock(), outcomes=outcomes)
                if token:
                    try:
                        mailer.send_messages([_email(message, token)])
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


def _send_texts(messages: list[Message], *, report: SendReport, clock) -> bool:
    """Send through Twilio. False when Twilio could not be reached (the rest is requeued)."""
    client = sms.sms_client()
    outcomes = _Outcomes()
    try:
        for index, message in enumerate(messages):
            token = _ready(message, report=report, now=clock(), outcomes=outcomes)
            if not token:
                continue
            try:
                sid = sms.send_sms(client, to=message.to, body=_sms_body(message, token))
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


def classify_twilio_status(status: int) -> str:
    """OUTAGE, TEMPORARY or PERMANENT for the HTTP status of a Twilio error (0: no HTTP answer).

    401, 403 and 404 mean wrong credentials or a suspended or unknown account: no message can go, so
    nothing must fail for good because of them.
    """
    if status in (401, 403, 404):
        return OUTAGE
    if not status or status == 429 or status >= 500:
        return TEMPORARY
    return PERMANENT


def classify_smtp_error(exc: BaseException) -> str:
    """OUTAGE, TEMPORARY or PERMANENT for an error raised while sending one e-mail."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        code = min(codes) if codes else 0
    elif isinstance(exc, smtplib.SMTPSenderRefused):
        return OUTAGE  # the From address is refused: a configuration problem that concerns every message
    elif isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    elif isinstance(exc, ValueError):
        return PERMANENT  # an address Django cannot put on the envelope
    elif isinstance(exc, OSError):  # includes SMTPServerDisconnected, refused connections, timeouts
        return OUTAGE
    else:
        return TEMPORARY
    if code == 421:  # the server is closing the connection
        return OUTAGE
    return PERMANENT if code >= 500 else TEMPORARY


def _smtp_reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {_text(reply)}" for code, reply in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    return f"{type(exc).__name__}: {exc}"


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class _Outcomes:
    """The outcome of the message just handed over, written in the same commit as the next message's
    claim renewal (one commit per message instead of two). Nothing happens between the hand-over and
    that commit but database work, so a worker killed in between leaves the same single message
    `sending` as before; flush() writes what is left when the batch ends or stops."""

    def __init__(self):
        self.pending: tuple | None = None

    def add(self, message: Message, status: str, **changes) -> None:
        self.write()  # never more than one outcome waits
        self.pending = (message, status, changes)

    def write(self) -> None:
        """Write the waiting outcome inside the caller's transaction."""
        if self.pending:
            message, status, changes = self.pending
            self.pending = None
            _finish(message, status, **changes)

    def flush(self) -> None:
        with transaction.atomic():
            self.write()


def _ready(message: Message, *, report: SendReport, now, outcomes: _Outcomes) -> str:
    """Right before `message` leaves: renew this worker's claim and check the message against the current
    state of its invitation and respondent. Returns a new link token when it is to be sent now (to
    `message.to`, refreshed); the previous message's outcome, the renewed claim and the token are
    committed together.

    "" when another worker took it over (the claim is no longer the one this worker set) or when it was
    cancelled (recorded as failed with the reason).
    """
    answered = Response.objects.filter(invitation=OuterRef("pk"), status=Response.Status.SUBMITTED)
    state = (
        Invitation.objects.filter(pk=message.invitation_id)
        .annotate(answered=Exists(answered))
        .values(
            "submitted_at",
            "reminders_opt_out",
            "answered",
            "respondent__retired_at",
            "respondent__email",
            "respondent__phone",
        )
        .first()
    )
    field = "respondent__email" if message.channel == Message.Channel.EMAIL else "respondent__phone"
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
    elif not message.invitation.campaign.is_survey_open(now):
        reason = "cancelled: the survey is closed"
    elif message.attempts > MAX_ATTEMPTS:
        reason = f"gave up after {MAX_ATTEMPTS} attempts"
    changed = bool(address) and address != message.to
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


def _failed_attempt(message: Message, kind: str, reason: str, report: SendReport, now) -> None:
    if kind == PERMANENT or message.attempts >= MAX_ATTEMPTS:
        _finish(message, Message.Status.FAILED, now=now, error=reason)
        report.failed += 1
    else:
        _finish(message, Message.Status.QUEUED, now=now, error=f"temporary failure, will retry: {reason}")
        report.requeued += 1


def _requeue_outage(messages: list[Message], reason: str, report: SendReport, now) -> None:
    for message in messages:
        _finish(message, Message.Status.QUEUED, now=now, error=reason, uncount_attempt=True)
    report.requeued += len(messages)
    report.outages.append(reason)


def _finish(
    message: Message, status: str, *, now, provider_id: str = "", error: str = "", uncount_attempt=False
) -> None:
    """Record one attempt's outcome, at once, if this worker still holds the claim; always log the event."""
    changes: dict = {"status": status, "error": error}
    if status == Message.Status.SENT:
        changes.update(sent_at=now, provider_id=provider_id)
    if uncount_attempt:
        changes["attempts"] = F("attempts") - 1
    with transaction.atomic(savepoint=False):  # its own commit, or part of the caller's
        Message.objects.filter(
            pk=message.pk, status=Message.Status.SENDING, claimed_at=message.claimed_at
        ).update(**changes)
        MessageEvent.objects.create(message=message, status=status, detail=error or provider_id)
    message.status = status


# --------------------------------------------------------------------------------------------- contents


def message_id(message: Message) -> str:
    """A deterministic Message-ID: a retried or duplicated e-mail keeps it, and bounces point back here."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<msg-{message.pk}@{host}>"


def _context(message: Message, token: str) -> dict:
    invitation = message.invitation
    return {
        "name": invitation.respondent.full_name,
        "campaign": invitation.campaign,
        "deadline": invitation.campaign.survey_closes,
        "link": survey_url(token),
        "opt_out": opt_out_url(token),
        "reminder": message.kind == Message.Kind.REMINDER,
        "sequence": message.sequence,
    }


class _MemoPolicy(email.policy.EmailPolicy):
    """email.policy.default / SMTP with header parsing and folding memoised. A run repeats the same
    Subject, From and MIME headers thousands of times, and folding a non-ASCII header into RFC 2047
    encoded words is the costliest step of building an e-mail (several ms each in pure Python). The
    result is identical: the same policy computes each distinct header once."""

    def header_store_parse(self, name, value):
        if type(value) is str:
            return _memo_store(self, name, value)
        return super().header_store_parse(name, value)

    def fold_binary(self, name, value):
        return _memo_fold(self, name, value)


@functools.lru_cache(maxsize=2048)
def _memo_store(policy, name, value):
    return email.policy.EmailPolicy.header_store_parse(policy, name, value)


@functools.lru_cache(maxsize=2048)
def _memo_fold(policy, name, value):
    return email.policy.EmailPolicy.fold_binary(policy, name, value)


_MEMO_POLICIES = {
    id(email.policy.default): _MemoPolicy(),
    id(email.policy.SMTP): _MemoPolicy(linesep="\r\n"),
}


class _Email(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        return super().message(policy=_MEMO_POLICIES.get(id(policy), policy))


def _email(message: Message, token: str) -> EmailMultiAlternatives:
    context = _context(message, token)
    template = "reminder" if context["reminder"] else "invitation"
    # Respondents read Vietnamese whatever language the coordinator's page was in.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"surveys/email/{template}_subject.txt", context)
        text = render_to_string(f"surveys/email/{template}.txt", context)
        html = render_to_string(f"surveys/email/{template}.html", context)
    mail = _Email(
        subject=" ".join(subject.split()),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((context["name"], message.to))],
        headers={"Message-ID": message_id(message), "List-Unsubscribe": f"<{context['opt_out']}>"},
    )
    mail.attach_alternative(html, "text/html")
    return mail


def _sms_body(message: Message, token: str) -> str:
    campaign = message.invitation.campaign
    deadline = dateformat.format(campaign.survey_closes, "d/m/Y") if campaign.survey_closes else ""
    with translation.override(settings.LANGUAGE_CODE):
        return sms.sms_text(
            campaign_name=campaign.name,
            deadline=deadline,
            link=survey_url(token),
            reminder=message.kind == Message.Kind.REMINDER,
        )


# ------------------------------------------------------------------------------------------------ rounds


def prepare_round(*, campaign: Campaign, channel: str, reminders: bool, now=None) -> RoundReport:
    """Invite whoever is new and queue the round on one channel, in one transaction; nothing is sent
    (the report's `send` is empty). Fast enough for a web request: a few bulk queries."""
    with transaction.atomic():
        invitations = create_invitations(campaign=campaign)
        queued = queue_round(campaign=campaign, channel=channel, reminders=reminders, now=now)
    return RoundReport(
        invitations_created=invitations.created,
        missing_groups=invitations.missing_groups,
        queue=queued,
        send=SendReport(),
    )


def preview_round(*, campaign: Campaign, reminders: bool, now=None) -> RoundPreview:
    """What a round would invite and queue on each channel; everything is rolled back, nothing is written."""
    with transaction.atomic():
        invitations = create_invitations(campaign=campaign)
        queues = {
            channel: queue_round(campaign=campaign, channel=channel, reminders=reminders, now=now)
            for channel in Message.Channel.values
        }
        transaction.set_rollback(True)
    return RoundPreview(invitations=invitations, queues=queues)
