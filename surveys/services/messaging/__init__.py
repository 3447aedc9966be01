"""Queuing and sending invitations and reminders by e-mail and SMS, through a crash-safe state machine.

    queued ──claim (committed)──▶ sending ──▶ sent ──(Twilio report)──▶ delivered
      ▲                             │  │            └─(report / bounce)─▶ failed | bounced
      └── outage or temporary ──────┘  └──▶ failed (refused address, invalid number, cancelled, gave up)

One module per step, each with its own rules in its docstring:
- queue.py: who gets a message in a round (idempotent queuing, the reminder policy);
- sending.py: claiming batches and handing messages over, crash-safe between workers;
- outcomes.py: what an attempt's result does to a message (outage, temporary, permanent) and its events;
- contents.py: the e-mail and the SMS text a respondent receives;
- rounds.py: a round as the coordinator starts it (invite, then queue; or a preview that writes nothing).
Names starting with an underscore are shared between these modules only. Every attempt and outcome is a
MessageEvent; delivery reports and bounces are in services/delivery.py.
"""

from .contents import message_id
from .outcomes import (
    DONE,
    MAX_ATTEMPTS,
    OUTAGE,
    PENDING,
    PERMANENT,
    TEMPORARY,
    SendReport,
    classify_smtp_error,
    classify_twilio_status,
)
from .queue import QueueReport, queue_round
from .rounds import RoundPreview, RoundReport, prepare_round, preview_round
from .sending import BATCH_SIZE, lease, send_queued

__all__ = [
    "BATCH_SIZE",
    "DONE",
    "MAX_ATTEMPTS",
    "OUTAGE",
    "PENDING",
    "PERMANENT",
    "TEMPORARY",
    "QueueReport",
    "RoundPreview",
    "RoundReport",
    "SendReport",
    "classify_smtp_error",
    "classify_twilio_status",
    "lease",
    "message_id",
    "prepare_round",
    "preview_round",
    "queue_round",
    "send_queued",
]
