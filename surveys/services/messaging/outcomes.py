"""What the result of one attempt does to a message: outage, temporary or permanent, and its events.

- Errors (docs/decisions.md D11): a server that cannot be reached, drops the connection or answers 421 is an
  *outage*: the message and the rest of its batch go back to the queue with the reason noted, the attempt is
  not counted, and the run stops using that channel (tasks.py runs it again with exponential back-off, and
  the next run retries too; nothing fails for ever because a server was down). A 4xx answer about one
  message, a Twilio 429 or 5xx is *temporary*: back to the queue (retried the same way) until MAX_ATTEMPTS.
  A 5xx answer (recipient refused), an invalid address or a Twilio 4xx (invalid number) is *permanent*: the
  message fails with the reason and the batch goes on. Twilio 401/403/404 (wrong credentials, suspended or
  unknown account) concern every message: they are an outage too.
- An outcome is written only if the worker still holds the message's claim; its event is always logged.
"""

import datetime
import smtplib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F

from ...models import Message, MessageEvent
from ..unsubscribe import suppress_undeliverable

MAX_ATTEMPTS = 5  # tries that reached the provider (or crashed a worker); outages are not counted

OUTAGE, TEMPORARY, PERMANENT = "outage", "temporary", "permanent"
DONE = (Message.Status.SENT, Message.Status.DELIVERED, Message.Status.BOUNCED)
PENDING = (Message.Status.QUEUED, Message.Status.SENDING)


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    requeued: int = 0  # back in the queue after an outage or a temporary failure
    taken_over: int = 0  # skipped: another worker took the claim over (this worker was slower than the lease)
    outages: list[str] = field(default_factory=list)  # one line per channel that stopped


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


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class _Outcomes:
    """The outcome of the message just handed over, written in the same commit as the next message's
    claim renewal (one commit per message instead of two). Nothing happens between the hand-over and
    that commit but database work, so a worker killed in between leaves the same single message
    `sending` as before; flush() writes what is left when the batch ends or stops."""

    def __init__(self) -> None:
        self.pending: tuple[Message, str, dict[str, Any]] | None = None

    def add(self, message: Message, status: str, **changes: Any) -> None:  # noqa: ANN401 (_finish's)
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


def _failed_attempt(
    message: Message, kind: str, reason: str, report: SendReport, now: datetime.datetime
) -> None:
    if kind == PERMANENT or message.attempts >= MAX_ATTEMPTS:
        _finish(message, Message.Status.FAILED, now=now, error=reason)
        report.failed += 1
        if kind == PERMANENT:  # the address itself was refused (docs/decisions.md D257)
            suppress_undeliverable(message=message, reason=reason, bounced=False)
    else:
        _finish(message, Message.Status.QUEUED, now=now, error=f"temporary failure, will retry: {reason}")
        report.requeued += 1


def _requeue_outage(messages: list[Message], reason: str, report: SendReport, now: datetime.datetime) -> None:
    for message in messages:
        _finish(message, Message.Status.QUEUED, now=now, error=reason, uncount_attempt=True)
    report.requeued += len(messages)
    report.outages.append(reason)


def _finish(
    message: Message,
    status: str,
    *,
    now: datetime.datetime,
    provider_id: str = "",
    error: str = "",
    uncount_attempt: bool = False,
) -> None:
    """Record one attempt's outcome, at once, if this worker still holds the claim; always log the event."""
    changes: dict[str, Any] = {"status": status, "error": error}
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
