"""The scheduler's job (Celery beat, CELERY_BEAT_SCHEDULE): for every campaign whose survey is open, queue
the reminders that are due, by e-mail and by SMS when Twilio is configured, and send them; running it again
sends nothing twice."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from config import celery_app
from surveys.models import Invitation, Message
from surveys.services import sms
from surveys.services.invitations import create_invitations
from surveys.services.messaging import queue_round, send_queued
from surveys.tasks import send_due_reminders, send_due_reminders_task
from tests.surveys import sending_setup
from tests.surveys.fake_twilio import FakeTwilioHttpClient
from tests.surveys.sending_setup import people

pytestmark = pytest.mark.integration

site_url, survey, smtp_server = sending_setup.site_url, sending_setup.survey, sending_setup.smtp_server
REMINDER = Message.Kind.REMINDER


def invited_days_ago(campaign, days: int) -> None:
    """Invite everyone by e-mail through the SMTP server, then date the invitations `days` back."""
    create_invitations(campaign=campaign)
    queue_round(campaign=campaign, channel=Message.Channel.EMAIL, reminders=False)
    assert send_queued(campaign=campaign).sent > 0
    Message.objects.update(sent_at=timezone.now() - datetime.timedelta(days=days))


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Send in the test's process even when CI configures a Redis broker (no worker runs in tests)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def broker_without_worker(monkeypatch):
    """A real Celery broker (kombu's in-memory transport) that nobody consumes, as in production."""
    conf, amqp = celery_app.conf, celery_app.amqp
    saved = conf.task_always_eager, conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")  # Celery prefers the variable to its setting
    conf.task_always_eager, conf.broker_url = False, "memory://"
    celery_app._pool, amqp._producer_pool = None, None
    yield celery_app
    conf.task_always_eager, conf.broker_url = saved
    celery_app._pool, amqp._producer_pool = None, None


@pytest.fixture
def twilio(settings, monkeypatch):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
    settings.TWILIO_AUTH_TOKEN = "twilio-auth-token-for-tests"
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    fake = FakeTwilioHttpClient()
    monkeypatch.setattr(sms, "transport", fake)
    return fake


def test_due_reminders_go_out_by_email_once_even_when_the_job_runs_again(survey, units, smtp_server):
    people(survey, units, 4)
    invited_days_ago(survey, 4)  # the campaign waits 3 days between messages
    reports = send_due_reminders()
    assert reports[survey.slug].queued == {"email": 4}
    assert reports[survey.slug].send.sent == 4
    assert len(smtp_server.messages) == 8  # 4 invitations, 4 reminders
    again = send_due_reminders()
    assert again[survey.slug].queued == {"email": 0} and again[survey.slug].send is None
    assert len(smtp_server.messages) == 8
    assert Message.objects.filter(kind=REMINDER, status="sent").count() == 4


def test_reminders_are_not_due_before_the_campaigns_interval(survey, units, smtp_server):
    people(survey, units, 2)
    invited_days_ago(survey, 1)
    assert send_due_reminders()[survey.slug].queued == {"email": 0}
    assert not Message.objects.filter(kind=REMINDER).exists()


def test_sms_reminders_go_out_too_when_twilio_is_configured(survey, units, smtp_server, twilio):
    people(survey, units, 3)
    invited_days_ago(survey, 4)
    reports = send_due_reminders()
    # Each channel's reminder counts toward the campaign's limit of reminders per respondent.
    assert reports[survey.slug].queued == {"email": 3, "sms": 3}
    assert reports[survey.slug].send.sent == 6
    assert len(twilio.requests) == 3
    assert sorted(Message.objects.filter(kind=REMINDER).values_list("channel", "sequence").distinct()) == [
        ("email", 1),
        ("sms", 2),
    ]
    assert send_due_reminders()[survey.slug].queued == {"email": 0, "sms": 0}
    assert len(twilio.requests) == 3


def test_closed_campaigns_and_answered_invitations_get_no_reminder(survey, units, smtp_server):
    answered, waiting = people(survey, units, 2)
    invited_days_ago(survey, 4)
    Invitation.objects.filter(respondent=answered).update(submitted_at=timezone.now())
    assert send_due_reminders()[survey.slug].queued == {"email": 1}
    assert list(Message.objects.filter(kind=REMINDER).values_list("to", flat=True)) == [waiting.email]
    Message.objects.update(sent_at=timezone.now() - datetime.timedelta(days=4))
    survey.survey_closes = timezone.localdate() - datetime.timedelta(days=1)
    survey.save()
    assert send_due_reminders() == {}


def test_the_scheduler_runs_the_registered_task_and_the_task_reports_per_campaign(survey, units, smtp_server):
    entry = settings.CELERY_BEAT_SCHEDULE["send-due-reminders"]
    assert entry["task"] == send_due_reminders_task.name
    assert entry["schedule"] == 3600
    people(survey, units, 1)
    invited_days_ago(survey, 4)
    result = celery_app.tasks[entry["task"]].apply().get()  # what a worker runs when beat sends it
    assert result[survey.slug]["queued"] == {"email": 1}


def test_with_a_broker_the_job_queues_the_reminders_and_leaves_sending_to_the_workers(
    survey, units, smtp_server, broker_without_worker, settings
):
    people(survey, units, 2)
    invited_days_ago(survey, 4)
    report = send_due_reminders()[survey.slug]
    assert report.queued == {"email": 2} and report.send is None
    assert Message.objects.filter(kind=REMINDER, status="queued").count() == 2
    assert len(smtp_server.messages) == 2  # only the invitations so far
    with broker_without_worker.connection_for_read() as connection:
        queue = connection.SimpleQueue("celery")
        tasks = [queue.get(timeout=1) for _ in range(settings.SENDING_WORKERS)]
    assert {t.headers["task"] for t in tasks} == {"surveys.tasks.send_queued_task"}
    assert {tuple(t.payload[0]) for t in tasks} == {(survey.pk,)}
    for task in tasks:
        task.ack()
