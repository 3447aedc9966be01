"""Reminders to late units go through a real SMTP server (aiosmtpd on loopback)."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from respondents.models import ListReminder
from tests.factories import MembershipFactory, RespondentFactory, UserFactory

pytestmark = pytest.mark.integration


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    yield inbox
    controller.stop()


def test_late_units_focal_points_receive_one_reminder_each(
    client, campaign, units, coordinator, smtp_server, settings
):
    settings.SITE_URL = "https://khaosat.laocai.gov.vn"
    for code in ("SNV", "BATXAT"):
        user = UserFactory(username=f"dm-{code}", email=f"dm-{code.lower()}@laocai.gov.vn")
        MembershipFactory(user=user, province=campaign.province, role="focal_point", unit=units[code])
    RespondentFactory(campaign=campaign, unit=units["STP"])  # sent its list: no reminder
    client.force_login(coordinator)
    response = client.post(reverse("campaign-remind", args=[campaign.slug]), follow=True)
    assert response.status_code == 200
    recipients = sorted(r for rcpts, _ in smtp_server.messages for r in rcpts)
    assert recipients == ["dm-batxat@laocai.gov.vn", "dm-snv@laocai.gov.vn"]
    _, message = smtp_server.messages[0]
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject.startswith("Nhắc gửi danh sách")
    parts = {
        p.get_content_type(): p.get_payload(decode=True).decode()
        for p in message.walk()
        if not p.is_multipart()
    }
    # The link is the unit's own upload page on the public address, whatever Host the request came with.
    unit_code = "BATXAT" if "bát xát" in parts["text/plain"].lower() else "SNV"
    assert "10/12/2023" in parts["text/plain"]
    assert f"https://khaosat.laocai.gov.vn/campaigns/par-2023/units/{unit_code}/" in parts["text/plain"]
    assert "<strong>" in parts["text/html"]
    assert ListReminder.objects.count() == 2
    # Units with no focal point are named on the page so that the coordinator can phone them.
    assert "Chưa có email đầu mối" in response.content.decode()


def test_smtp_down_is_reported_and_nothing_is_logged_as_sent(client, campaign, units, coordinator, settings):
    user = UserFactory(username="dm", email="dm@laocai.gov.vn")
    MembershipFactory(user=user, province=campaign.province, role="focal_point", unit=units["SNV"])
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 2},
        }
    }
    client.force_login(coordinator)
    response = client.post(reverse("campaign-remind", args=[campaign.slug]), follow=True)
    assert "Không kết nối được máy chủ thư" in response.content.decode()
    assert not ListReminder.objects.exists()
