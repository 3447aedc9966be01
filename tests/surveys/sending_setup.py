"""Shared set-up for the sending tests: a surveyed campaign, and a real SMTP server (aiosmtpd on loopback).

The server counts SMTP sessions (one EHLO per connection) and can be told to refuse a recipient (550) or to
answer 421 "closing" to every message after the first N, as a server going down mid-batch does.
"""

import datetime
import email
import email.header
import socket

import pytest
from aiosmtpd.controller import Controller

from respondents.models import RespondentGroup
from tests.factories import QuestionnaireFactory, RespondentFactory

UNKNOWN_USER = "550 5.1.1 Recipient address rejected: User unknown"
MAILBOX_BUSY = "450 4.2.1 Mailbox busy, try again later"


class Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], email.message.Message]] = []
        self.connections = 0
        self.peers: set = set()
        self.refuse: dict[str, str] = {}  # address -> the reply to its RCPT TO
        self.accept_only: int | None = None  # after this many messages, answer 421 and keep nothing

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self.connections += 1
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.accept_only is not None and len(self.messages) >= self.accept_only:
            return "421 4.3.2 Service shutting down, closing transmission channel"
        self.peers.add(session.peer)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.messages for r in rcpts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def use_smtp(settings, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


def start_smtp(port: int) -> tuple[Inbox, Controller]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return inbox, controller


@pytest.fixture
def smtp_server(settings):
    port = free_port()
    inbox, controller = start_smtp(port)
    use_smtp(settings, port)
    yield inbox
    controller.stop()


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://khaosat.snv.laocai.gov.vn"
    return settings.SITE_URL


@pytest.fixture
def survey(campaign, units, site_url):
    """The PAR 2023 campaign open for answers, with one questionnaire for leaders and one for the council."""
    campaign.survey_opens = datetime.date.today() - datetime.timedelta(days=30)
    campaign.survey_closes = datetime.date.today() + datetime.timedelta(days=30)
    campaign.reminder_limit = 3
    campaign.reminder_interval_days = 3
    campaign.save()
    leaders = QuestionnaireFactory(campaign=campaign, code="lanh-dao")
    leaders.groups.set(RespondentGroup.objects.filter(code__in=["dept_leader", "division_leader"]))
    council = QuestionnaireFactory(campaign=campaign, code="hdnd", title="Phiếu đại biểu HĐND")
    council.groups.set(RespondentGroup.objects.filter(code="hdnd"))
    return campaign


def people(campaign, units, n: int, **kwargs):
    codes = ["STP", "SNV", "STC"]
    return [RespondentFactory(campaign=campaign, unit=units[codes[i % 3]], **kwargs) for i in range(n)]


def parts(message: email.message.Message) -> dict[str, str]:
    return {
        p.get_content_type(): p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8")
        for p in message.walk()
        if not p.is_multipart()
    }


def subject(message: email.message.Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))
