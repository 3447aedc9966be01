"""Background work for sending. In-process unless CELERY_BROKER_URL is set (config/celery.py).

With a broker, the tasks below run on a Celery worker. acks_late: a task whose worker dies is delivered
again. Running a task twice is harmless: what is sent once is decided by the Message state machine
(services/messaging/), not by the task.

Without a broker (the embedded set-up, CELERY_TASK_ALWAYS_EAGER), a web request must not send a whole
round itself: it queues the round and calls send_in_background(), which sends from a daemon thread of
the web process. Messages a thread leaves behind (the process stopped) are `queued` or `sending` rows
that the next round or `send_invitations` takes up again. Threads started here are listed in
`background_threads`, so tests (and anyone curious) can join them.

Outages (and "try later" answers) are retried automatically with exponential back-off: a run that gave
messages back to the queue is run again after SENDING_RETRY_BASE_SECONDS, then twice as long each time (at
most SENDING_RETRY_MAX_SECONDS apart), at most SENDING_RETRY_LIMIT times: by Celery (the task re-scheduled
with a countdown) or, without a broker, by the background thread sleeping in between. What is still queued
after the last retry waits for the next run (a round, the reminder job or `send_invitations`).

The scheduler (`celery -A config beat`, CELERY_BEAT_SCHEDULE in settings) runs send_due_reminders_task.
"""

import logging
import threading
import time
from dataclasses import asdict, dataclass

from celery import shared_task
from django.conf import settings
from django.db import connections
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from respondents.models import Campaign

from .models import Invitation, Message
from .services import sms
from .services.bounces import poll_configured_mailbox
from .services.messaging import SendReport, prepare_round, queue_round, send_queued

logger = logging.getLogger(__name__)

background_threads: list[threading.Thread] = []  # started by send_in_background, finished ones pruned


def retry_delay(retries: int) -> float:
    """Seconds to wait before retry number `retries` + 1: base, 2 x base, 4 x base ..., capped."""
    return min(settings.SENDING_RETRY_BASE_SECONDS * 2**retries, settings.SENDING_RETRY_MAX_SECONDS)


def next_retry(report: SendReport, retries: int) -> float | None:
    """Seconds before sending again after a run that gave messages back to the queue (an outage or a
    temporary refusal), or None: nothing was given back, or SENDING_RETRY_LIMIT retries were made."""
    if not report.requeued or retries >= settings.SENDING_RETRY_LIMIT:
        return None
    return retry_delay(retries)


def send_with_retries(*, campaign: Campaign, sleep=time.sleep) -> SendReport:
    """send_queued(), run again with back-off (next_retry) while it gives messages back; the last run's
    report."""
    retries = 0
    report = send_queued(campaign=campaign)
    while (delay := next_retry(report, retries)) is not None:
        logger.warning("Sending for campaign %s retried in %.1f s: %s", campaign.pk, delay, report.outages)
        sleep(delay)
        retries += 1
        report = send_queued(campaign=campaign)
    return report


def fan_out(campaign_id: int, tasks: int) -> None:
    """Start `tasks` send_queued_task on the workers, which share the campaign's queue."""
    for _ in range(tasks):
        send_queued_task.delay(campaign_id)


@shared_task(acks_late=True, bind=True)
def send_queued_task(self, campaign_id: int | None = None, limit: int | None = None) -> dict:
    campaign = Campaign.objects.get(pk=campaign_id) if campaign_id is not None else None
    report = send_queued(campaign=campaign, limit=limit)
    countdown = next_retry(report, self.request.retries)
    # Eagerly (no broker) a retry would run at once in the caller: the background thread retries instead.
    if countdown is not None and not self.request.is_eager:
        logger.warning("send_queued_task retried in %.1f s: %s", countdown, report.outages)
        raise self.retry(countdown=countdown, max_retries=settings.SENDING_RETRY_LIMIT)
    return asdict(report)


@shared_task(acks_late=True)
def queue_and_send_task(campaign_id: int, channel: str, reminders: bool) -> dict:
    """Queue a round, then send it here and, with a broker, in SENDING_WORKERS - 1 more tasks at once."""
    campaign = Campaign.objects.get(pk=campaign_id)
    report = prepare_round(campaign=campaign, channel=channel, reminders=reminders)
    if broker_configured():
        fan_out(campaign_id, settings.SENDING_WORKERS - 1)
    report.send = send_queued(campaign=campaign)
    if report.send.requeued and broker_configured():
        send_queued_task.apply_async((campaign_id,), countdown=retry_delay(0))
    return report.as_dict()


def broker_configured() -> bool:
    """Whether tasks go to a Celery worker (False: .delay() would run them in the caller)."""
    return not send_queued_task.app.conf.task_always_eager


def send_in_background(campaign_id: int) -> threading.Thread:
    """Send the campaign's queue from a daemon thread of this process; returns the started thread.

    Call it from transaction.on_commit() so that the thread sees what the request queued.
    """
    background_threads[:] = [t for t in background_threads if t.is_alive()]
    thread = threading.Thread(
        target=_send_then_close, args=(campaign_id,), name=f"send-campaign-{campaign_id}", daemon=True
    )
    thread.start()
    background_threads.append(thread)
    return thread


def _send_then_close(campaign_id: int) -> None:
    try:
        report = send_with_retries(campaign=Campaign.objects.get(pk=campaign_id))
        logger.info("Background sending for campaign %s: %s", campaign_id, asdict(report))
    except Exception:
        logger.exception("Background sending for campaign %s failed", campaign_id)
    finally:
        connections.close_all()  # this thread's connections only: Django's connections are per thread


@dataclass
class RemindersReport:
    queued: dict[str, int]  # per channel
    send: SendReport | None = None  # None: nothing queued, or sent by worker tasks

    def as_dict(self) -> dict:
        return asdict(self)


@shared_task
def poll_bounces_task() -> dict:
    """The scheduler's bounce job (BOUNCE_IMAP_* settings): read the bounce mailbox over IMAP."""
    report = poll_configured_mailbox()
    return asdict(report) if report is not None else {}


@shared_task(acks_late=True)
def send_due_reminders_task() -> dict:
    """The scheduler's job (CELERY_BEAT_SCHEDULE): queue and send the reminders that are due."""
    return {slug: report.as_dict() for slug, report in send_due_reminders().items()}


def send_due_reminders(*, now=None) -> dict[str, RemindersReport]:
    """For every campaign whose survey is open, queue the reminders that are due on each channel (e-mail,
    and SMS when Twilio is configured) and send them: with a broker in SENDING_WORKERS tasks, without one
    here. Idempotent: queue_round queues a reminder once (unique per invitation, channel and sequence) and
    only when due, so a second run, or two schedulers at once, send nothing twice.

    Only reminders: inviting the people added to a list is the coordinator's decision (distribution page).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    campaigns = (
        Campaign.objects.exclude(status=Campaign.Status.CLOSED)
        .filter(Q(survey_opens__isnull=True) | Q(survey_opens__lte=today))
        .filter(Q(survey_closes__isnull=True) | Q(survey_closes__gte=today))
        .filter(Exists(Invitation.objects.filter(campaign=OuterRef("pk"))))
        .order_by("pk")
    )
    channels = [Message.Channel.EMAIL] + ([Message.Channel.SMS] if sms.is_configured() else [])
    reports = {}
    for campaign in campaigns:
        if not (campaign.is_survey_open(now) and campaign.has_survey_started(now)):
            continue
        queues = [queue_round(campaign=campaign, channel=c, reminders=True, now=now) for c in channels]
        report = RemindersReport(queued={q.channel: q.queued for q in queues})
        if any(q.queued for q in queues):
            if broker_configured():
                fan_out(campaign.pk, settings.SENDING_WORKERS)
            else:
                report.send = send_queued(campaign=campaign)
        reports[campaign.slug] = report
    if reports:
        logger.info("Due reminders: %s", {slug: r.as_dict() for slug, r in reports.items()})
    return reports
