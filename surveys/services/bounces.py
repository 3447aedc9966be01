"""E-mail bounces: read delivery status notifications (RFC 3464) and mark the e-mails they return as bounced.

Only permanent failures count (`Action: failed`, `Status: 5.x.x`); a delay (4.x.x) may still be delivered and
anything that is not a DSN (an auto-reply, a person answering) is ignored.
"""

import contextlib
import email
import imaplib
import mailbox
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from django.conf import settings

from ..models import Message
from .delivery import record_bounce


@dataclass
class BounceReport:
    read: int = 0  # e-mails read
    bounced: int = 0  # messages marked bounced
    ignored: int = 0  # e-mails that marked nothing: not a DSN, only delays, unknown or already recorded


def bounces_from_message(raw_bytes: bytes) -> list[tuple[str, str]]:
    """(Message-ID of the returned e-mail, reason) per recipient that failed permanently; [] otherwise."""
    report = email.message_from_bytes(raw_bytes, policy=default_policy)
    if report.get_content_type() != "multipart/report":
        return []
    if (report.get_param("report-type") or "").lower() != "delivery-status":
        return []
    status_part = returned = None
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status" and status_part is None:
            status_part = part
        elif kind == "message/rfc822" and returned is None:
            returned = part.get_payload()[0]
        elif kind in ("text/rfc822-headers", "message/rfc822-headers") and returned is None:
            returned = email.message_from_string(_text(part), policy=default_policy)
    if status_part is None or returned is None:
        return []
    message_id = _clean(str(returned.get("Message-ID") or ""))
    if not message_id:
        return []
    bounces = []
    for fields in _recipient_blocks(status_part):
        action = _clean(str(fields.get("Action") or "")).lower()
        status = _clean(str(fields.get("Status") or ""))
        if action != "failed" or not status.startswith("5."):
            continue
        diagnostic = _clean(str(fields.get("Diagnostic-Code") or ""))
        bounces.append((message_id, _reason(diagnostic, status)))
    return bounces


def import_bounces(*, paths: Iterable[Path | str], mbox: bool = False) -> BounceReport:
    """Read .eml files (a directory: every *.eml in it), or mbox files, and record their bounces."""
    report = BounceReport()
    for raw in _raw_messages(paths, mbox=mbox):
        record_raw_bounce(raw, report)
    return report


def record_raw_bounce(raw: bytes, report: BounceReport) -> int:
    """Read one e-mail and record the bounces it reports; returns how many messages it marked."""
    report.read += 1
    marked = 0
    for message_id, reason in bounces_from_message(raw):
        if _already_recorded(message_id, reason):
            continue
        if record_bounce(provider_id=message_id, reason=reason) is not None:
            marked += 1
    report.bounced += marked
    report.ignored += marked == 0
    return marked


def poll_mailbox(
    *,
    host: str,
    user: str,
    password: str,
    port: int = 993,
    use_ssl: bool = True,
    folder: str = "INBOX",
    timeout: float = 30,
    limit: int = 1000,
) -> BounceReport:
    """Read the unseen e-mails of a bounce mailbox over IMAP (imaplib) and record their bounces; each read
    e-mail is flagged \\Seen, so the next poll reads only new ones. A bounce recorded twice (a poll that
    died before flagging) is recorded once (_already_recorded). docs/decisions.md D259."""
    report = BounceReport()
    connection = (imaplib.IMAP4_SSL if use_ssl else imaplib.IMAP4)(host, port, timeout=timeout)
    try:
        connection.login(user, password)
        status, _data = connection.select(_quoted(folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {folder!r}")
        status, data = connection.search(None, "UNSEEN")
        numbers = data[0].split()[:limit] if status == "OK" and data and data[0] else []
        for number in numbers:
            status, parts = connection.fetch(number, "(RFC822)")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) == 2), None)
            if status != "OK" or raw is None:
                continue
            record_raw_bounce(raw, report)
            connection.store(number, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            connection.logout()
    return report


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll_configured_mailbox() -> BounceReport | None:
    """poll_mailbox with the BOUNCE_IMAP_* settings; None when no mailbox is configured."""
    if not settings.BOUNCE_IMAP_HOST:
        return None
    return poll_mailbox(
        host=settings.BOUNCE_IMAP_HOST,
        port=settings.BOUNCE_IMAP_PORT,
        use_ssl=settings.BOUNCE_IMAP_SSL,
        user=settings.BOUNCE_IMAP_USER,
        password=settings.BOUNCE_IMAP_PASSWORD,
        folder=settings.BOUNCE_IMAP_FOLDER,
        timeout=settings.BOUNCE_IMAP_TIMEOUT,
    )


def _raw_messages(paths: Iterable[Path | str], *, mbox: bool) -> Iterator[bytes]:
    for path in map(Path, paths):
        if mbox:
            box = mailbox.mbox(path, create=False)
            try:
                for key in box.iterkeys():
                    yield box.get_bytes(key)
            finally:
                box.close()
        elif path.is_dir():
            for file in sorted(path.glob("*.eml")):
                yield file.read_bytes()
        else:
            yield path.read_bytes()


def _already_recorded(message_id: str, reason: str) -> bool:
    """Importing the same mailbox twice records nothing twice."""
    return Message.objects.filter(
        channel=Message.Channel.EMAIL,
        provider_id=f"<{message_id.strip('<>')}>",
        status=Message.Status.BOUNCED,
        error=reason,
    ).exists()


def _recipient_blocks(status_part: EmailMessage) -> list[EmailMessage]:
    """The per-recipient field groups (the first group is about the whole message)."""
    blocks = status_part.get_payload()
    if isinstance(blocks, str):  # a part the parser did not split: parse its blank-line separated groups
        blocks = [email.message_from_string(b, policy=default_policy) for b in blocks.split("\n\n")]
    return [b for b in blocks[1:] if b.get("Action")]


def _text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True) or b""
    return payload.decode(part.get_content_charset() or "utf-8", errors="replace")


def _clean(value: str) -> str:
    return " ".join(value.split())


def _reason(diagnostic: str, status: str) -> str:
    """`smtp; 550 5.1.1 <x@y>: no such user` → `550 5.1.1 <x@y>: no such user`; else the status."""
    kind, sep, text = diagnostic.partition(";")
    if sep and kind.strip().lower() in ("smtp", "x-postfix", "x-unix", "x-local"):
        diagnostic = text.strip()
    return diagnostic or f"status {status}"
