"""Invitations and reminders through a real SMTP server: contents, links, one connection, and crashes."""

import datetime
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from respondents.models import AddressSuppression, Respondent, RespondentGroup
from surveys.models import Invitation, InvitationToken, Message, MessageEvent, Questionnaire
from surveys.services.definitions import validate_definition
from surveys.services.delivery import record_bounce
from surveys.services.invitations import create_invitations
from surveys.services.messaging import MAX_ATTEMPTS, lease, queue_round, send_queued, sending
from surveys.services.tokens import hash_token, invitation_for_token
from surveys.services.unsubscribe import unsubscribe_token
from tests.factories import RespondentFactory
from tests.surveys import sending_setup
from tests.surveys.respondent_setup import COMPLETE, DEFINITION
from tests.surveys.sending_setup import (
    MAILBOX_BUSY,
    UNKNOWN_USER,
    free_port,
    parts,
    people,
    start_smtp,
    subject,
    use_smtp,
)

pytestmark = pytest.mark.integration

site_url, survey, smtp_server = sending_setup.site_url, sending_setup.survey, sending_setup.smtp_server

URL = r"https://khaosat\.snv\.laocai\.gov\.vn/s/([A-Za-z0-9_-]{24})/"


def send_invitations(*args, stderr=None) -> str:
    out = io.StringIO()
    if "--dry-run" not in args:
        args = (*args, "--yes")
    call_command("send_invitations", *args, stdout=out, stderr=stderr or io.StringIO())
    return out.getvalue()


def queue_invitations(campaign) -> None:
    create_invitations(campaign=campaign)
    queue_round(campaign=campaign, channel=Message.Channel.EMAIL, reminders=False)


def received_by(inbox) -> dict[str, int]:
    counts: dict[str, int] = {}
    for address in inbox.recipients():
        counts[address] = counts.get(address, 0) + 1
    return counts


def test_each_respondent_receives_one_invitation_whose_links_lead_to_their_own_invitation(
    survey, units, smtp_server, site_url
):
    respondents = people(survey, units, 4)
    out = send_invitations("--campaign", survey.slug)

    assert "sent 4" in out and "failed 0" in out
    assert smtp_server.recipients() == sorted(p.email for p in respondents)
    assert smtp_server.connections == 1 and len(smtp_server.peers) == 1  # one SMTP session for the batch
    for (recipient,), message in smtp_server.messages:
        respondent = next(p for p in respondents if p.email == recipient)
        body = parts(message)
        text_lines = body["text/plain"].splitlines()
        link_lines = [line for line in text_lines if re.search(URL, line)]
        # The personal link, then the no-reminders link: each alone on its line and short enough not to wrap.
        assert len(link_lines) == 2
        assert all(re.fullmatch(URL + "(no-reminders/)?", line) and len(line) < 78 for line in link_lines)
        token = re.fullmatch(URL, link_lines[0]).group(1)
        assert link_lines[1].endswith(f"/s/{token}/no-reminders/")
        hrefs = re.findall(r'href="(' + URL + r')"', body["text/html"])
        assert {href for href, _ in hrefs} == {link_lines[0]}
        assert InvitationToken.objects.filter(token_hash=hash_token(token)).exists()
        assert invitation_for_token(token).respondent == respondent
        assert respondent.full_name in body["text/plain"] and respondent.full_name in body["text/html"]
        assert survey.survey_closes.strftime("%d/%m/%Y") in body["text/plain"]
        assert survey.name in subject(message)
        stored = Message.objects.get(to=recipient)
        assert message["Message-ID"] == stored.provider_id == f"<msg-{stored.pk}@khaosat.snv.laocai.gov.vn>"
        # RFC 8058 one-click unsubscribe: a plain header (no encoded words) to this invitation's own link.
        invitation = stored.invitation
        header = message["List-Unsubscribe"]
        assert "=?" not in header  # never RFC 2047 encoded words, which providers do not read
        assert "".join(header.split()) == f"<{site_url}/u/{unsubscribe_token(invitation.pk, 'email')}/>"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_running_the_command_again_sends_nothing_more(survey, units, smtp_server):
    people(survey, units, 3)
    send_invitations("--campaign", survey.slug)
    out = send_invitations("--campaign", survey.slug)
    assert "queued 0" in out and "sent 0" in out
    assert len(smtp_server.messages) == 3
    assert Message.objects.filter(status=Message.Status.SENT).count() == 3


def test_dry_run_counts_per_channel_and_writes_nothing(survey, units, smtp_server):
    people(survey, units, 3)
    people(survey, units, 1, phone="")
    district = RespondentGroup.objects.get(code="district_leader")
    RespondentFactory(campaign=survey, unit=units["SAPA"], group=district)  # no questionnaire for them
    err = io.StringIO()
    out = send_invitations("--campaign", survey.slug, "--dry-run", stderr=err)
    assert "district_leader" in err.getvalue()
    assert "email: 4 invitations would be queued" in out
    assert "sms: 3 invitations would be queued, 1 without address" in out
    assert not Invitation.objects.exists() and not Message.objects.exists()
    assert smtp_server.messages == []


def test_every_attempt_is_recorded_as_an_event(survey, units, smtp_server):
    people(survey, units, 2)
    queue_invitations(survey)
    send_queued(campaign=survey)
    for message in Message.objects.all():
        assert list(message.events.values_list("status", "detail")) == [
            ("queued", message.to),
            ("sent", message.provider_id),
        ]
        assert (message.attempts, message.status) == (1, "sent")
        assert message.sent_at is not None and message.claimed_at is not None


def test_a_refused_recipient_fails_with_the_reason_and_the_batch_goes_on(survey, units, smtp_server):
    first, refused, last = people(survey, units, 3)
    smtp_server.refuse[refused.email] = UNKNOWN_USER
    queue_invitations(survey)
    report = send_queued(campaign=survey)
    assert (report.sent, report.failed) == (2, 1)
    assert smtp_server.recipients() == sorted([first.email, last.email])
    assert smtp_server.connections == 1
    failed = Message.objects.get(to=refused.email)
    assert failed.status == "failed" and "550" in failed.error and "User unknown" in failed.error
    assert list(failed.events.values_list("status", flat=True)) == ["queued", "failed"]


def test_a_temporary_refusal_is_retried_then_given_up_after_the_attempt_limit(survey, units, smtp_server):
    (busy,) = people(survey, units, 1)
    smtp_server.refuse[busy.email] = MAILBOX_BUSY
    queue_invitations(survey)
    message = Message.objects.get()
    for attempt in range(1, MAX_ATTEMPTS):
        assert send_queued(campaign=survey).requeued == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("queued", attempt)
        assert "450" in message.error
    assert send_queued(campaign=survey).failed == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", MAX_ATTEMPTS)
    assert smtp_server.messages == []


def test_smtp_down_requeues_with_the_reason_and_the_next_run_sends_once_it_is_back(survey, units, settings):
    respondents = people(survey, units, 3)
    port = free_port()
    use_smtp(settings, port)  # nothing listens there yet
    queue_invitations(survey)

    down = send_queued(campaign=survey)
    assert (down.sent, down.failed, down.requeued) == (0, 0, 3)
    assert len(down.outages) == 1 and "Connection refused" in down.outages[0]
    for message in Message.objects.all():
        assert (message.status, message.attempts) == ("queued", 0)  # an outage is not the message's fault
        assert "SMTP server unavailable" in message.error
        assert list(message.events.values_list("status", flat=True)) == ["queued", "queued"]
        assert "SMTP server unavailable" in message.events.last().detail

    inbox, controller = start_smtp(port)
    try:
        back = send_queued(campaign=survey)
    finally:
        controller.stop()
    assert (back.sent, back.requeued) == (3, 0)
    assert inbox.recipients() == sorted(p.email for p in respondents)
    assert set(Message.objects.values_list("status", "error")) == {("sent", "")}
    assert MessageEvent.objects.filter(status="queued").count() == 6  # queuing, and the outage on record


def test_a_server_closing_mid_batch_loses_nobody_and_duplicates_nobody(survey, units, smtp_server):
    respondents = people(survey, units, 5)
    smtp_server.accept_only = 2  # then "421 closing" and the connection is gone
    queue_invitations(survey)
    first = send_queued(campaign=survey)
    assert (first.sent, first.requeued) == (2, 3) and first.outages
    assert Message.objects.filter(status="queued").count() == 3

    smtp_server.accept_only = None
    second = send_queued(campaign=survey)
    assert (second.sent, second.requeued) == (3, 0)
    assert received_by(smtp_server) == {p.email: 1 for p in respondents}


class WorkerCrash(BaseException):
    """Stands for a killed worker: nothing in the sending code may catch it."""


def test_a_worker_crash_mid_batch_is_recovered_after_the_lease_without_skipping_anyone(
    survey, units, smtp_server, monkeypatch
):
    respondents = people(survey, units, 5)
    queue_invitations(survey)
    build, built = sending._email, []

    def die_on_the_third(message, token, **kwargs):
        # Two e-mails have been handed over; the second one's outcome was committed with the third
        # message's claim renewal, then the worker dies while building the third.
        built.append(message.pk)
        if len(built) == 3:
            raise WorkerCrash
        return build(message, token, **kwargs)

    monkeypatch.setattr(sending, "_email", die_on_the_third)
    with pytest.raises(WorkerCrash):
        send_queued(campaign=survey)
    monkeypatch.undo()
    assert Message.objects.filter(status="sent").count() == 2
    assert Message.objects.filter(status="sending").count() == 3  # claimed by the dead worker

    assert send_queued(campaign=survey).sent == 0  # their claim is still fresh: nobody takes them yet
    later = timezone.now() + lease() + datetime.timedelta(minutes=1)
    assert send_queued(campaign=survey, now=later).sent == 3
    assert received_by(smtp_server) == {p.email: 1 for p in respondents}
    assert sorted(Message.objects.values_list("attempts", flat=True)) == [1, 1, 2, 2, 2]


def test_sending_respects_the_limit_and_the_campaign(survey, units, smtp_server):
    people(survey, units, 5)
    queue_invitations(survey)
    assert send_queued(campaign=survey, limit=2).sent == 2
    assert send_queued(campaign=survey, batch_size=2).sent == 3
    assert smtp_server.connections == 3  # one per batch: 2, then 2 + 1


def test_a_queued_reminder_is_cancelled_when_the_respondent_answers_before_it_leaves(
    survey, units, smtp_server
):
    people(survey, units, 2)
    queue_invitations(survey)
    answered = Invitation.objects.first()
    Invitation.objects.filter(pk=answered.pk).update(submitted_at=timezone.now())
    report = send_queued(campaign=survey)
    assert (report.sent, report.failed) == (1, 1)
    cancelled = Message.objects.get(invitation=answered)
    assert cancelled.status == "failed" and cancelled.error.startswith("cancelled")
    assert answered.respondent.email not in smtp_server.recipients()


def test_reminders_use_the_reminder_template_and_count_their_sequence(survey, units, smtp_server):
    (person,) = people(survey, units, 1)
    queue_invitations(survey)
    send_queued(campaign=survey)
    later = timezone.now() + datetime.timedelta(days=survey.reminder_interval_days, minutes=1)
    assert queue_round(campaign=survey, channel="email", reminders=True, now=later).queued == 1
    assert send_queued(campaign=survey, now=later).sent == 1
    reminder = Message.objects.get(kind="reminder")
    assert (reminder.sequence, reminder.status) == (1, "sent")
    invitation_subject, reminder_subject = (subject(m) for _, m in smtp_server.messages)
    assert invitation_subject != reminder_subject and survey.name in reminder_subject
    tokens = [re.search(URL, parts(m)["text/plain"]).group(1) for _, m in smtp_server.messages]
    assert tokens[0] != tokens[1]  # a fresh token per message, and both still lead to the invitation
    assert {invitation_for_token(t).respondent for t in tokens} == {person}


def test_a_bounce_marks_the_email_bounced(survey, units, smtp_server):
    people(survey, units, 1)
    queue_invitations(survey)
    send_queued(campaign=survey)
    message = Message.objects.get()
    bounced = record_bounce(provider_id=message.provider_id.strip("<>"), reason="550 5.1.1 mailbox unknown")
    assert bounced == message
    message.refresh_from_db()
    assert (message.status, message.error) == ("bounced", "550 5.1.1 mailbox unknown")
    assert message.events.last().status == "bounced"
    assert record_bounce(provider_id="<msg-999999@elsewhere>", reason="x") is None


def test_the_command_exits_1_when_the_mail_server_is_down_and_keeps_the_messages_queued(
    survey, units, settings
):
    people(survey, units, 2)
    use_smtp(settings, free_port())
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_status:
        send_invitations("--campaign", survey.slug, stderr=err)
    assert exit_status.value.code == 1
    assert "SMTP server unavailable" in err.getvalue()
    assert set(Message.objects.values_list("status", flat=True)) == {"queued"}


def test_a_message_to_a_respondent_retired_from_the_list_is_cancelled_at_send_time(
    survey, units, smtp_server
):
    staying, retired = people(survey, units, 2)
    queue_invitations(survey)
    retired.retired_at = timezone.now()
    retired.save()
    report = send_queued(campaign=survey)
    assert (report.sent, report.failed) == (1, 1)
    assert smtp_server.recipients() == [staying.email]
    cancelled = Message.objects.get(invitation__respondent=retired)
    assert cancelled.status == "failed" and "retired" in cancelled.error


def test_an_email_goes_to_the_respondents_current_address_and_the_change_is_recorded(
    survey, units, smtp_server
):
    (person,) = people(survey, units, 1)
    queue_invitations(survey)
    old = person.email
    person.email = "dia.chi.moi@laocai.gov.vn"
    person.save()
    assert send_queued(campaign=survey).sent == 1
    assert smtp_server.recipients() == ["dia.chi.moi@laocai.gov.vn"]
    message = Message.objects.get()
    assert message.to == "dia.chi.moi@laocai.gov.vn"
    assert list(message.events.values_list("status", flat=True)) == ["queued", "sending", "sent"]
    assert (
        message.events.get(status="sending").detail
        == f"recipient changed: {old} -> dia.chi.moi@laocai.gov.vn"
    )


def test_a_message_whose_respondent_lost_the_address_is_cancelled(survey, units, smtp_server):
    (person,) = people(survey, units, 1)
    queue_invitations(survey)
    person.email = ""
    person.save()
    assert send_queued(campaign=survey).failed == 1
    assert Message.objects.get().status == "failed" and smtp_server.messages == []


def test_a_slow_worker_skips_a_message_another_worker_took_over_after_the_lease(
    survey, units, smtp_server, monkeypatch
):
    respondents = people(survey, units, 3)
    queue_invitations(survey)
    second = Message.objects.order_by("pk")[1]
    taken_at = timezone.now() + lease() + datetime.timedelta(minutes=1)
    current_state, calls = sending._current_state, []

    def slow_worker(message):
        # While this worker hands over the first message, its lease runs out and another worker
        # claims the second one (it is marked `sending` again with the other worker's claim time).
        calls.append(message.pk)
        if len(calls) == 1:
            Message.objects.filter(pk=second.pk).update(claimed_at=taken_at, attempts=2)
        return current_state(message)

    monkeypatch.setattr(sending, "_current_state", slow_worker)
    report = send_queued(campaign=survey)
    assert (report.sent, report.taken_over) == (2, 1)
    assert smtp_server.recipients() == sorted(p.email for p in respondents if p.email != second.to)
    second.refresh_from_db()
    assert (second.status, second.claimed_at, second.events.count()) == ("sending", taken_at, 1)


def test_the_link_in_the_received_email_opens_the_questionnaire_and_takes_a_submission(
    client, survey, units, smtp_server
):
    result = validate_definition({**DEFINITION, "groups": ["dept_leader", "division_leader"]})
    Questionnaire.objects.filter(campaign=survey, code="lanh-dao").update(definition=result.definition)
    (person,) = people(survey, units, 1)
    send_invitations("--campaign", survey.slug)
    ((_recipients, message),) = smtp_server.messages
    link = next(line for line in parts(message)["text/plain"].splitlines() if re.fullmatch(URL, line))
    path = urlsplit(link).path

    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert person.full_name in html and 'name="q1"' in html
    submit_path = reverse("survey-submit", args=[path.strip("/").rsplit("/", 1)[1]])
    assert f'action="{submit_path}"' in html

    response = client.post(submit_path, COMPLETE)
    assert response.status_code == 302 and response["Location"] == f"{path}thanks/"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and 'data-page="thanks"' in thanks.content.decode()
    invitation = Invitation.objects.get(respondent=person)
    assert invitation.submitted_at is not None and invitation.response.answers["q4"] == 4


@pytest.mark.parametrize("stored", ["Nga.Tran@LaoCai.gov.vn", " nga.tran@laocai.gov.vn\t"])
def test_an_address_suppressed_after_queuing_is_cancelled_as_the_list_spells_it_whatever_its_case(
    survey, units, smtp_server, stored
):
    (person, other) = people(survey, units, 2)
    queue_invitations(survey)
    Respondent.objects.filter(pk=person.pk).update(email=stored)
    AddressSuppression.objects.create(channel="email", address="nga.tran@laocai.gov.vn", reason="opt_out")
    AddressSuppression.objects.create(
        channel="email", address=other.email.lower(), reason="opt_out", lifted_at=timezone.now()
    )
    report = send_queued(campaign=survey)
    assert (report.sent, report.failed) == (1, 1)
    cancelled = Message.objects.get(invitation__respondent=person)
    assert cancelled.status == "failed" and "suppression list" in cancelled.error
    assert smtp_server.recipients() == [other.email]  # a lifted suppression stops nothing


def _mailbox(message, name: str) -> tuple[str, str]:
    """A header's display name (decoded as RFC 2047 says) and address, as a mail client shows them."""
    import email.header
    import email.utils

    display, address = email.utils.parseaddr(str(message[name]).replace("\r\n", "").replace("\n", ""))
    return str(email.header.make_header(email.header.decode_header(display))), address


@pytest.mark.parametrize(
    ("sender", "written_by"),
    [
        ("Sở Nội vụ tỉnh Lào Cai <khaosat@snv.laocai.gov.vn>", "kit.mime"),
        # Encoded words in the setting itself: left to the standard library, which decodes them.
        ("=?utf-8?b?U+G7nyBO4buZaSB24bulIHThu4luaCBMw6BvIENhaQ==?= <khaosat@snv.laocai.gov.vn>", "stdlib"),
    ],
)
def test_the_received_email_names_the_sender_and_the_respondent_as_the_list_spells_them(
    survey, units, smtp_server, settings, monkeypatch, sender, written_by
):
    from kit import mime

    settings.DEFAULT_FROM_EMAIL = sender
    built = []
    original = mime.build_alternative
    monkeypatch.setattr(mime, "build_alternative", lambda **kw: built.append(original(**kw)) or built[-1])
    long_name = "Công Tằng Tôn Nữ Hoàng Thị Thanh Xuân Nguyễn Phước Bảo Ngọc"  # more than one encoded word
    respondents = [
        *people(survey, units, 1, full_name=long_name),
        # Quotes in a name: the standard library's path drops them (it folds the name's encoded words
        # from a quoted string); kit.mime keeps them.
        *people(survey, units, 1, full_name='Trần, Văn "Ba"' if written_by == "kit.mime" else "Trần, Văn Ba"),
        *people(survey, units, 1, full_name="Lê Thị Bốn"),
    ]
    out = send_invitations("--campaign", survey.slug)

    assert "sent 3" in out
    assert sum(data is not None for data in built) == (3 if written_by == "kit.mime" else 0)
    for (recipient,), message in smtp_server.messages:
        respondent = next(p for p in respondents if p.email == recipient)
        assert _mailbox(message, "To") == (respondent.full_name, respondent.email)
        assert _mailbox(message, "From") == ("Sở Nội vụ tỉnh Lào Cai", "khaosat@snv.laocai.gov.vn")
        assert survey.name in subject(message)
        assert respondent.full_name in parts(message)["text/plain"]
        # Folded within 78 characters, but for a single word that cannot be broken (a long address).
        head = message.as_string().split("\n\n", 1)[0]
        for line in head.splitlines():
            word = line.strip() if line.startswith(" ") else line.partition(": ")[2]
            assert len(line) <= 78 or " " not in word, line
