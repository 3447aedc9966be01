"""Delivery that respects bounces and opt-outs, against the real SMTP test server (aiosmtpd) and a real IMAP
mailbox (tests/surveys/imap_server.py): a hard bounce or a permanent failure stops that channel for that
person and shows on the unit's page; a corrected address is invited again; one-click unsubscribe (RFC 8058)
and the opt-out link are kept across campaigns until the coordinator lifts them; mail scanners that fetch
links open nothing and unsubscribe nobody."""

import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from respondents.models import AddressSuppression
from surveys.models import Invitation, Message
from surveys.services.definitions import validate_definition
from surveys.services.invitations import create_invitations
from surveys.services.messaging import queue_round, send_queued
from tests.factories import CampaignFactory, QuestionnaireFactory, RespondentFactory
from tests.surveys import sending_setup
from tests.surveys.imap_server import ImapServer, Mailbox
from tests.surveys.respondent_setup import DEFINITION
from tests.surveys.sending_setup import UNKNOWN_USER, people
from tests.surveys.test_bounces import dsn, failed, original

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
site_url, survey, smtp_server = sending_setup.site_url, sending_setup.survey, sending_setup.smtp_server

UNSUBSCRIBE = re.compile(r"^<(https?://[^>]+/u/([^/>]+)/)>$")


def invite_and_send(campaign) -> None:
    create_invitations(campaign=campaign)
    queue_round(campaign=campaign, channel="email", reminders=False)
    send_queued(campaign=campaign)


def due_reminders(campaign) -> tuple[int, int]:
    later = timezone.now() + datetime.timedelta(days=campaign.reminder_interval_days, minutes=1)
    report = queue_round(campaign=campaign, channel="email", reminders=True, now=later)
    return report.queued, report.suppressed


def received(inbox, address: str):
    return [m for rcpts, m in inbox.messages if address in rcpts]


@pytest.fixture
def mailbox(settings):
    box = Mailbox()
    server = ImapServer(box).start()
    settings.BOUNCE_IMAP_HOST, settings.BOUNCE_IMAP_PORT, settings.BOUNCE_IMAP_SSL = (
        "127.0.0.1",
        server.port,
        False,
    )
    settings.BOUNCE_IMAP_USER, settings.BOUNCE_IMAP_PASSWORD = box.user, box.password
    yield box
    server.stop()


def test_a_hard_bounce_from_the_mailbox_stops_reminders_shows_on_the_unit_page_and_a_correction_is_invited(
    survey, units, smtp_server, mailbox, client, focal_stp
):
    ghost, other = people(survey, units, 2)  # STP and SNV
    invite_and_send(survey)
    sent = Message.objects.get(to=ghost.email)
    (mail,) = received(smtp_server, ghost.email)
    assert mail["Message-ID"] == sent.provider_id
    # The bounce arrives in the mailbox on its own; the poll reads it (and only once).
    mailbox.messages.append(dsn(original(mail["Message-ID"], ghost.email), failed(ghost.email)))
    mailbox.messages.append(b"From: a@b.vn\r\nSubject: out of office\r\n\r\nI am away.\r\n")
    out = io.StringIO()
    call_command("poll_bounces", stdout=out)
    assert out.getvalue().strip() == "read 2, bounced 1, ignored 1"
    assert mailbox.seen == {1, 2}
    call_command("poll_bounces", stdout=out)
    assert out.getvalue().splitlines()[-1] == "read 0, bounced 0, ignored 0"
    sent.refresh_from_db()
    assert sent.status == "bounced"
    suppression = AddressSuppression.objects.get()
    assert (suppression.channel, suppression.address, suppression.reason) == ("email", ghost.email, "bounced")
    # No reminder to the bounced address; the other person gets theirs.
    assert due_reminders(survey) == (1, 1)
    assert Message.objects.filter(kind="reminder").get().to == other.email
    # The unit's focal point sees it on the unit's page.
    client.force_login(focal_stp)
    page = client.get(reverse("unit", args=[survey.slug, ghost.unit.code])).content.decode()
    assert f'data-problem="{ghost.pk}"' in page and ghost.email in page
    # Corrected (as a re-import would): the new address is invited again, at once.
    ghost.email = "nguyen.van.a@stp.laocai.gov.vn"
    ghost.save()
    assert queue_round(campaign=survey, channel="email", reminders=False).queued == 1
    send_queued(campaign=survey)
    again = Message.objects.get(to="nguyen.van.a@stp.laocai.gov.vn")
    assert (again.kind, again.sequence, again.status) == ("invitation", 1, "sent")
    assert len(received(smtp_server, "nguyen.van.a@stp.laocai.gov.vn")) == 1
    assert queue_round(campaign=survey, channel="email", reminders=False).queued == 0  # once
    page = client.get(reverse("unit", args=[survey.slug, ghost.unit.code])).content.decode()
    assert "data-delivery-problems" not in page


def test_the_poll_says_so_when_the_mailbox_refuses_the_login(settings, mailbox):
    settings.BOUNCE_IMAP_PASSWORD = "wrong"
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("poll_bounces", stderr=err)
    assert stopped.value.code == 1 and "could not be read" in err.getvalue()


def test_without_a_mailbox_the_poll_is_a_usage_error(settings):
    settings.BOUNCE_IMAP_HOST = ""
    with pytest.raises(CommandError, match="BOUNCE_IMAP_HOST"):
        call_command("poll_bounces")


def test_a_refused_recipient_is_a_permanent_failure_that_stops_that_channel(survey, units, smtp_server):
    refused, fine = people(survey, units, 2)
    smtp_server.refuse[refused.email] = UNKNOWN_USER
    invite_and_send(survey)
    assert Message.objects.get(to=refused.email).status == "failed"
    assert AddressSuppression.objects.get().reason == "failed"
    assert due_reminders(survey)[0] == 1
    assert Message.objects.get(kind="reminder").to == fine.email
    assert queue_round(campaign=survey, channel="email", reminders=False).queued == 0  # not retried as is


def test_a_providers_webhook_reports_a_bounce_with_its_shared_secret(survey, units, smtp_server, settings):
    settings.BOUNCE_WEBHOOK_SECRET = "s3cret-webhook"
    (person,) = people(survey, units, 1)
    invite_and_send(survey)
    sent = Message.objects.get()
    url = reverse("bounce-webhook")
    body = json.dumps([{"message_id": sent.provider_id, "type": "hard", "reason": "550 5.1.1 no such user"},
                       {"message_id": sent.provider_id, "type": "soft"}])  # fmt: skip
    client = Client(enforce_csrf_checks=True)
    assert client.post(url, body, content_type="application/json").status_code == 403
    wrong = client.post(url, body, content_type="application/json", headers={"X-Bounce-Secret": "guess"})
    assert wrong.status_code == 403
    reply = client.post(
        url, body, content_type="application/json", headers={"X-Bounce-Secret": "s3cret-webhook"}
    )
    assert reply.status_code == 200 and reply.json() == {"marked": 1}
    sent.refresh_from_db()
    assert sent.status == "bounced" and sent.error == "550 5.1.1 no such user"
    assert AddressSuppression.objects.filter(address=person.email, reason="bounced").exists()


def test_one_click_unsubscribe_from_the_email_stops_reminders_here_and_messages_in_the_next_campaign(
    survey, units, smtp_server, client, coordinator, site_url
):
    person, other = people(survey, units, 2)
    invite_and_send(survey)
    (mail,) = received(smtp_server, person.email)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url, token = UNSUBSCRIBE.match("".join(mail["List-Unsubscribe"].split())).groups()
    path = url.removeprefix(site_url)
    # A link scanner's GET shows a button and changes nothing.
    scanner = Client(enforce_csrf_checks=True)
    assert scanner.get(path).status_code == 200
    assert not AddressSuppression.objects.exists()
    # The mail provider's one-click POST: no CSRF token, the signed token is the authentication.
    reply = scanner.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 200 and "data-unsubscribed" in reply.content.decode()
    suppression = AddressSuppression.objects.get()
    assert (suppression.channel, suppression.address, suppression.reason) == (
        "email",
        person.email,
        "opt_out",
    )
    assert suppression.created_at is not None and suppression.campaign == survey
    assert Invitation.objects.get(respondent=person).reminders_opt_out
    assert due_reminders(survey) == (1, 0)  # the opted-out invitation is not even due
    # A forged or altered token unsubscribes nobody.
    assert (
        scanner.post(path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))).status_code == 404
    )
    assert (
        scanner.post(
            reverse("unsubscribe", args=[f"{Invitation.objects.get(respondent=other).pk}-e-AAAAAAAAAAAAAAAA"])
        ).status_code
        == 404
    )
    # Next year's campaign: the same address is still suppressed, until the coordinator lifts it.
    nxt = CampaignFactory(province=survey.province, slug="par-2024", year=2024,
                          survey_closes=datetime.date.today() + datetime.timedelta(days=9))  # fmt: skip
    nxt.units.set(survey.units.all())
    QuestionnaireFactory(campaign=nxt, code="lanh-dao").groups.set(nxt.groups.filter(code="dept_leader"))
    RespondentFactory(campaign=nxt, unit=person.unit, email=person.email, group=person.group)
    create_invitations(campaign=nxt)
    report = queue_round(campaign=nxt, channel="email", reminders=False)
    assert (report.queued, report.suppressed) == (0, 1)
    client.force_login(coordinator)
    page = client.get(reverse("campaign-suppressions", args=[nxt.slug])).content.decode()
    assert f'data-suppression="{suppression.pk}"' in page
    client.post(
        reverse("campaign-suppressions", args=[nxt.slug]), {"suppression": suppression.pk, "reason": ""}
    )
    assert AddressSuppression.objects.get().lifted_at is None  # a reason is required
    client.post(reverse("campaign-suppressions", args=[nxt.slug]),
                {"suppression": suppression.pk, "reason": "asked by phone on 3/12"})  # fmt: skip
    suppression.refresh_from_db()
    assert suppression.lifted_at is not None and suppression.lifted_by == coordinator
    assert queue_round(campaign=nxt, channel="email", reminders=False).queued == 1


def test_the_opt_out_link_suppresses_both_channels_of_the_person(survey, units, smtp_server, client):
    (person,) = people(survey, units, 1)
    invite_and_send(survey)
    (mail,) = received(smtp_server, person.email)
    text = (
        next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
    )
    link = next(line for line in text.splitlines() if line.endswith("/no-reminders/"))
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200 and not AddressSuppression.objects.exists()
    assert client.post(path).status_code == 302
    assert set(AddressSuppression.objects.values_list("channel", "address", "reason")) == {
        ("email", person.email, "opt_out"),
        ("sms", person.phone, "opt_out"),
    }


def test_a_mail_scanner_fetching_every_link_opens_nothing(survey, units, smtp_server, client, site_url):
    survey.questionnaires.update(definition=validate_definition(DEFINITION).definition)
    (person,) = people(survey, units, 1)
    invite_and_send(survey)
    (mail,) = received(smtp_server, person.email)
    html = (
        next(p for p in mail.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    )
    unsubscribe = UNSUBSCRIBE.match("".join(mail["List-Unsubscribe"].split())).group(1)
    links = set(re.findall(r'href="([^"]+)"', html)) | {unsubscribe}
    scanner = Client()  # Safe Links and antivirus fetch with GET (and HEAD), run no script, post nothing
    for link in links:
        assert scanner.get(link.removeprefix(site_url)).status_code == 200
        scanner.head(link.removeprefix(site_url))
    invitation = Invitation.objects.get(respondent=person)
    assert invitation.opened_at is None and not invitation.reminders_opt_out
    assert not AddressSuppression.objects.exists()
    token = re.search(r"/s/([^/]+)/", next(link for link in links if "/s/" in link)).group(1)
    assert client.post(reverse("survey-opened", args=[token])).status_code == 204  # the page's script
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_the_command_asks_before_sending_and_sends_nothing_without_a_yes(survey, units, smtp_server):
    people(survey, units, 2)
    with pytest.raises(CommandError, match=r"send email invitations to 2 people of par-2023.*--yes"):
        call_command("send_invitations", "--campaign", survey.slug, stdout=io.StringIO())
    assert smtp_server.messages == [] and not Message.objects.exists()
