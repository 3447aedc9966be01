"""The coordinator's sending page and the background tasks behind its buttons."""

import asyncio
import threading

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from config.celery import app as celery_app
from surveys import tasks
from surveys.models import Message
from surveys.services.invitations import create_invitations
from surveys.services.messaging import queue_round
from surveys.tasks import queue_and_send_task, send_queued_task
from tests.surveys import sending_setup
from tests.surveys.sending_setup import Inbox, free_port, people, use_smtp

site_url, survey, smtp_server = sending_setup.site_url, sending_setup.survey, sending_setup.smtp_server


@pytest.fixture
def tasks_in_process():
    """Run .delay() in the request even when CI configures a Redis broker (no worker runs in tests)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def test_anonymous_visitors_are_sent_to_the_login_page(client, survey):
    response = client.get(reverse("campaign-distribution", args=[survey.slug]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(
        reverse("campaign-distribution-send", args=[survey.slug]), {"action": "email-invitations"}
    )
    assert response.status_code == 302


def test_a_focal_point_cannot_see_or_use_the_page(client, survey, focal_stp, units):
    people(survey, units, 1)
    client.force_login(focal_stp)
    assert client.get(reverse("campaign-distribution", args=[survey.slug])).status_code == 403
    url = reverse("campaign-distribution-send", args=[survey.slug])
    assert client.post(url, {"action": "email-invitations"}).status_code == 403
    assert not Message.objects.exists()


def test_the_coordinator_sees_message_counts_per_channel_kind_and_status(client, survey, units, coordinator):
    people(survey, units, 3)
    create_invitations(campaign=survey)
    queue_round(campaign=survey, channel="email", reminders=False)
    queue_round(campaign=survey, channel="sms", reminders=False)
    first = Message.objects.filter(channel="email").order_by("pk").first()
    Message.objects.filter(pk=first.pk).update(status="failed")
    client.force_login(coordinator)
    response = client.get(reverse("campaign-distribution", args=[survey.slug]))
    assert response.status_code == 200
    rows = {(r["channel"], r["kind"]): r["statuses"] for r in response.context["rows"]}
    assert rows == {("email", "invitation"): {"queued": 2, "failed": 1}, ("sms", "invitation"): {"queued": 3}}
    assert response.context["invitations"] == 3
    html = response.content.decode()
    assert 'data-channel="email" data-kind="invitation"' in html
    assert html.count('name="action"') == 3
    assert html.count("disabled") == 1  # SMS reminders: Twilio is not configured here


class HeldInbox(Inbox):
    """An SMTP server that accepts nothing until the test releases it: sending cannot finish early."""

    def __init__(self):
        super().__init__()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        while not self.released.is_set():
            await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def held_smtp(settings):
    port = free_port()
    inbox = HeldInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    use_smtp(settings, port)
    yield inbox
    inbox.released.set()
    controller.stop()


def join_background_threads() -> list[threading.Thread]:
    threads = list(tasks.background_threads)
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return threads


# The thread only starts once the request's transaction is committed, hence a transactional test.
@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_request_queues_the_round_and_a_background_thread_sends_it(
    client, survey, units, coordinator, held_smtp, tasks_in_process
):
    respondents = people(survey, units, 3)
    client.force_login(coordinator)
    tasks.background_threads.clear()
    url = reverse("campaign-distribution-send", args=[survey.slug])
    confirm = client.post(url, {"action": "email-invitations"})  # first the "send to N people" step
    assert confirm.status_code == 200 and held_smtp.messages == [] and not Message.objects.exists()
    assert confirm.context["queue"].queued == 3
    assert "Gửi cho 3 người" in confirm.content.decode()
    response = client.post(url, {"action": "email-invitations", "confirmed": "1"})
    # The page answered while the mail server still holds every message: the request did not send.
    assert response.status_code == 302
    assert response["Location"] == reverse("campaign-distribution", args=[survey.slug])
    assert held_smtp.messages == []
    (thread,) = tasks.background_threads
    assert thread.daemon and thread.is_alive()
    held_smtp.released.set()
    join_background_threads()
    assert held_smtp.recipients() == sorted(p.email for p in respondents)
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}

    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["success"]
    client.post(url, {"action": "email-invitations", "confirmed": "1"})  # a second press sends nothing more
    join_background_threads()
    assert len(held_smtp.messages) == 3 and Message.objects.count() == 3


def test_an_unknown_action_is_a_bad_request(client, survey, coordinator):
    client.force_login(coordinator)
    url = reverse("campaign-distribution-send", args=[survey.slug])
    assert client.post(url, {"action": "everything"}).status_code == 400


def test_the_tasks_run_synchronously_when_applied(survey, units, smtp_server):
    people(survey, units, 2)
    result = queue_and_send_task.apply(args=[survey.pk, "email", False]).get()
    assert result["invitations_created"] == 2
    assert (result["queue"]["queued"], result["send"]["sent"]) == (2, 2)
    assert send_queued_task.apply(kwargs={"campaign_id": survey.pk}).get()["sent"] == 0
    assert len(smtp_server.messages) == 2


@pytest.fixture
def broker_without_worker(monkeypatch):
    """A real Celery broker (kombu's in-memory transport) that nobody consumes, as in production mode."""
    conf, amqp = celery_app.conf, celery_app.amqp
    saved = conf.task_always_eager, conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")  # Celery prefers the variable to its setting
    conf.task_always_eager, conf.broker_url = False, "memory://"
    celery_app._pool, amqp._producer_pool = None, None  # connections are made from the new broker URL
    yield celery_app
    conf.task_always_eager, conf.broker_url = saved
    celery_app._pool, amqp._producer_pool = None, None


def test_with_a_broker_the_button_only_enqueues_the_task(
    client, survey, units, coordinator, smtp_server, broker_without_worker
):
    people(survey, units, 2)
    client.force_login(coordinator)
    url = reverse("campaign-distribution-send", args=[survey.slug])
    response = client.post(url, {"action": "sms-reminders", "confirmed": "1"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["info"]
    assert not Message.objects.exists() and smtp_server.messages == []
    with broker_without_worker.connection_for_read() as connection:
        queued = connection.SimpleQueue("celery").get(timeout=1)
    assert queued.headers["task"] == "surveys.tasks.queue_and_send_task"
    args, kwargs, _embed = queued.payload
    assert (args, kwargs) == ([survey.pk, "sms", True], {})
    queued.ack()
