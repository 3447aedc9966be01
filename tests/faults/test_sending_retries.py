"""The mail server or Twilio down while sending: every attempt fails and is recorded, sending is retried
with exponential back-off by itself (the background thread without a broker, the Celery task with one),
and everything goes, exactly once, as soon as the server is back."""

import datetime
import itertools
import time

import pytest
from django.db.models import Count
from django.utils import timezone

from surveys.models import Message, MessageEvent
from surveys.services import sms
from surveys.services.invitations import create_invitations
from surveys.services.messaging import queue_round
from surveys.tasks import queue_and_send_task, retry_delay, send_queued_task, send_with_retries
from tests.faults.workers import wait_for
from tests.surveys import sending_setup, test_scheduled_reminders
from tests.surveys.fake_twilio import FakeTwilioHttpClient
from tests.surveys.sending_setup import free_port, people, start_smtp, use_smtp

pytestmark = pytest.mark.integration

site_url, survey = sending_setup.site_url, sending_setup.survey
broker_without_worker = test_scheduled_reminders.broker_without_worker

OUTAGE = "SMTP server unavailable"


@pytest.fixture
def fast_retries(settings):
    settings.SENDING_RETRY_BASE_SECONDS = 0.1
    settings.SENDING_RETRY_MAX_SECONDS = 0.4
    settings.SENDING_RETRY_LIMIT = 6
    return settings


def queue(campaign, channel: str = "email") -> None:
    create_invitations(campaign=campaign)
    queue_round(campaign=campaign, channel=channel, reminders=False)


def outage_times(message: Message, text: str) -> list:
    """When each failed attempt on `message` was recorded (its `queued` events that carry the reason)."""
    events = MessageEvent.objects.filter(message=message, status="queued", detail__contains=text)
    return list(events.order_by("created_at", "pk").values_list("created_at", flat=True))


def gaps(times: list) -> list[float]:
    return [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]


def test_the_back_off_doubles_from_the_base_up_to_the_cap(fast_retries):
    assert [retry_delay(n) for n in range(5)] == [0.1, 0.2, 0.4, 0.4, 0.4]
    fast_retries.SENDING_RETRY_BASE_SECONDS, fast_retries.SENDING_RETRY_MAX_SECONDS = 30, 900
    assert [retry_delay(n) for n in range(7)] == [30, 60, 120, 240, 480, 900, 900]


def test_smtp_down_is_recorded_retried_with_back_off_and_sent_once_when_it_returns(
    survey, units, settings, fast_retries
):
    respondents = people(survey, units, 3)
    port = free_port()
    use_smtp(settings, port)  # nothing listens there yet
    queue(survey)
    waits, servers = [], []

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 3:  # the server comes back during the third wait
            servers.append(start_smtp(port))
        time.sleep(seconds)

    try:
        report = send_with_retries(campaign=survey, sleep=sleep)
    finally:
        for _inbox, controller in servers:
            controller.stop()
    ((inbox, _controller),) = servers
    assert waits == [0.1, 0.2, 0.4]  # three runs failed, each wait twice the last (up to the cap)
    assert (report.sent, report.requeued) == (3, 0)
    assert inbox.recipients() == sorted(p.email for p in respondents)  # each exactly once
    for message in Message.objects.all():
        assert (message.status, message.attempts, message.error) == ("sent", 1, "")  # outages not counted
        times = outage_times(message, OUTAGE)
        assert len(times) == 3  # every failed attempt is on record with its reason
        first, second = gaps(times)  # between the failed runs: at least the wait, growing
        assert first >= waits[0] and second >= waits[1] and first < second


class FlakyTwilio(FakeTwilioHttpClient):
    """Twilio answering 503 Service Unavailable (JSON error 20503) to the first `failures` requests."""

    def __init__(self, failures: int):
        super().__init__()
        self.failures = failures

    def request(self, method, url, *args, **kwargs):
        if self.failures:
            self.failures -= 1
            self.requests.append(None)
            return self._error(503, 20503, "Service Unavailable")
        return super().request(method, url, *args, **kwargs)


def test_twilio_errors_are_recorded_retried_with_back_off_and_each_sms_goes_once(
    survey, units, settings, monkeypatch, fast_retries, site_url
):
    settings.TWILIO_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
    settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = "twilio-auth-token-for-tests", "+15005550006"
    respondents = people(survey, units, 2)
    twilio = FlakyTwilio(failures=4)  # two runs: both messages refused each time
    monkeypatch.setattr(sms, "transport", twilio)
    queue(survey, channel="sms")
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        time.sleep(seconds)

    report = send_with_retries(campaign=survey, sleep=sleep)
    assert waits == [0.1, 0.2] and (report.sent, report.requeued) == (2, 0)
    delivered = [r.form["To"] for r in twilio.requests if r is not None]
    assert sorted(delivered) == sorted(p.phone for p in respondents)  # each SMS accepted once
    for message in Message.objects.all():
        # A 503 is about the attempt, not the number: counted, retried, and the third attempt goes.
        assert (message.status, message.attempts) == ("sent", 3)
        times = outage_times(message, "Twilio 503 error 20503")
        assert len(times) == 2 and gaps(times)[0] >= 0.1
        assert list(message.events.values_list("status", flat=True)) == ["queued", "queued", "queued", "sent"]


def test_the_retries_give_up_after_the_limit_and_leave_the_messages_queued(
    survey, units, settings, fast_retries
):
    people(survey, units, 2)
    use_smtp(settings, free_port())
    queue(survey)
    waits = []
    report = send_with_retries(campaign=survey, sleep=waits.append)
    assert len(waits) == settings.SENDING_RETRY_LIMIT and report.requeued == 2
    assert set(Message.objects.values_list("status", "attempts")) == {("queued", 0)}
    counts = Message.objects.annotate(n=Count("events")).values_list("n", flat=True)
    assert set(counts) == {1 + settings.SENDING_RETRY_LIMIT + 1}  # queued, then one event per failed run


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_a_celery_worker_retries_with_back_off_while_smtp_is_down_and_sends_once_it_returns(
    survey, units, settings, celery_workers
):
    respondents = people(survey, units, 3)
    port = free_port()
    queue(survey)
    celery_workers.env.update(
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        SITE_URL=settings.SITE_URL,
        SENDING_RETRY_BASE_SECONDS="0.2",
        SENDING_RETRY_MAX_SECONDS="5",
        SENDING_RETRY_LIMIT="10",
    )
    celery_workers.start()
    celery_workers.send(send_queued_task, survey.pk)
    first = Message.objects.order_by("pk").first()
    wait_for(lambda: len(outage_times(first, OUTAGE)) >= 3, timeout=30, what="three failed runs")
    inbox, controller = start_smtp(port)
    try:
        wait_for(
            lambda: not Message.objects.exclude(status="sent").exists(), timeout=30, what="every message sent"
        )
    finally:
        controller.stop()
    assert inbox.recipients() == sorted(p.email for p in respondents)  # each exactly once
    times = outage_times(first, OUTAGE)
    intervals = gaps(times)
    # The task re-scheduled itself with countdowns 0.2, 0.4, 0.8 ... seconds: the gaps grow.
    assert len(times) >= 3 and intervals[0] >= 0.2 and intervals[1] >= 0.4
    assert all(later > earlier for earlier, later in itertools.pairwise(intervals))
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_a_round_sent_while_the_server_is_down_schedules_its_retry_on_the_workers(
    survey, units, settings, fast_retries, broker_without_worker
):
    people(survey, units, 2)
    use_smtp(settings, free_port())
    before = timezone.now()
    result = queue_and_send_task.apply(args=[survey.pk, "email", False]).get()
    assert result["send"]["requeued"] == 2 and OUTAGE in result["send"]["outages"][0]
    with broker_without_worker.connection_for_read() as connection:
        queue = connection.SimpleQueue("celery")
        tasks = [queue.get(timeout=1) for _ in range(settings.SENDING_WORKERS)]
    for task in tasks:
        task.ack()
    assert {t.headers["task"] for t in tasks} == {"surveys.tasks.send_queued_task"}
    etas = [datetime.datetime.fromisoformat(t.headers["eta"]) for t in tasks if t.headers.get("eta")]
    # The fanned-out senders go at once (they find the queue given back and retry in turn); the retry
    # of this round waits the first back-off.
    (eta,) = etas
    assert datetime.timedelta(seconds=0.1) <= eta - before < datetime.timedelta(seconds=5)
