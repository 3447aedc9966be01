"""SMS: segment counting, unaccented text when it is cheaper, and sending through the Twilio SDK."""

import datetime

import pytest
import requests
from django.urls import reverse
from django.utils import timezone, translation

from surveys.models import Message
from surveys.services import sms
from surveys.services.invitations import create_invitations
from surveys.services.messaging import queue_round, send_queued
from surveys.services.sms import (
    SMS_LABEL_MAX,
    fewest_segments,
    is_gsm7,
    segments,
    sms_label,
    sms_text,
    unaccent,
)
from surveys.services.tokens import invitation_for_token
from tests.surveys import sending_setup
from tests.surveys.fake_twilio import FakeTwilioHttpClient
from tests.surveys.sending_setup import people

site_url, survey, smtp_server = sending_setup.site_url, sending_setup.survey, sending_setup.smtp_server

ACCOUNT = "AC" + "0123456789abcdef" * 2
TOKEN = "twilio-auth-token-for-tests"
SENDER = "+15005550006"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("a", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("é" * 160, 1),  # é is in the GSM-7 alphabet
        ("€" * 80, 1),  # extension characters take two septets: 160
        ("€" * 81, 2),
        ("a" * 152 + "€" + "a" * 8, 2),  # 162 septets; the escape pair is not split
        ("ả" * 70, 1),  # Vietnamese diacritics: UCS-2
        ("ả" * 71, 2),
        ("ả" * 134, 2),
        ("ả" * 135, 3),
        ("a" * 159 + "ả", 3),  # one accented letter makes the whole text UCS-2
        ("😀" * 35, 1),  # a surrogate pair is two UTF-16 units
        ("😀" * 36, 2),
    ],
)
def test_segments(text, expected):
    assert segments(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sở Nội vụ tỉnh Đắk Lắk", "So Noi vu tinh Dak Lak"),
        ("Khảo sát PAR INDEX", "Khao sat PAR INDEX"),
        ("ĐẠI BIỂU HĐND", "DAI BIEU HDND"),
        ("plain ASCII", "plain ASCII"),
        ("PAR INDEX 2026 – Lào Cai", "PAR INDEX 2026 - Lao Cai"),
        ("a — b", "a - b"),
        ("“Khảo sát” ‘thử’", "\"Khao sat\" 'thu'"),
        ("Chờ…", "Cho..."),
        ("20\u00a0ngày", "20 ngay"),
    ],
)
def test_unaccent(text, expected):
    assert unaccent(text) == expected
    assert is_gsm7(unaccent(text))


LONG_VI = "Kính mời ông/bà trả lời phiếu khảo sát chỉ số cải cách hành chính trước ngày 20/12/2023 "


@pytest.mark.parametrize(
    ("case", "text", "expected"),
    [
        (
            "short accented text: one part either way, keep the accents",
            "Khảo sát PAR INDEX",
            "Khảo sát PAR INDEX",
        ),
        ("long accented text: two UCS-2 parts, one unaccented", LONG_VI, unaccent(LONG_VI)),
        ("already GSM-7: unchanged", "Khao sat PAR INDEX", "Khao sat PAR INDEX"),
        ("a character GSM-7 cannot carry even unaccented: unchanged", LONG_VI + "中", LONG_VI + "中"),
    ],
)
def test_the_text_goes_unaccented_only_when_that_saves_parts(case, text, expected):
    assert fewest_segments(text) == expected


DEMO_CAMPAIGN = "Khảo sát cán bộ, công chức phục vụ Chỉ số CCHC (PAR INDEX) 2026 – Lào Cai"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Khảo sát PAR INDEX 2026", "Khảo sát PAR INDEX 2026"),
        (DEMO_CAMPAIGN, "Khảo sát cán bộ, công chức phục vụ Chỉ số CCHC (PAR INDEX) 2026"),
        ("  Khảo   sát  ", "Khảo sát"),
        ("Khảo sát " * 10, "Khảo sát Khảo sát Khảo sát Khảo sát Khảo sát Khảo sát Khảo sát…"),
    ],
)
def test_a_long_campaign_name_is_shortened_for_sms(name, expected):
    label = sms_label(name)
    assert label == expected and len(label) <= SMS_LABEL_MAX


LINK = "https://khaosat.snv.laocai.gov.vn/s/" + "A" * 24 + "/"


@pytest.mark.parametrize(
    ("name", "reminder", "deadline", "max_parts"),
    [
        ("Khảo sát xã hội học PAR INDEX 2023", False, "20/12/2023", 1),
        ("Khảo sát xã hội học PAR INDEX 2023", True, "20/12/2023", 2),
        (DEMO_CAMPAIGN, False, "31/12/2026", 2),
        (DEMO_CAMPAIGN, True, "31/12/2026", 2),
        (DEMO_CAMPAIGN, True, "", 2),
        ("“SIPAS” 2026 — người dân đánh giá dịch vụ công", True, "31/12/2026", 2),
    ],
)
def test_sms_texts_are_gsm7_and_fit_their_parts(name, reminder, deadline, max_parts):
    text = sms_text(campaign_name=name, deadline=deadline, link=LINK, reminder=reminder)
    assert text.endswith(" " + LINK)
    assert is_gsm7(text) and segments(text) <= max_parts
    assert unaccent(sms_label(name)) in text and deadline in text


def test_an_sms_ends_with_the_link_and_fits_one_part_for_a_vietnamese_campaign_name():
    link = "https://khaosat.snv.laocai.gov.vn/s/" + "A" * 24 + "/"
    text = sms_text(
        campaign_name="Khảo sát xã hội học PAR INDEX 2023", deadline="20/12/2023", link=link, reminder=False
    )
    assert text.endswith(" " + link)
    assert is_gsm7(text) and segments(text) == 1
    assert "Khao sat xa hoi hoc PAR INDEX 2023" in text and "20/12/2023" in text


@pytest.fixture
def twilio(settings, site_url, monkeypatch):
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, settings.TWILIO_FROM_NUMBER = (
        ACCOUNT,
        TOKEN,
        SENDER,
    )
    fake = FakeTwilioHttpClient(invalid={"+84900000000"})
    monkeypatch.setattr(sms, "transport", fake)
    return fake


def queue_sms(campaign):
    create_invitations(campaign=campaign)
    return queue_round(campaign=campaign, channel=Message.Channel.SMS, reminders=False)


def test_an_sms_goes_through_the_sdk_with_sender_text_and_status_callback(survey, units, twilio, site_url):
    (person,) = people(survey, units, 1)
    queue_sms(survey)
    report = send_queued(campaign=survey)
    assert report.sent == 1
    (request,) = twilio.requests
    assert request.method == "POST"
    assert request.url == f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert request.basic_auth == (ACCOUNT, TOKEN)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.form["To"] == person.phone and request.form["From"] == SENDER
    assert (
        request.form["StatusCallback"]
        == site_url + reverse("twilio-status")
        == f"{site_url}/webhooks/twilio/status/"
    )
    body = request.form["Body"]
    link = body.rsplit(" ", 1)[1]
    assert link.startswith(f"{site_url}/s/")
    assert invitation_for_token(link.rstrip("/").rsplit("/", 1)[1]).respondent == person
    assert is_gsm7(body) and segments(body) == 1  # the Vietnamese campaign name went unaccented
    message = Message.objects.get()
    assert (
        message.status == "sent" and message.provider_id.startswith("SM") and len(message.provider_id) == 34
    )
    assert message.events.last().detail == message.provider_id


def test_an_invalid_number_fails_with_twilios_error_code_and_the_others_go(survey, units, twilio):
    good, bad = people(survey, units, 2)
    bad.phone = "+84900000000"
    bad.save()
    queue_sms(survey)
    report = send_queued(campaign=survey)
    assert (report.sent, report.failed) == (1, 1)
    failed = Message.objects.get(to=bad.phone)
    assert failed.status == "failed" and "21211" in failed.error and "400" in failed.error
    assert Message.objects.get(to=good.phone).status == "sent"
    assert len(twilio.requests) == 2


def test_twilio_overloaded_is_retried_later(survey, units, twilio):
    people(survey, units, 1)
    queue_sms(survey)
    twilio.overloaded = True
    assert send_queued(campaign=survey).requeued == 1
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("queued", 1) and "20429" in message.error
    twilio.overloaded = False
    assert send_queued(campaign=survey).sent == 1


class UnreachableTwilio(FakeTwilioHttpClient):
    def request(self, *args, **kwargs):
        raise requests.ConnectionError(
            "Failed to establish a new connection: [Errno 101] Network is unreachable"
        )


def test_twilio_unreachable_requeues_the_batch_without_counting_an_attempt(
    survey, units, twilio, monkeypatch
):
    people(survey, units, 3)
    queue_sms(survey)
    monkeypatch.setattr(sms, "transport", UnreachableTwilio())
    report = send_queued(campaign=survey)
    assert (report.sent, report.requeued) == (0, 3) and "Twilio unreachable" in report.outages[0]
    assert set(Message.objects.values_list("status", "attempts")) == {("queued", 0)}
    monkeypatch.setattr(sms, "transport", twilio)
    assert send_queued(campaign=survey).sent == 3


def test_without_twilio_settings_sms_stay_queued(survey, units, settings, smtp_server):
    settings.TWILIO_ACCOUNT_SID = ""
    people(survey, units, 2)
    queue_sms(survey)
    queue_round(campaign=survey, channel=Message.Channel.EMAIL, reminders=False)
    report = send_queued(campaign=survey)
    assert report.sent == 2  # the e-mails
    assert set(Message.objects.filter(channel="sms").values_list("status", flat=True)) == {"queued"}


def test_an_sms_reminder_uses_the_reminder_text(survey, units, twilio, settings):
    people(survey, units, 1)
    create_invitations(campaign=survey)
    queue_round(campaign=survey, channel="email", reminders=False)
    Message.objects.update(status="sent", sent_at=timezone.now() - datetime.timedelta(days=4))
    assert queue_round(campaign=survey, channel="sms", reminders=True).queued == 1
    send_queued(campaign=survey)
    (request,) = twilio.requests
    body = request.form["Body"]
    with translation.override(settings.LANGUAGE_CODE):
        expected = sms_text(
            campaign_name=survey.name,
            deadline=survey.survey_closes.strftime("%d/%m/%Y"),
            link=body.rsplit(" ", 1)[1],
            reminder=True,
        )
    assert body == expected
    assert Message.objects.get(channel="sms").kind == "reminder"


class RejectingTwilio(FakeTwilioHttpClient):
    """Twilio refusing the account itself: wrong credentials (401), suspended (403) or unknown (404)."""

    def __init__(self, status: int, code: int):
        super().__init__()
        self.status, self.code = status, code

    def request(self, *args, **kwargs):
        super().request(*args, **kwargs)
        return self._error(self.status, self.code, "Authenticate")


@pytest.mark.parametrize(("status", "code"), [(401, 20003), (403, 20005), (404, 20404)])
def test_twilio_refusing_the_account_is_an_outage_not_a_failure_of_every_sms(
    survey, units, twilio, monkeypatch, status, code
):
    people(survey, units, 3)
    queue_sms(survey)
    rejecting = RejectingTwilio(status, code)
    monkeypatch.setattr(sms, "transport", rejecting)
    report = send_queued(campaign=survey)
    assert (report.sent, report.failed, report.requeued) == (0, 0, 3)
    assert len(rejecting.requests) == 1  # the channel stopped at the first refusal
    assert len(report.outages) == 1 and "TWILIO_" in report.outages[0] and str(status) in report.outages[0]
    assert set(Message.objects.values_list("status", "attempts")) == {("queued", 0)}
    assert all(str(code) in error for error in Message.objects.values_list("error", flat=True))
    monkeypatch.setattr(sms, "transport", twilio)  # the settings are put right
    assert send_queued(campaign=survey).sent == 3


def test_an_sms_goes_to_the_respondents_current_number(survey, units, twilio):
    (person,) = people(survey, units, 1)
    queue_sms(survey)
    old = person.phone
    person.phone = "+84912345678"
    person.save()
    assert send_queued(campaign=survey).sent == 1
    assert [r.form["To"] for r in twilio.requests] == ["+84912345678"]
    message = Message.objects.get()
    assert message.to == "+84912345678"
    changed = message.events.get(status="sending")
    assert old in changed.detail and "+84912345678" in changed.detail
