"""Bounces: delivery status notifications (RFC 3464) mark the e-mails they return as bounced.

The DSNs are built with the email package the way Postfix and Exchange write them; the Message rows carry
the Message-ID messaging puts on the e-mail it sends.
"""

import io
import mailbox
from email.message import EmailMessage
from email.message import Message as MimePart
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from surveys.models import Message, MessageEvent
from surveys.services.bounces import BounceReport, bounces_from_message, import_bounces
from surveys.services.messaging import message_id
from tests.factories import MessageFactory

USER_UNKNOWN = "smtp; 550 5.1.1 <ghost@snv.gov.vn>: Recipient address rejected: User unknown"
REASON = USER_UNKNOWN.removeprefix("smtp; ")


def original(msgid: str, to: str = "ghost@snv.gov.vn") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "khaosat@snv.gov.vn"
    mail["To"] = to
    mail["Subject"] = "Mời tham gia khảo sát PAR INDEX 2023"
    mail["Message-ID"] = msgid
    mail.set_content("Kính gửi ông/bà, ... https://khaosat.example/s/abc/")
    return mail


def fields(**values) -> MimePart:
    block = MimePart()
    for name, value in values.items():
        block[name.replace("_", "-")] = value
    return block


def dsn(returned, *recipients: dict, headers_only: bool = True) -> bytes:
    """A multipart/report: the human text, the message/delivery-status, and the returned e-mail or headers."""
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "MAILER-DAEMON@mx.snv.gov.vn (Mail Delivery System)"
    report["To"] = "khaosat@snv.gov.vn"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.attach(MIMEText("I'm sorry to have to inform you that your message could not be delivered."))
    status = MIMEBase("message", "delivery-status")
    status.set_payload(
        [fields(Reporting_MTA="dns; mx.snv.gov.vn", Arrival_Date="Tue, 24 Nov 2026 08:00:00 +0700")]
        + [fields(**r) for r in recipients]
    )
    report.attach(status)
    if headers_only:
        header_text = returned.as_string().split("\n\n", 1)[0] + "\n"  # as sent: encoded-word Subject
        report.attach(MIMEText(header_text, "rfc822-headers", "us-ascii"))
    else:
        report.attach(MIMEMessage(returned))
    return report.as_bytes()


def failed(recipient="ghost@snv.gov.vn", status="5.1.1", diagnostic=USER_UNKNOWN) -> dict:
    block = {
        "Final_Recipient": f"rfc822; {recipient}",
        "Original_Recipient": f"rfc822;{recipient}",
        "Action": "failed",
        "Status": status,
        "Remote_MTA": "dns; mail.snv.gov.vn",
    }
    if diagnostic:
        block["Diagnostic_Code"] = diagnostic
    return block


def delayed(recipient="ghost@snv.gov.vn") -> dict:
    return {
        "Final_Recipient": f"rfc822; {recipient}",
        "Action": "delayed",
        "Status": "4.4.1",
        "Diagnostic_Code": "smtp; 451 4.4.1 Connection timed out",
        "Will_Retry_Until": "Thu, 26 Nov 2026 08:00:00 +0700",
    }


def auto_reply(msgid: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = "ghost@snv.gov.vn"
    mail["To"] = "khaosat@snv.gov.vn"
    mail["Subject"] = "Tự động trả lời: Mời tham gia khảo sát"
    mail["In-Reply-To"] = msgid
    mail.set_content("Tôi đang đi công tác đến ngày 30/11. Undelivered? No: 550 5.1.1 is only quoted here.")
    return mail.as_bytes()


@pytest.fixture
def sent(db) -> Message:
    message = MessageFactory(status="sent", to="ghost@snv.gov.vn")
    message.provider_id = message_id(message)
    message.save(update_fields=["provider_id"])
    return message


# --------------------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "build, expected",
    [
        (
            lambda: dsn(original("<msg-12@khaosat.example>"), failed()),
            [("<msg-12@khaosat.example>", REASON)],
        ),
        (
            lambda: dsn(original("<msg-12@khaosat.example>"), failed(), headers_only=False),
            [("<msg-12@khaosat.example>", REASON)],
        ),
        (
            lambda: dsn(original("<msg-7@khaosat.example>"), failed(status="5.2.2", diagnostic="")),
            [("<msg-7@khaosat.example>", "status 5.2.2")],
        ),
        (
            lambda: dsn(original("<msg-7@khaosat.example>"), failed("x@y.vn", "5.7.1", "X-Postfix; spam")),
            [("<msg-7@khaosat.example>", "spam")],
        ),
        (lambda: dsn(original("<msg-12@khaosat.example>"), delayed()), []),
        (lambda: dsn(original("<msg-12@khaosat.example>"), failed(status="4.2.2")), []),
        (lambda: auto_reply("<msg-12@khaosat.example>"), []),
        (lambda: b"not an e-mail at all", []),
    ],
    ids=[
        "postfix_headers_only",
        "full_returned_message",
        "no_diagnostic_gives_status",
        "diagnostic_type_dropped",
        "delay",
        "failed_with_4xx_status",
        "auto_reply",
        "garbage",
    ],
)
def test_bounces_are_read_from_permanent_failures_only(build, expected):
    assert bounces_from_message(build()) == expected


def test_each_permanently_failed_recipient_of_a_dsn_is_listed_and_delayed_ones_are_not():
    raw = dsn(
        original("<msg-3@khaosat.example>", to="a@x.vn, b@x.vn, c@x.vn"),
        failed("a@x.vn", diagnostic="smtp; 550 5.1.1 no such user a"),
        delayed("b@x.vn"),
        failed("c@x.vn", status="5.2.1", diagnostic="smtp; 550 5.2.1 mailbox disabled"),
    )

    assert bounces_from_message(raw) == [
        ("<msg-3@khaosat.example>", "550 5.1.1 no such user a"),
        ("<msg-3@khaosat.example>", "550 5.2.1 mailbox disabled"),
    ]


def test_a_folded_diagnostic_code_is_read_as_one_line():
    long_reason = "smtp; 552 5.2.2 <ghost@snv.gov.vn>: Mailbox full, quota of this account exceeded long ago"
    raw = dsn(original("<msg-9@khaosat.example>"), failed(status="5.2.2", diagnostic=long_reason))
    assert b"\n " in raw or b"\n\t" in raw  # the generator did fold it

    [(_, reason)] = bounces_from_message(raw)

    assert reason == long_reason.removeprefix("smtp; ")


# --------------------------------------------------------------------------------------------- importing


@pytest.mark.parametrize("headers_only", [True, False], ids=["rfc822_headers", "full_rfc822"])
def test_a_bounce_marks_the_sent_email_bounced_with_the_reason_and_an_event(sent, tmp_path, headers_only):
    raw = dsn(original(sent.provider_id), failed(), headers_only=headers_only)
    (tmp_path / "bounce.eml").write_bytes(raw)

    report = import_bounces(paths=[tmp_path / "bounce.eml"])

    assert report == BounceReport(read=1, bounced=1, ignored=0)
    sent.refresh_from_db()
    assert (sent.status, sent.error) == ("bounced", REASON)
    event = MessageEvent.objects.filter(message=sent).last()
    assert (event.status, event.detail) == ("bounced", REASON)


def test_delays_auto_replies_and_unknown_message_ids_change_nothing(sent, tmp_path):
    (tmp_path / "1-delay.eml").write_bytes(dsn(original(sent.provider_id), delayed()))
    (tmp_path / "2-reply.eml").write_bytes(auto_reply(sent.provider_id))
    (tmp_path / "3-stranger.eml").write_bytes(dsn(original("<msg-999999@elsewhere.vn>"), failed()))
    (tmp_path / "notes.txt").write_bytes(dsn(original(sent.provider_id), failed()))  # not *.eml: not read

    report = import_bounces(paths=[tmp_path])

    assert report == BounceReport(read=3, bounced=0, ignored=3)
    sent.refresh_from_db()
    assert (sent.status, sent.error) == ("sent", "")
    assert not MessageEvent.objects.filter(message=sent).exists()


def test_a_bounce_is_matched_to_its_own_message_only(db, tmp_path):
    first, second = MessageFactory(status="sent"), MessageFactory(status="sent")
    sms = MessageFactory(status="sent", channel="sms", provider_id="SM123")
    for message in (first, second):
        message.provider_id = message_id(message)
        message.save(update_fields=["provider_id"])
    (tmp_path / "b.eml").write_bytes(dsn(original(second.provider_id), failed()))

    import_bounces(paths=[tmp_path / "b.eml"])

    statuses = dict(Message.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "sent", second.pk: "bounced", sms.pk: "sent"}


def test_importing_the_same_bounces_twice_records_them_once(sent, tmp_path):
    (tmp_path / "bounce.eml").write_bytes(dsn(original(sent.provider_id), failed()))

    import_bounces(paths=[tmp_path])
    again = import_bounces(paths=[tmp_path])

    assert again == BounceReport(read=1, bounced=0, ignored=1)
    assert MessageEvent.objects.filter(message=sent, status="bounced").count() == 1


def test_bounces_are_read_from_an_mbox(sent, tmp_path):
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    box.add(dsn(original(sent.provider_id), failed(), headers_only=False))
    box.add(dsn(original(sent.provider_id), delayed()))
    box.add(auto_reply(sent.provider_id))
    box.close()

    report = import_bounces(paths=[tmp_path / "bounces.mbox"], mbox=True)

    assert report == BounceReport(read=3, bounced=1, ignored=2)
    sent.refresh_from_db()
    assert sent.status == "bounced"


# --------------------------------------------------------------------------------------------- command


def test_the_command_reads_files_and_directories_and_prints_the_counts(sent, tmp_path):
    other = MessageFactory(status="sent")
    other.provider_id = message_id(other)
    other.save(update_fields=["provider_id"])
    folder = tmp_path / "maildir"
    folder.mkdir()
    (folder / "a.eml").write_bytes(dsn(original(sent.provider_id), failed()))
    (folder / "b.eml").write_bytes(auto_reply(sent.provider_id))
    (tmp_path / "c.eml").write_bytes(dsn(original(other.provider_id), failed(), headers_only=False))
    out = io.StringIO()

    call_command("import_bounces", str(folder), str(tmp_path / "c.eml"), stdout=out)

    assert out.getvalue().strip() == "read 3, bounced 2, ignored 1"
    assert set(Message.objects.values_list("status", flat=True)) == {"bounced"}


def test_the_command_reads_an_mbox_with_the_mbox_option(sent, tmp_path):
    box = mailbox.mbox(tmp_path / "in.mbox")
    box.add(dsn(original(sent.provider_id), failed()))
    box.close()
    out = io.StringIO()

    call_command("import_bounces", "--mbox", str(tmp_path / "in.mbox"), stdout=out)

    assert out.getvalue().strip() == "read 1, bounced 1, ignored 0"


def test_the_command_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError) as raised:
        call_command("import_bounces", str(tmp_path / "nowhere.eml"))
    assert raised.value.returncode == 2
