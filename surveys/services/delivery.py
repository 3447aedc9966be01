"""What happened to messages after they left: Twilio's delivery reports, bounces, and counts for the page.

Reports only move a message forward (queued < sending < sent < delivered | failed | bounced), since they can
arrive out of order; every report is kept as a MessageEvent.
"""

from django.db import transaction
from django.db.models import Count

from respondents.models import Campaign

from ..models import Message, MessageEvent
from .unsubscribe import suppress_undeliverable

_RANK = {
    Message.Status.QUEUED: 0,
    Message.Status.SENDING: 1,
    Message.Status.SENT: 2,
    Message.Status.DELIVERED: 3,
    Message.Status.FAILED: 3,
    Message.Status.BOUNCED: 3,
}
# Twilio error codes that say the number itself cannot receive SMS (unknown, landline, invalid, not
# mobile); others (unreachable, carrier trouble, filtered) may pass another day.
PERMANENT_TWILIO_ERRORS = {"30005", "30006", "21211", "21614", "21612"}
TWILIO_STATUSES = {
    "sent": Message.Status.SENT,
    "delivered": Message.Status.DELIVERED,
    "undelivered": Message.Status.FAILED,
    "failed": Message.Status.FAILED,
}


def record_sms_status(*, sid: str, status: str, error_code: str = "") -> Message | None:
    """Apply a Twilio status report. Reports only move a message forward (they may arrive out of order)."""
    new = TWILIO_STATUSES.get(status)
    detail = f"twilio: {status}" + (f" (ErrorCode {error_code})" if error_code else "")
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(channel=Message.Channel.SMS, provider_id=sid)
            .exclude(provider_id="")
            .first()
        )
        if message is None:
            return None
        if new is not None and _RANK[new] > _RANK[message.status]:
            message.status = new
            if new == Message.Status.FAILED:
                message.error = f"Twilio {status}" + (f", ErrorCode {error_code}" if error_code else "")
            message.save(update_fields=["status", "error", "updated_at"])
            if new == Message.Status.FAILED and error_code.strip() in PERMANENT_TWILIO_ERRORS:
                suppress_undeliverable(message=message, reason=message.error, bounced=False)
        MessageEvent.objects.create(message=message, status=new or message.status, detail=detail)
    return message


def record_bounce(*, provider_id: str, reason: str) -> Message | None:
    """Mark the e-mail whose Message-ID is `provider_id` (with or without <>) as bounced."""
    wanted = f"<{provider_id.strip().strip('<>')}>"
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(channel=Message.Channel.EMAIL, provider_id=wanted)
            .first()
        )
        if message is None:
            return None
        message.status = Message.Status.BOUNCED
        message.error = reason
        message.save(update_fields=["status", "error", "updated_at"])
        MessageEvent.objects.create(message=message, status=Message.Status.BOUNCED, detail=reason)
        suppress_undeliverable(message=message, reason=reason, bounced=True)
    return message


# (A read query, kept here rather than in selectors.py while other areas edit that file.)


def message_counts(campaign: Campaign) -> list[dict]:
    """Per channel and kind: how many messages are in each status, and the total (one query)."""
    rows: dict[tuple[str, str], dict] = {}
    found = (
        Message.objects.filter(invitation__campaign=campaign)
        .values_list("channel", "kind", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for channel, kind, status, n in found:
        row = rows.setdefault((channel, kind), {"channel": channel, "kind": kind, "statuses": {}, "total": 0})
        row["statuses"][status] = n
        row["total"] += n
    order = {value: i for i, value in enumerate(Message.Channel.values + Message.Kind.values)}
    result = sorted(rows.values(), key=lambda r: (order[r["channel"]], order[r["kind"]]))
    for row in result:
        row["cells"] = [row["statuses"].get(status, 0) for status in Message.Status.values]
        row["channel_label"] = Message.Channel(row["channel"]).label
        row["kind_label"] = Message.Kind(row["kind"]).label
    return result
