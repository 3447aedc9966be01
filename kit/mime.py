"""The bytes of a plain multipart/alternative e-mail (a text part and an HTML part, UTF-8), written
directly (docs/decisions.md D457).

The standard library builds the same message through its header parser and folding algorithm: parsing
each header into a token tree, then re-folding it into RFC 2047 encoded words, a few hundred Python calls
per header and most of the CPU of sending an invitation (bench/send_invitations.py --profile). The
invitations are all the same shape, so here each header is written once as it will go out:

- a text header (Subject) is kept as it is when it is printable ASCII; otherwise it becomes base64
  encoded words (`=?utf-8?b?…?=`) of at most 75 characters, split between characters;
- an address header (From, To) keeps the address and writes the display name as an atom phrase, a quoted
  string, or encoded words;
- lines are folded at 78 characters (RFC 5322 §2.1.1), at spaces;
- each body part is base64 (binascii), or 7bit when it is ASCII with short lines.

build_alternative() returns None for what it does not handle (a line break or control character in a
header, a non-ASCII or unusual address, a header it does not know): the caller then uses the standard
library, which refuses or encodes those as it always has. tests/kit/test_mime.py checks, over generated
names, subjects and bodies, that what this writes parses (email.policy.default) without defects into the
same headers, addresses and decoded bodies as the standard library's own message.
"""

import binascii
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

MAX_LINE = 78  # RFC 5322 §2.1.1: lines SHOULD be no longer than 78 characters
HARD_LINE = 998  # … and MUST be no longer than 998
_WORD_MAX = 75  # RFC 2047 §2: an encoded word is at most 75 characters
_WORD_OVERHEAD = len("=?utf-8?b?") + len("?=")
_BASE64_LINE_BYTES = 76 // 4 * 3  # 57 bytes make one 76-character base64 line, as the stdlib writes

# Printable ASCII and space only: no control characters, no line breaks (header injection falls back).
_PRINTABLE = re.compile(r"[ -~]*\Z")
# RFC 5322 atext: a display name made only of these (and single spaces) needs no quoting.
_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+( [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
# A dot-atom local part and a plain ASCII domain: what the registry stores; anything else falls back.
_ADDR_SPEC = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\Z"
)
# A line a 7bit part can carry as it is: printable ASCII and tabs.
_SEVEN_BIT = re.compile(rb"[\t -~]*\Z")
# Header names this module writes values for as plain text (printable ASCII kept as is).
_PLAIN_HEADERS = frozenset({"message-id", "list-unsubscribe", "list-unsubscribe-post", "date"})


@dataclass(frozen=True)
class Mailbox:
    display_name: str
    addr_spec: str


class PrebuiltMessage:
    """What Django's SMTP backend needs from EmailMessage.message(): the bytes to send."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def as_bytes(self, unixfrom: bool = False, policy: object = None) -> bytes:
        return self._data


def build_alternative(
    *,
    subject: str,
    sender: Mailbox,
    to: Sequence[Mailbox],
    date: str,
    headers: Sequence[tuple[str, str]],
    text: str,
    html: str,
    linesep: str = "\r\n",
) -> bytes | None:
    """The message's bytes, or None when a value is outside what this writes (use the stdlib then)."""
    if not text:
        return None  # Django sends the HTML alone then
    lines = ["MIME-Version: 1.0"]
    boundary = _boundary()
    lines.append(f'Content-Type: multipart/alternative;{linesep} boundary="{boundary}"')
    folded = [
        text_header("Subject", subject, linesep=linesep),
        address_header("From", [sender], linesep=linesep),
        address_header("To", to, linesep=linesep),
        plain_header("Date", date, linesep=linesep),
    ]
    for name, value in headers:
        if name.lower() not in _PLAIN_HEADERS:
            return None
        folded.append(plain_header(name, value, linesep=linesep))
    if any(line is None for line in folded):
        return None
    lines.extend(line for line in folded if line is not None)
    try:
        parts = [_part(text, "plain", linesep), _part(html, "html", linesep)]
    except UnicodeEncodeError:  # a lone surrogate: the stdlib refuses it
        return None
    if any(_boundary_in(part, boundary) for part in parts):
        return None  # a 7bit part holds the delimiter: astronomically unlikely, the stdlib handles it
    head = linesep.join(lines) + linesep + linesep
    delimiter = f"--{boundary}{linesep}"
    body = "".join(delimiter + part + linesep for part in parts) + f"--{boundary}--{linesep}"
    return (head + body).encode("ascii")


def plain_address(addr_spec: str) -> bool:
    """Whether an address is a plain ASCII dot-atom address, which this module writes as it is."""
    return bool(_ADDR_SPEC.match(addr_spec))


def text_header(name: str, value: str, *, linesep: str) -> str | None:
    """`Name: value` for an unstructured header: printable ASCII as is (folded at spaces), anything else
    in encoded words. None for line breaks or control characters."""
    if not value.isprintable() or "=?" in value:  # the stdlib would decode a literal encoded word
        return None
    if value.isascii() and value == value.strip() and "  " not in value:
        return _fold_words(f"{name}:", value.split(" "), linesep=linesep)
    return _fold_words(f"{name}:", encoded_words(value, first=MAX_LINE - len(name) - 2), linesep=linesep)


def plain_header(name: str, value: str, *, linesep: str) -> str | None:
    """A header whose value is printable ASCII by construction (Message-ID, List-Unsubscribe, Date)."""
    if not _PRINTABLE.match(value) or value != value.strip() or "  " in value or "=?" in value:
        return None
    return _fold_words(f"{name}:", value.split(" "), linesep=linesep)


def address_header(name: str, mailboxes: Sequence[Mailbox], *, linesep: str) -> str | None:
    """`Name: display name <address>, …`. None for an address outside plain ASCII dot-atoms."""
    words: list[str] = []
    for index, mailbox in enumerate(mailboxes):
        display = mailbox.display_name
        if not _ADDR_SPEC.match(mailbox.addr_spec) or not display.isprintable() or "=?" in display:
            return None
        comma = "," if index < len(mailboxes) - 1 else ""
        if not display:
            words.append(mailbox.addr_spec + comma)
            continue
        if display.isascii() and _PHRASE.match(display):
            words.extend(display.split(" "))
        elif display.isascii():
            quoted = display.replace("\\", "\\\\").replace('"', '\\"')
            words.append(f'"{quoted}"')  # one word: a quoted string is not folded inside
        else:
            room = MAX_LINE - len(name) - 2 if not words else _WORD_MAX + 1
            words.extend(encoded_words(display, first=room))
        words.append(f"<{mailbox.addr_spec}>{comma}")
    return _fold_words(f"{name}:", words, linesep=linesep)


def encoded_words(value: str, *, first: int) -> list[str]:
    """`value` as base64 encoded words of whole characters: the first fits in `first` characters (at least
    one character per word), the next ones in 75 (a continuation line is a space and one word)."""
    data = value.encode("utf-8")
    words = []
    room = first
    start = 0
    while start < len(data):
        capacity = max(4, (min(room, _WORD_MAX) - _WORD_OVERHEAD) // 4 * 3)
        end = min(len(data), start + capacity)
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # not inside a character
            end -= 1
        if end <= start:  # a character longer than the room: take it whole
            end = start + 1
            while end < len(data) and (data[end] & 0xC0) == 0x80:
                end += 1
        chunk = binascii.b2a_base64(data[start:end], newline=False).decode("ascii")
        words.append(f"=?utf-8?b?{chunk}?=")
        start = end
        room = _WORD_MAX + 1
    return words


def _fold_words(label: str, words: Sequence[str], *, linesep: str) -> str | None:
    """`label` and the words joined by single spaces, a line break put before a space where a line would
    pass 78 characters. None if a line must still pass 998."""
    lines = [label]
    for word in words:
        if len(lines[-1]) + 1 + len(word) > MAX_LINE and lines[-1] != label:
            lines.append("")
        lines[-1] += " " + word
    if any(len(line) > HARD_LINE for line in lines):
        return None
    return linesep.join(lines)


def _part(content: str, subtype: str, linesep: str) -> str:
    data = content.encode("utf-8").splitlines() or [b""]  # an empty body is one empty line, as the stdlib's
    head = f'Content-Type: text/{subtype}; charset="utf-8"{linesep}'
    if all(len(line) <= MAX_LINE and _SEVEN_BIT.match(line) for line in data):
        return f"{head}Content-Transfer-Encoding: 7bit{linesep}{linesep}" + "".join(
            line.decode("ascii") + linesep for line in data
        )
    raw = linesep.encode("ascii").join(data) + linesep.encode("ascii")
    encoded = linesep.join(
        binascii.b2a_base64(raw[i : i + _BASE64_LINE_BYTES], newline=False).decode("ascii")
        for i in range(0, len(raw), _BASE64_LINE_BYTES)
    )
    return f"{head}Content-Transfer-Encoding: base64{linesep}{linesep}{encoded}{linesep}"


def _boundary() -> str:
    return "=" * 15 + str(secrets.randbits(64)) + "=="


def _boundary_in(part: str, boundary: str) -> bool:
    return f"--{boundary}" in part
