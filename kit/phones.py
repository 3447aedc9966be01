"""Vietnamese phone numbers as units type them, as E.164 (numbers stored as numbers, dots and spaces,
+84/84/0084, several numbers in a cell, landlines, the 11-digit mobile prefixes retired in 2018).

Policy: docs/guides/lists.md; facts: docs/methodology.md §11.
"""

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import phonenumbers
from phonenumbers.phonemetadata import PhoneMetadata, PhoneNumberDesc

from .text import CONTROL_CHARACTERS, clean_text, nfc

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
    text = clean_text(raw) if not isinstance(raw, str) else nfc(raw)
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
        # What phonenumbers.number_type(phonenumbers.parse(digits, "VN")) gives for this form, from the
        # same metadata without the library's per-call overhead (parse() and the look-ups were most of the
        # time of checking a phone; test_phone_type_is_phonenumbers_own compares the two).
        national = digits[1:]
        kind = _VN_NUMBER_TYPE(national)
    else:
        try:
            number = phonenumbers.parse(digits, "VN")
        except phonenumbers.NumberParseException:
            return None
        # number_type() matches the number against the Vietnamese numbering plan: UNKNOWN when not valid.
        kind = phonenumbers.number_type(number)
        national = str(number.national_number)
    if kind not in (_MOBILE, _FIXED, _FIXED_OR_MOBILE):
        return None
    return f"+84{national}", kind != _FIXED


type _Desc = tuple[frozenset[int], re.Pattern[str]] | None


def _vn_number_type_from_metadata() -> Callable[[str], int]:
    """phonenumbers' _number_type_helper for Vietnam (the same descriptions, in the same order, with the
    same length and full-match tests), its patterns compiled once: number_type() of a Vietnamese
    PhoneNumber built from a national number without leading zeros."""
    metadata = PhoneMetadata.metadata_for_region("VN")
    assert metadata is not None

    def desc(d: PhoneNumberDesc | None) -> _Desc:
        if d is None or not d.national_number_pattern:
            return None
        return frozenset(d.possible_length), re.compile(d.national_number_pattern)

    def matches(number: str, d: _Desc) -> bool:
        if d is None:
            return False
        lengths, pattern = d
        if lengths and len(number) not in lengths:
            return False
        return pattern.fullmatch(number) is not None

    general, fixed, mobile = desc(metadata.general_desc), desc(metadata.fixed_line), desc(metadata.mobile)
    same = metadata.same_mobile_and_fixed_line_pattern
    others = [
        (desc(getattr(metadata, name)), kind)
        for name, kind in (
            ("premium_rate", phonenumbers.PhoneNumberType.PREMIUM_RATE),
            ("toll_free", phonenumbers.PhoneNumberType.TOLL_FREE),
            ("shared_cost", phonenumbers.PhoneNumberType.SHARED_COST),
            ("voip", phonenumbers.PhoneNumberType.VOIP),
            ("personal_number", phonenumbers.PhoneNumberType.PERSONAL_NUMBER),
            ("pager", phonenumbers.PhoneNumberType.PAGER),
            ("uan", phonenumbers.PhoneNumberType.UAN),
            ("voicemail", phonenumbers.PhoneNumberType.VOICEMAIL),
        )
    ]
    unknown = phonenumbers.PhoneNumberType.UNKNOWN

    def number_type(national: str) -> int:
        if not matches(national, general):
            return unknown
        for d, kind in others:
            if matches(national, d):
                return kind
        if matches(national, fixed):
            return _FIXED_OR_MOBILE if same or matches(national, mobile) else _FIXED
        if not same and matches(national, mobile):
            return _MOBILE
        return unknown

    return number_type


_VN_NUMBER_TYPE = _vn_number_type_from_metadata()


def national_phone(e164: str) -> str:
    """+84912345678 -> 0912345678: Vietnamese numbers as lists and users write them; others unchanged."""
    return "0" + e164[3:] if e164.startswith("+84") else e164
