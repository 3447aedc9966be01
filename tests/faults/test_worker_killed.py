"""A Celery worker killed (SIGKILL) in the middle of sending 1,000 invitations, then a new worker: every
respondent receives their invitation, each exactly once as a distinct message (one Message-ID)."""

import collections
import datetime

import pytest
from django.db.models import Max
from django.utils import timezone

from respondents.models import Respondent, RespondentGroup
from surveys.models import Message
from surveys.services.invitations import create_invitations
from surveys.services.messaging import BATCH_SIZE, queue_round
from surveys.tasks import send_queued_task
from tests.factories import RespondentFactory
from tests.faults.workers import wait_for
from tests.surveys import sending_setup

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(90),
]

site_url, survey, smtp_server = sending_setup.site_url, sending_setup.survey, sending_setup.smtp_server

RESPONDENTS = 1000
# Messages received before the worker is killed: inside a batch, never at its end (at 300 = 6 x 50 the
# worker could be between batches, with nothing claimed, when the kill lands).
KILL_AFTER = 6 * BATCH_SIZE + BATCH_SIZE // 2 - 5
LEASE_SECONDS = 2


def message_ids_by_recipient(inbox) -> dict[str, collections.Counter]:
    received: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for recipients, message in list(inbox.messages):
        for recipient in recipients:
            received[recipient][message["Message-ID"]] += 1
    return received


def test_a_worker_killed_mid_round_and_a_new_one_deliver_every_invitation_exactly_once(
    survey, units, smtp_server, celery_workers, settings
):
    group = RespondentGroup.objects.get(code="dept_leader")
    Respondent.objects.bulk_create(
        RespondentFactory.build(campaign=survey, unit=units[("STP", "SNV", "STC")[i % 3]], group=group)
        for i in range(RESPONDENTS)
    )
    create_invitations(campaign=survey)
    assert queue_round(campaign=survey, channel="email", reminders=False).queued == RESPONDENTS
    mailer = settings.MAILERS["default"]["OPTIONS"]
    celery_workers.env.update(
        EMAIL_HOST=mailer["host"],
        EMAIL_PORT=str(mailer["port"]),
        SITE_URL=settings.SITE_URL,
        SENDING_LEASE_SECONDS=str(LEASE_SECONDS),
    )

    first = celery_workers.start()
    celery_workers.send(send_queued_task, survey.pk)
    wait_for(lambda: len(smtp_server.messages) >= KILL_AFTER, timeout=45, what=f"{KILL_AFTER} messages")
    celery_workers.kill(first)
    received_before_restart = len(smtp_server.messages)
    assert received_before_restart < RESPONDENTS  # killed mid-round
    dead_claims = Message.objects.filter(status=Message.Status.SENDING)
    assert dead_claims.exists()  # the killed worker's batch, claimed and left behind

    # The next run (a new worker) takes the dead worker's claims once they are older than the lease: wait
    # for that moment (read from the database), then queue the run.
    last_claim = dead_claims.aggregate(last=Max("claimed_at"))["last"]
    celery_workers.start()
    lease_over = last_claim + datetime.timedelta(seconds=LEASE_SECONDS, milliseconds=100)
    wait_for(lambda: timezone.now() > lease_over, timeout=LEASE_SECONDS + 5, what="the lease to run out")
    celery_workers.send(send_queued_task, survey.pk)
    wait_for(
        lambda: not Message.objects.exclude(status=Message.Status.SENT).exists(),
        timeout=60,
        what="every message sent",
    )

    received = message_ids_by_recipient(smtp_server)
    expected = set(Respondent.objects.values_list("email", flat=True))
    assert set(received) == expected  # nobody skipped
    # Each respondent got one message (one Message-ID, the one stored for them), not two different ones.
    stored = dict(Message.objects.values_list("to", "provider_id"))
    assert {to: set(ids) for to, ids in received.items()} == {to: {stored[to]} for to in expected}
    # At least once: only the message being handed over when the worker died may have arrived twice, with
    # the same Message-ID (one killed worker with one process: at most one copy more).
    copies = sum(ids.total() for ids in received.values())
    assert RESPONDENTS <= copies <= RESPONDENTS + 1
    assert len(smtp_server.messages) == copies
    attempts = collections.Counter(Message.objects.values_list("attempts", flat=True))
    assert set(attempts) <= {1, 2} and attempts[2] <= 50  # only the dead worker's batch was claimed twice
