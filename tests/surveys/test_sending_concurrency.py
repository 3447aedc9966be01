"""Several workers sending the same queue at once on PostgreSQL: SKIP LOCKED claims, nobody twice."""

import pytest
from django.db import connection

from surveys.models import Message
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
