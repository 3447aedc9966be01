"""E-mail addresses as units type them: trimmed, lower-cased, validated; extra addresses kept aside."""

import functools
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from email_validator import EmailNotValidError, validate_email
from email_validator import validate_email as _check_syntax  # the syntax rules only, never the DNS

from .text import clean_text

_EMAIL_SPLIT = re.compile(r"[;,/\n]+")
_EMAIL_LABEL = re.compile(r"^(e-?mail|thư điện tử|mail)\s*:\s*")


@dataclass(frozen=True)
class EmailResult:
    value: str = ""
    invalid: bool = False
    extra: tuple[str, ...] = ()


def normalise_email(raw: object) -> EmailResult:
    """Trimmed and lower-cased; several addresses in a cell keep the first valid one and list the rest.

    A space inside an address ("nguyen van@x.vn") makes it invalid rather than guessing which part is meant;
    addresses separated only by spaces ("a@x.vn b@y.vn") are still read as two.
    """
    text = clean_text(raw).lower().removeprefix("mailto:")
    if not text:
        return EmailResult()
    candidates = []
    for part in _EMAIL_SPLIT.split(text):
        part = _EMAIL_LABEL.sub("", part.strip()).strip("<>.;, ")
        words = part.split()
        if len(words) > 1 and all("@" in word for word in words):
            candidates += words
        elif part:
            candidates.append(part)
    valid = [c for c in candidates if _is_valid_email(c)]
    if not valid:
        return EmailResult(value=text, invalid=True)
    return EmailResult(value=valid[0], extra=tuple(valid[1:]))


class _EmailValidator(EmailValidator):
    """Django's validate_email with its regexes compiled up front: reaching them through Django's lazy
    wrappers took two thirds of its time. Same patterns, same checks (test_normalise compares the two)."""

    user_regex = re.compile(EmailValidator.user_regex.pattern, EmailValidator.user_regex.flags)
    domain_regex = re.compile(EmailValidator.domain_regex.pattern, EmailValidator.domain_regex.flags)
    literal_regex = re.compile(EmailValidator.literal_regex.pattern, EmailValidator.literal_regex.flags)


_validate_email = _EmailValidator()


def _is_valid_email(value: str) -> bool:
    """Django's check, then email-validator's syntax rules (RFC 5321/5322 lengths, dots, the domain's
    labels), without the network (docs/decisions.md D260)."""
    try:
        _validate_email(value)
    except ValidationError:
        return False
    local, _at, domain = value.partition("@")
    if _PLAIN_LOCAL.fullmatch(local) and _PLAIN_DOMAIN.fullmatch(domain):
        # The usual address: email-validator's verdict from its verdict on the domain, checked once per
        # domain (D425; test_email_check_accepts_what_both_django_and_email_validator_accept compares).
        longest = _domain_length(domain)
        return longest is not None and len(local) + 1 + longest <= _EMAIL_MAX_LENGTH
    return _library_accepts(value)


def _library_accepts(value: str) -> bool:
    try:
        _check_syntax(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# A dot-atom of ASCII letters, digits and "_+-" (email-validator accepts every such local part without
# a length limit outside its strict mode), and a domain of ASCII letters, digits, dots and hyphens.
_PLAIN_LOCAL = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*")
_PLAIN_DOMAIN = re.compile(r"[a-z0-9.-]+")
_EMAIL_MAX_LENGTH = 254  # email-validator's EMAIL_MAX_LENGTH (RFC 5321 with RFC 3696 errata)


@functools.lru_cache(maxsize=4096)
def _domain_length(domain: str) -> int | None:
    """None when email-validator refuses the domain (with a one-letter local part); else the longest of
    the domain as written, normalised and in IDNA ASCII, which email-validator's total length rule reads."""
    try:
        checked = _check_syntax(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return max(len(domain), len(checked.domain), len(checked.ascii_domain or ""))


def is_deliverable(value: str, *, timeout: int = 5) -> bool:
    """Whether the address's domain accepts mail (an MX, or an A/AAAA record, and no null MX), asked of the
    DNS by email-validator once per domain and process. Only when EMAIL_CHECK_DELIVERABILITY is on: it
    needs the network and takes up to `timeout` seconds for a domain that does not answer."""
    domain = value.rpartition("@")[2].lower()
    return bool(domain) and _domain_accepts_mail(domain, timeout)


@functools.lru_cache(maxsize=4096)
def _domain_accepts_mail(domain: str, timeout: int) -> bool:
    try:
        validate_email(f"postmaster@{domain}", check_deliverability=True, timeout=timeout)
    except EmailNotValidError:
        return False
    return True
