"""Twilio's delivery reports: accepted only with a valid X-Twilio-Signature, and they only move forward."""

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from surveys.models import Message, MessageEvent
from tests.factories import MessageFactory

TOKEN = "twilio-auth-token-for-tests"
SITE = "https://khaosat.snv.laocai.gov.vn"
SID = "SM" + "0123456789abcdef" * 2


@pytest.fixture
def sms_message(db, settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = SITE
    return MessageFactory(channel="sms", status="sent", provider_id=SID, to="+84912345678")


def report(status: str, **extra) -> dict:
    return {
        "MessageSid": SID,
        "MessageStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "To": "+84912345678",
        **extra,
    }


def post(
    client, params: dict, *, signature: str | None = None, sign_with: str = TOKEN, url: str | None = None
):
    path = reverse("twilio-status")
    if signature is None:
        signature = RequestValidator(sign_with).compute_signature(url or SITE + path, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    return client.post(path, params, **headers)


def test_a_signed_delivered_report_marks_the_sms_delivered(client, sms_message):
    response = post(client, report("delivered"))
    assert response.status_code == 200
    sms_message.refresh_from_db()
    assert sms_message.status == "delivered"
    assert sms_message.events.get().detail == "twilio: delivered"


@pytest.mark.parametrize("status", ["undelivered", "failed"])
def test_a_signed_failure_report_marks_the_sms_failed_with_the_error_code(client, sms_message, status):
    assert post(client, report(status, ErrorCode="30003")).status_code == 200
    sms_message.refresh_from_db()
    assert sms_message.status == "failed" and "30003" in sms_message.error
    assert sms_message.events.get().status == "failed"


def test_a_late_sent_report_does_not_undo_delivered(client, sms_message):
    post(client, report("delivered"))
    post(client, report("sent"))
    sms_message.refresh_from_db()
    assert sms_message.status == "delivered"
    assert list(sms_message.events.values_list("detail", flat=True)) == ["twilio: delivered", "twilio: sent"]


def test_the_signature_of_the_url_django_sees_is_accepted_too(client, sms_message):
    assert (
        post(client, report("delivered"), url="http://testserver" + reverse("twilio-status")).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("no signature", {"signature": ""}),
        ("garbage signature", {"signature": "bm90IGEgc2lnbmF0dXJl"}),
        ("signed with another token", {"sign_with": "someone-elses-token"}),
        ("signed for another URL", {"url": "https://evil.example/webhooks/twilio/status/"}),
    ],
)
def test_an_unsigned_or_badly_signed_report_is_refused_and_changes_nothing(client, sms_message, case, kwargs):
    assert post(client, report("delivered"), **kwargs).status_code == 403
    sms_message.refresh_from_db()
    assert sms_message.status == "sent" and not MessageEvent.objects.exists()


def test_a_report_altered_after_signing_is_refused(client, sms_message):
    signature = RequestValidator(TOKEN).compute_signature(
        SITE + reverse("twilio-status"), report("delivered")
    )
    assert post(client, report("failed", ErrorCode="30003"), signature=signature).status_code == 403
    sms_message.refresh_from_db()
    assert sms_message.status == "sent"


def test_without_an_auth_token_every_report_is_refused(client, sms_message, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    assert post(client, report("delivered"), sign_with="").status_code == 403


def test_a_report_about_an_unknown_sms_is_acknowledged_and_ignored(client, sms_message):
    params = {**report("delivered"), "MessageSid": "SM" + "f" * 32}
    assert post(client, params).status_code == 200
    assert not MessageEvent.objects.exists()
    assert Message.objects.get().status == "sent"


def test_only_post_is_allowed(client, sms_message):
    assert client.get(reverse("twilio-status")).status_code == 405
