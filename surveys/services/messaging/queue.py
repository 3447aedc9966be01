"""Queuing a round: who gets an invitation or a reminder on one channel.

- Queuing is idempotent: a Message is unique per (invitation, channel, kind, sequence) and rows are
  inserted with ignore_conflicts, so a re-run (or two coordinators at once) queues nothing twice.
- Queuing records a `queued` MessageEvent for every message it inserts.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from respondents.models import Campaign

from ...models import Invitation, Message, MessageEvent, Response
from ..unsubscribe import suppressed_addresses
from .outcomes import PENDING

# A message that never reached the person: the address must change before anything goes there again.
UNDELIVERABLE = (Message.Status.BOUNCED, Message.Status.FAILED)


@dataclass
class QueueReport:
    channel: str
    kind: str
    queued: int = 0
    no_address: int = 0  # would have been queued but the respondent has no address for the channel
    suppressed: int = 0  # left out: the address opted out or bounced for good (the suppression list)
    survey_closed: bool = False


def queue_round(
    *, campaign: Campaign, channel: str, reminders: bool, now: datetime.datetime | None = None
) -> QueueReport:
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
        candidates = _not_yet_invited(open_invitations, channel=channel)
    suppressed = suppressed_addresses(channel)
    rows = []
    for invitation in candidates.order_by("pk"):
        to = getattr(invitation.respondent, address)
        if not to:
            report.no_address += 1
            continue
        if to.strip().lower() in suppressed:
            report.suppressed += 1
            continue
        sequence = invitation.reminders + 1 if reminders else invitation.invitations_sent
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


def _not_yet_invited(invitations: QuerySet[Invitation], *, channel: str) -> QuerySet[Invitation]:
    """Invitations with no invitation message on this channel, or whose last one bounced or failed for good
    and whose address has been corrected since: a corrected address is invited again (docs/decisions.md
    D257). `invitations_sent` numbers the next one."""
    mine = Q(messages__channel=channel, messages__kind=Message.Kind.INVITATION)
    latest = Message.objects.filter(
        invitation=OuterRef("pk"), channel=channel, kind=Message.Kind.INVITATION
    ).order_by("-sequence")
    address = "respondent__email" if channel == Message.Channel.EMAIL else "respondent__phone"
    return invitations.annotate(
        invitations_sent=Count("messages", filter=mine),
        last_status=Subquery(latest.values("status")[:1]),
        last_to=Subquery(latest.values("to")[:1]),
    ).filter(Q(invitations_sent=0) | (Q(last_status__in=UNDELIVERABLE) & ~Q(last_to=F(address))))


def _due_for_reminder(
    invitations: QuerySet[Invitation], *, campaign: Campaign, channel: str, now: datetime.datetime
) -> QuerySet[Invitation]:
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
