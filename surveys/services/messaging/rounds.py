"""A round as the coordinator starts it: invite whoever is new and queue, or preview without writing."""

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction

from respondents.models import Campaign

from ...models import Message
from ..invitations import InvitationReport, create_invitations
from .outcomes import SendReport
from .queue import QueueReport, queue_round


@dataclass
class RoundReport:
    invitations_created: int
    missing_groups: dict[str, int]
    queue: QueueReport
    send: SendReport

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RoundPreview:
    invitations: InvitationReport
    queues: dict[str, QueueReport]


def prepare_round(
    *, campaign: Campaign, channel: str, reminders: bool, now: datetime.datetime | None = None
) -> RoundReport:
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


def preview_round(
    *, campaign: Campaign, reminders: bool, now: datetime.datetime | None = None
) -> RoundPreview:
    """What a round would invite and queue on each channel; everything is rolled back, nothing is written."""
    with transaction.atomic():
        invitations = create_invitations(campaign=campaign)
        queues = {
            channel: queue_round(campaign=campaign, channel=channel, reminders=reminders, now=now)
            for channel in Message.Channel.values
        }
        transaction.set_rollback(True)
    return RoundPreview(invitations=invitations, queues=queues)
