"""Which invitations and reminders a round queues, and that queuing twice queues nothing new."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Invitation, Message, Response
from surveys.services.invitations import create_invitations
from surveys.services.messaging import queue_round
from tests.factories import InvitationFactory, MessageFactory, RespondentFactory
from tests.surveys import sending_setup
from tests.surveys.sending_setup import people

site_url, survey = sending_setup.site_url, sending_setup.survey  # fixtures

NOW = timezone.now()
EMAIL, SMS = Message.Channel.EMAIL, Message.Channel.SMS
INV, REM = Message.Kind.INVITATION, Message.Kind.REMINDER
SENT, DELIVERED, QUEUED, FAILED, BOUNCED = "sent", "delivered", "queued", "failed", "bounced"


def invitation_with(campaign, units, history=(), **respondent):
    """An invitation whose past messages are (channel, kind, sequence, status, days ago or None)."""
    invitation = InvitationFactory(
        respondent=RespondentFactory(campaign=campaign, unit=units["STP"], **respondent)
    )
    for channel, kind, sequence, status, days_ago in history:
        MessageFactory(
            invitation=invitation,
            channel=channel,
            kind=kind,
            sequence=sequence,
            status=status,
            to="x",
            sent_at=NOW - datetime.timedelta(days=days_ago) if days_ago is not None else None,
        )
    return invitation


def queued_reminder(invitation, channel):
    """The sequence of the reminder this round queued (history rows have to="x"), or None."""
    found = invitation.messages.filter(channel=channel, kind=REM, status=QUEUED).exclude(to="x")
    return found.get().sequence if found.exists() else None


# Campaign policy in these cases: at most 3 reminders per respondent (all channels), at least 3 days apart.
REMINDER_CASES = [
    ("invitation e-mail sent 3 days ago: first reminder", EMAIL, [(EMAIL, INV, 0, SENT, 3)], 1),
    ("invitation e-mail sent 2 days ago: too early", EMAIL, [(EMAIL, INV, 0, SENT, 2)], None),
    ("delivered counts as sent", EMAIL, [(EMAIL, INV, 0, DELIVERED, 5)], 1),
    ("invitation still queued: no reminder", EMAIL, [(EMAIL, INV, 0, QUEUED, None)], None),
    ("invitation failed: no reminder", EMAIL, [(EMAIL, INV, 0, FAILED, None)], None),
    ("never invited: no reminder", EMAIL, [], None),
    ("one reminder 4 days ago: the second", EMAIL, [(EMAIL, INV, 0, SENT, 10), (EMAIL, REM, 1, SENT, 4)], 2),
    ("one reminder yesterday: wait", EMAIL, [(EMAIL, INV, 0, SENT, 10), (EMAIL, REM, 1, SENT, 1)], None),
    (
        "three reminders: the limit is reached",
        EMAIL,
        [
            (EMAIL, INV, 0, SENT, 20),
            (EMAIL, REM, 1, SENT, 12),
            (EMAIL, REM, 2, SENT, 8),
            (EMAIL, REM, 3, SENT, 4),
        ],
        None,
    ),
    (
        "a reminder still queued: nothing more",
        EMAIL,
        [(EMAIL, INV, 0, SENT, 10), (EMAIL, REM, 1, QUEUED, None)],
        None,
    ),
    (
        "a failed reminder counts toward the limit",
        EMAIL,
        [(EMAIL, INV, 0, SENT, 10), (EMAIL, REM, 1, FAILED, None)],
        2,
    ),
    ("SMS reminder after an e-mail invitation", SMS, [(EMAIL, INV, 0, SENT, 5)], 1),
    ("SMS reminder: the e-mail went yesterday", SMS, [(EMAIL, INV, 0, SENT, 1)], None),
    ("SMS reminder when the invitation e-mail bounced", SMS, [(EMAIL, INV, 0, BOUNCED, 5)], 1),
    (
        "an SMS reminder after an e-mail reminder is the respondent's second",
        SMS,
        [(EMAIL, INV, 0, SENT, 9), (EMAIL, REM, 1, SENT, 4)],
        2,
    ),
    (
        "three e-mail reminders: no SMS reminder either, the limit is per respondent",
        SMS,
        [
            (EMAIL, INV, 0, SENT, 20),
            (EMAIL, REM, 1, SENT, 12),
            (EMAIL, REM, 2, SENT, 8),
            (EMAIL, REM, 3, SENT, 4),
        ],
        None,
    ),
    (
        "two e-mail reminders and one SMS reminder reach the limit on e-mail",
        EMAIL,
        [
            (EMAIL, INV, 0, SENT, 20),
            (EMAIL, REM, 1, SENT, 12),
            (SMS, REM, 2, SENT, 8),
            (EMAIL, REM, 3, SENT, 4),
        ],
        None,
    ),
    (
        "one e-mail and one SMS reminder: the third goes by SMS",
        SMS,
        [(EMAIL, INV, 0, SENT, 20), (EMAIL, REM, 1, SENT, 12), (SMS, REM, 2, SENT, 8)],
        3,
    ),
    ("the last SMS was yesterday", SMS, [(EMAIL, INV, 0, SENT, 9), (SMS, REM, 1, SENT, 1)], None),
]


@pytest.mark.parametrize(
    ("case", "channel", "history", "expected"), REMINDER_CASES, ids=[c[0] for c in REMINDER_CASES]
)
def test_reminder_policy(survey, units, case, channel, history, expected):
    invitation = invitation_with(survey, units, history)
    report = queue_round(campaign=survey, channel=channel, reminders=True, now=NOW)
    assert queued_reminder(invitation, channel) == expected
    assert report.queued == (0 if expected is None else 1)


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("submitted", {"submitted_at": NOW}),
        ("asked for no reminders", {"reminders_opt_out": True}),
    ],
)
def test_no_reminder_for_respondents_who_(survey, units, case, change):
    invitation = invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 5)])
    Invitation.objects.filter(pk=invitation.pk).update(**change)
    assert queue_round(campaign=survey, channel=EMAIL, reminders=True, now=NOW).queued == 0


def test_no_reminder_when_a_submitted_response_exists_without_the_invitation_timestamp(survey, units):
    invitation = invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 5)])
    Response.objects.create(
        campaign=survey, questionnaire=invitation.questionnaire, invitation=invitation, status="submitted"
    )
    assert queue_round(campaign=survey, channel=EMAIL, reminders=True, now=NOW).queued == 0


def test_no_reminder_for_a_retired_respondent(survey, units):
    invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 5)], retired_at=NOW)
    assert queue_round(campaign=survey, channel=EMAIL, reminders=True, now=NOW).queued == 0


def test_a_respondent_without_a_phone_is_counted_not_texted(survey, units):
    invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 5)], phone="")
    report = queue_round(campaign=survey, channel=SMS, reminders=True, now=NOW)
    assert (report.queued, report.no_address) == (0, 1)


def test_the_limit_and_interval_are_the_campaigns(survey, units):
    survey.reminder_limit, survey.reminder_interval_days = 1, 7
    survey.save()
    due = invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 7)])
    early = invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 6)])
    spent = invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 30), (EMAIL, REM, 1, SENT, 20)])
    queue_round(campaign=survey, channel=EMAIL, reminders=True, now=NOW)
    assert [queued_reminder(i, EMAIL) for i in (due, early, spent)] == [1, None, None]


def test_each_queued_message_gets_one_queued_event_with_its_address(survey, units):
    people(survey, units, 3)
    create_invitations(campaign=survey)
    assert queue_round(campaign=survey, channel=EMAIL, reminders=False, now=NOW).queued == 3
    assert queue_round(campaign=survey, channel=EMAIL, reminders=False, now=NOW).queued == 0
    for message in Message.objects.all():
        assert list(message.events.values_list("status", "detail")) == [(QUEUED, message.to)]


def test_queuing_reminders_twice_queues_nothing_new(survey, units):
    for _ in range(3):
        invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 5)])
    assert queue_round(campaign=survey, channel=EMAIL, reminders=True, now=NOW).queued == 3
    assert queue_round(campaign=survey, channel=EMAIL, reminders=True, now=NOW).queued == 0
    assert Message.objects.filter(kind=REM).count() == 3


def test_invitations_are_queued_once_per_invitation_and_channel(survey, units):
    people(survey, units, 3)
    RespondentFactory(campaign=survey, unit=units["SNV"], email="")
    create_invitations(campaign=survey)
    email = queue_round(campaign=survey, channel=EMAIL, reminders=False, now=NOW)
    assert (email.queued, email.no_address) == (3, 1)
    assert queue_round(campaign=survey, channel=SMS, reminders=False, now=NOW).queued == 4
    assert queue_round(campaign=survey, channel=EMAIL, reminders=False, now=NOW).queued == 0
    rows = Message.objects.filter(channel=EMAIL).values_list("kind", "sequence", "status")
    assert sorted(rows) == [(INV, 0, QUEUED)] * 3
    assert set(Message.objects.filter(channel=EMAIL).values_list("to", flat=True)) == set(
        Invitation.objects.exclude(respondent__email="").values_list("respondent__email", flat=True)
    )


def test_no_invitation_is_queued_for_someone_who_already_answered(survey, units):
    invitation = invitation_with(survey, units)
    Invitation.objects.filter(pk=invitation.pk).update(submitted_at=NOW)
    assert queue_round(campaign=survey, channel=EMAIL, reminders=False, now=NOW).queued == 0


def test_nothing_is_queued_once_the_survey_is_closed(survey, units):
    invitation_with(survey, units, [(EMAIL, INV, 0, SENT, 5)])
    survey.survey_closes = (NOW - datetime.timedelta(days=1)).date()
    survey.save()
    report = queue_round(campaign=survey, channel=EMAIL, reminders=True, now=NOW)
    assert report.survey_closed and report.queued == 0
