"""kit.mime writes an e-mail that a mail client reads exactly as the standard library's own message:
the same subject, sender, recipient and decoded bodies, no parse defects, lines within 78 characters."""

import email
import email.header
import email.policy
import email.utils

from django.core.mail import EmailMultiAlternatives
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kit import mime

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
LETTERS = VIETNAMESE + VIETNAMESE.upper() + "AZaz09"
# Names, subjects and bodies: Vietnamese letters, ASCII punctuation that needs quoting, other scripts.
name_text = st.text(alphabet=LETTERS + " .,'\"()<>@;:\\-–" + "😀漢", max_size=90)
subject_text = st.text(alphabet=LETTERS + " .,:;!?()–=/\"'" + "😀", max_size=300)
body_text = st.text(
    alphabet=st.one_of(st.sampled_from(LETTERS + ' .,:\n\t<>/"=-'), st.characters(codec="utf-8")),
    max_size=600,
)
local = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,20}[a-z0-9]", fullmatch=True).filter(lambda s: ".." not in s)
domain = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,3}", fullmatch=True)

HEADERS = [
    ("Message-ID", "<msg-42@khaosat.snv.laocai.gov.vn>"),
    ("List-Unsubscribe", "<https://khaosat.snv.laocai.gov.vn/u/42-e-0123456789abcdef/>"),
    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
]


def _stdlib(*, subject, sender, to, text, html):
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=email.utils.formataddr((sender.display_name, sender.addr_spec)),
        to=[email.utils.formataddr((to.display_name, to.addr_spec))],
        headers=dict(HEADERS),
    )
    mail.attach_alternative(html, "text/html")
    return mail.message(policy=email.policy.SMTP).as_bytes()


def _read(data: bytes):
    """What a mail client shows, and whether the parser found anything wrong."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    headers = {name: message[name] for name in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe")}
    parts = list(message.iter_parts())
    defects = [*message.defects, *(d for h in headers.values() for d in h.defects)]
    defects += [d for part in parts for d in part.defects]
    return {
        "type": message.get_content_type(),
        "subject": str(headers["Subject"]),
        "from": [(a.display_name, a.addr_spec) for a in headers["From"].addresses],
        "to": [(a.display_name, a.addr_spec) for a in headers["To"].addresses],
        "message-id": str(headers["Message-ID"]),
        "list-unsubscribe": str(headers["List-Unsubscribe"]),
        "parts": [
            (part.get_content_type(), part.get_content_charset(), part.get_content().replace("\r\n", "\n"))
            for part in parts
        ],
    }, defects


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=subject_text,
    sender_name=name_text,
    to_name=name_text,
    to_local=local,
    to_domain=domain,
    text=body_text,
    html=body_text,
)
@example(
    subject="Khảo sát cán bộ, công chức phục vụ Chỉ số CCHC (PAR INDEX) 2026 – Lào Cai: mời tham gia",
    sender_name="Sở Nội vụ tỉnh Lào Cai",
    to_name="Nguyễn Văn Người 1",
    to_local="nguoi1",
    to_domain="s01.laocai.gov.vn",
    text="Kính gửi ông/bà,\n\nMời tham gia khảo sát: https://khaosat.snv.laocai.gov.vn/s/abc/\n",
    html="<p>Kính gửi <b>ông/bà</b></p>",
)
@example(
    subject="Plain ASCII",
    sender_name="",
    to_name='Tran, Van "A"',
    to_local="a",
    to_domain="b.vn",
    text="short\n",
    html="<p>x</p>",
)
@example(
    subject="A long one",
    sender_name="Sở",
    to_name="x" * 90,
    to_local="a",
    to_domain="b.vn",
    text="a" * 200,
    html="",
)
def test_reads_as_the_standard_librarys_message(
    subject, sender_name, to_name, to_local, to_domain, text, html
):
    subject = " ".join(subject.split())  # as the project (and Django) give it: one line, single spaces
    sender = mime.Mailbox(display_name=" ".join(sender_name.split()), addr_spec="khaosat@snv.laocai.gov.vn")
    to = mime.Mailbox(display_name=" ".join(to_name.split()), addr_spec=f"{to_local}@{to_domain}")
    fast = mime.build_alternative(
        subject=subject,
        sender=sender,
        to=[to],
        date=email.utils.formatdate(),
        headers=HEADERS,
        text=text,
        html=html,
    )
    if fast is None:  # left to the standard library: only for values outside the fast path's rules
        headers = (subject, sender.display_name, to.display_name)
        assert (
            not all(v.isprintable() for v in headers)
            or any("=?" in v for v in headers)
            or any("\ud800" <= c <= "\udfff" for c in text + html)
            or not text
        )
        return
    head = fast.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):  # longer than 78 only for one word that cannot be broken
        word = line.strip() if line.startswith(b" ") else line.partition(b": ")[2]
        assert len(line) <= mime.MAX_LINE or b" " not in word, line
    assert b"\n" not in fast.replace(b"\r\n", b"")
    shown, defects = _read(fast)
    assert not defects
    # Exactly what was given, as a mail client shows it (the names read by RFC 2047's rule: the stdlib's
    # address parser keeps the space between two encoded words folded onto two lines, which clients drop,
    # and which it writes itself for a long name) …
    assert _rfc_mailbox(fast, "From") == (sender.display_name, sender.addr_spec)
    assert _rfc_mailbox(fast, "To") == (to.display_name, to.addr_spec)
    assert {**shown, "from": None, "to": None} == {
        "type": "multipart/alternative",
        "subject": subject,
        "from": None,
        "to": None,
        "message-id": HEADERS[0][1],
        "list-unsubscribe": HEADERS[1][1],
        "parts": [
            ("text/plain", "utf-8", _lines(text)),
            ("text/html", "utf-8", _lines(html)),
        ],
    }
    # … and what the standard library's own message shows, where that one reads without defects (it
    # mangles some display names with ':' or ';' in them, which this writes correctly).
    stdlib = _stdlib(subject=subject, sender=sender, to=to, text=text, html=html)
    theirs, their_defects = _read(stdlib)
    if not their_defects:
        assert {**shown, "from": None, "to": None} == {**theirs, "from": None, "to": None}
        assert _rfc_mailbox(fast, "To") == _rfc_mailbox(stdlib, "To")


def _rfc_mailbox(data: bytes, name: str) -> tuple[str, str]:
    raw = email.message_from_bytes(data, policy=email.policy.compat32)[name]
    display, address = email.utils.parseaddr(raw.replace("\r\n", ""))
    return str(email.header.make_header(email.header.decode_header(display))), address


def _lines(text: str) -> str:
    """A body as it reads back: its lines (as bytes.splitlines() cuts them) each ended by a newline."""
    lines = text.encode().splitlines() or [b""]
    return "".join(line.decode() + "\n" for line in lines)


def test_refuses_what_it_does_not_write():
    base = {
        "subject": "Mời tham gia",
        "sender": mime.Mailbox(display_name="Sở Nội vụ", addr_spec="khaosat@snv.laocai.gov.vn"),
        "to": [mime.Mailbox(display_name="Nguyễn Văn A", addr_spec="a@b.vn")],
        "date": email.utils.formatdate(),
        "headers": HEADERS,
        "text": "x",
        "html": "y",
    }
    assert mime.build_alternative(**base) is not None
    for change in (
        {"subject": "Mời\r\nBcc: victim@example.com"},  # header injection
        {"to": [mime.Mailbox(display_name="A\nB", addr_spec="a@b.vn")]},
        {"to": [mime.Mailbox(display_name="A", addr_spec="người@b.vn")]},  # non-ASCII local part
        {"to": [mime.Mailbox(display_name="A", addr_spec="a@bưu.vn")]},  # IDNA domain: the stdlib's job
        {"to": [mime.Mailbox(display_name="A", addr_spec="a@b.vn>, c@d.vn")]},
        {"headers": [("X-Other", "v")]},  # a header it does not know
        {"headers": [("Message-ID", "<a@b>\r\nBcc: x@y")]},
        {"text": "\ud800"},  # a lone surrogate
        {"text": ""},  # Django sends the HTML part alone
        {"subject": "=?utf-8?b?QQ==?="},  # the stdlib decodes what looks like an encoded word
    ):
        assert mime.build_alternative(**{**base, **change}) is None, change


def test_encoded_words_are_whole_characters_within_75():
    value = "Ngườiiiii😀" * 40
    words = mime.encoded_words(value, first=20)
    assert all(len(word) <= 75 for word in words)
    decoded = "".join(part.decode(charset) for part, charset in email.header.decode_header(" ".join(words)))
    assert decoded == value
