"""Vietnamese phone numbers as units type them, as E.164 (numbers stored as numbers, dots and spaces,
+84/84/0084, several numbers in a cell, landlines, the 11-digit mobile prefixes retired in 2018).

Policy: docs/guides/lists.md; facts: docs/methodology.md §11.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from .text import CONTROL_CHARACTERS, clean_text

# In 2018 the 11-digit mobile prefixes moved to 10 digits (docs/methodology.md §11.2).
OLD_MOBILE_PREFIXES = {
    **{f"016{d}": f"03{d}" for d in "23456789"},
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    "0186": "056",
    "0188": "058",
    "0199": "059",
}

_PHONE_SPLIT = re.compile(r"[\n;/,|]|\s[-–]\s|\bho[aặ]c\b|\bor\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
_MOBILE = phonenumbers.PhoneNumberType.MOBILE
_FIXED = phonenumbers.PhoneNumberType.FIXED_LINE
_FIXED_OR_MOBILE = phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE


@dataclass(frozen=True)
class Phone:
    e164: str
    mobile: bool
    old_prefix: str = ""  # the pre-2018 prefix it was written with, if any


@dataclass(frozen=True)
class PhoneResult:
    primary: str = ""
    alternates: tuple[str, ...] = ()
    old_prefixes: tuple[str, ...] = ()
    invalid_parts: tuple[str, ...] = ()
    landline_only: bool = False

    @property
    def empty(self) -> bool:
        return not (self.primary or self.invalid_parts)


def normalise_phones(raw: object) -> PhoneResult:
    """Every number in a cell as E.164; the first mobile is the primary, the others are alternates."""
    parts = _split_phone_cell(raw)
    if len(parts) == 1:  # the usual cell, one number: the same result without the bookkeeping for several
        phone = parse_vn_phone(parts[0])
        if phone is None:
            return PhoneResult(invalid_parts=(parts[0],))
        old_prefixes = (phone.old_prefix,) if phone.old_prefix else ()
        return PhoneResult(primary=phone.e164, old_prefixes=old_prefixes, landline_only=not phone.mobile)
    phones: list[Phone] = []
    invalid: list[str] = []
    for part in parts:
        phone = parse_vn_phone(part)
        if phone is None:
            invalid.append(part)
        elif phone.e164 not in {p.e164 for p in phones}:
            phones.append(phone)
    if not phones:
        return PhoneResult(invalid_parts=tuple(invalid))
    mobiles = [p for p in phones if p.mobile]
    primary = mobiles[0] if mobiles else phones[0]
    return PhoneResult(
        primary=primary.e164,
        alternates=tuple(p.e164 for p in phones if p is not primary),
        old_prefixes=tuple(p.old_prefix for p in phones if p.old_prefix),
        invalid_parts=tuple(invalid),
        landline_only=not mobiles,
    )


def _split_phone_cell(raw: object) -> list[str]:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    # Not clean_text for text: line breaks separate numbers. Control characters go (found by the property
    # tests: they reached the report's invalid parts, and PostgreSQL refuses NUL in JSON).
    text = clean_text(raw) if not isinstance(raw, str) else unicodedata.normalize("NFC", raw)
    text = CONTROL_CHARACTERS.sub(" ", text)
    parts = []
    for chunk in _PHONE_SPLIT.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        digits = "".join(_DIGITS.findall(chunk))
        # Two 10-digit numbers separated only by a space: "0912345678 0987654321".
        if (
            len(digits) == 20
            and digits[0] == "0"
            and digits[10] == "0"
            and not chunk.lstrip().startswith("+")
        ):
            parts += [digits[:10], digits[10:]]
        elif digits:
            parts.append(chunk)
    if not parts and text.strip():
        parts.append(text.strip())  # text without any digit: keep it so that it is reported, not dropped
    return parts


def parse_vn_phone(text: str) -> Phone | None:
    """One Vietnamese number as written in a list -> Phone, or None when it is not a valid number."""
    digits = "".join(_DIGITS.findall(text))
    international = text.lstrip().startswith("+") or digits.startswith("00")
    digits = digits.removeprefix("00")
    if international or (digits.startswith("84") and len(digits) in (11, 12)):
        if not digits.startswith("84"):
            return None  # a foreign number: the survey only texts Vietnamese phones
        digits = "0" + digits[2:].removeprefix("0")  # "+84 0912…": the trunk 0 kept after +84
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits  # Excel stored the number as a number and dropped the leading zero
    old_prefix = ""
    if len(digits) == 11 and digits[:4] in OLD_MOBILE_PREFIXES:
        old_prefix = digits[:4]
        digits = OLD_MOBILE_PREFIXES[old_prefix] + digits[4:]
    checked = _check_vn_number(digits)
    if checked is None:
        return None
    e164, mobile = checked
    return Phone(e164=e164, mobile=mobile, old_prefix=old_prefix)


# The trunk 0 and a 9- or 10-digit national number, in ASCII digits: the form nearly every number has here.
_NATIONAL_FORM = re.compile(r"0[1-9][0-9]{8,9}")


@functools.lru_cache(maxsize=4096)  # an office's landline is on many rows of its list
def _check_vn_number(digits: str) -> tuple[str, bool] | None:
    """(E.164, is a mobile) for a number in national digits, or None: phonenumbers decides."""
    if _NATIONAL_FORM.fullmatch(digits):
        # The PhoneNumber that phonenumbers.parse(digits, "VN") returns for this form, built directly:
        # parse() was two thirds of the time of checking a phone (test_normalise compares the two).
        number = phonenumbers.PhoneNumber(country_code=84, national_number=int(digits[1:]))
    else:
        try:
            number = phonenumbers.parse(digits, "VN")
        except phonenumbers.NumberParseException:
            return None
    # number_type() matches the number against the Vietnamese numbering plan: UNKNOWN when it is not valid.
    kind = phonenumbers.number_type(number)
    if kind not in (_MOBILE, _FIXED, _FIXED_OR_MOBILE):
        return None
    return f"+84{number.national_number}", kind != _FIXED


def national_phone(e164: str) -> str:
    """+84912345678 -> 0912345678: Vietnamese numbers as lists and users write them; others unchanged."""
    return "0" + e164[3:] if e164.startswith("+84") else e164
