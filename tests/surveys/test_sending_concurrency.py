"""Several workers sending the same queue at once on PostgreSQL: SKIP LOCKED claims, nobody twice."""

import io
import os

import pytest
from django.core.management import call_command
from django.db import connection

from surveys.models import Message
from surveys.services import parallel
from surveys.services.invitations import create_invitations
from surveys.services.messaging import queue_round, send_queued
from tests.concurrency import run_at_once
from tests.surveys import sending_setup
from tests.surveys.sending_setup import people

pytestmark = [pytest.mark.postgres, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

site_url, survey, smtp_server = sending_setup.site_url, sending_setup.survey, sending_setup.smtp_server


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: CI runs the suite with DATABASE_URL=postgres://…")


def test_four_workers_sending_one_queue_send_each_message_exactly_once(survey, units, smtp_server):
    respondents = people(survey, units, 40)
    create_invitations(campaign=survey)
    run_at_once(lambda: queue_round(campaign=survey, channel="email", reminders=False), 4)
    assert Message.objects.count() == 40  # concurrent queuing inserted each message once

    reports = run_at_once(lambda: send_queued(campaign=survey, batch_size=5), 4)
    assert not [r for r in reports if isinstance(r, Exception)]
    assert sum(r.sent for r in reports) == 40
    assert smtp_server.recipients() == sorted(p.email for p in respondents)
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}
    assert sum(1 for r in reports if r.sent) > 1  # the work was shared, not done by one worker


# The test SMTP server runs in a thread of this process; the forked senders never touch it.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_the_command_sends_with_several_processes_each_message_exactly_once(survey, units, smtp_server):
    respondents = people(survey, units, 120)  # more than two batches, so several processes get work
    out = io.StringIO()
    call_command("send_invitations", "--campaign", survey.slug, "--workers", "3", "--yes", stdout=out)
    assert "sent 120, failed 0" in out.getvalue()
    assert smtp_server.recipients() == sorted(p.email for p in respondents)
    assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_sending_process_that_dies_is_reported_and_its_messages_stay_to_send(survey, units, monkeypatch):
    people(survey, units, 3)
    create_invitations(campaign=survey)
    queue_round(campaign=survey, channel="email", reminders=False)
    monkeypatch.setattr(parallel, "send_queued", lambda **kwargs: os._exit(3))  # killed, says nothing
    report = parallel.send_queued_in_processes(campaign=survey, workers=2)
    assert report.sent == 0 and "exit codes [3, 3]" in report.outages[0]
    assert set(Message.objects.values_list("status", flat=True)) == {"queued"}
