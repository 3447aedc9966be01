"""Background tasks for sending. In-process unless CELERY_BROKER_URL is set (config/celery.py).

acks_late: a task whose worker dies is delivered again. Running a task twice is harmless: what is sent
once is decided by the Message state machine (services/messaging.py), not by the task.
"""

from dataclasses import asdict

from celery import shared_task

from respondents.models import Campaign

from .services.messaging import run_round, send_queued


@shared_task(acks_late=True)
def send_queued_task(campaign_id: int | None = None, limit: int | None = None) -> dict:
    campaign = Campaign.objects.get(pk=campaign_id) if campaign_id is not None else None
    return asdict(send_queued(campaign=campaign, limit=limit))


@shared_task(acks_late=True)
def queue_and_send_task(campaign_id: int, channel: str, reminders: bool) -> dict:
    campaign = Campaign.objects.get(pk=campaign_id)
    return run_round(campaign=campaign, channel=channel, reminders=reminders).as_dict()
