"""Property-based tests (hypothesis) of the normalisers: whatever a unit types, the result is clean NFC text
without control characters, normalising twice changes nothing more, phones are Vietnamese E.164 numbers or
refused, and nothing raises."""

import re
import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kit.emails import normalise_email
from kit.names import normalise_name
from kit.phones import national_phone, normalise_phones, parse_vn_phone
from kit.text import CONTROL_CHARACTERS, clean_text

BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
E164_VN = re.compile(r"\+84[1-9][0-9]{8,9}")

# Anything a cell can hold: text of every kind (control characters, combining marks, other scripts), numbers.
cells = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.text(alphabet="0123456789 .+-()/;,\n\t\x00\u200bĐđ oặc", max_size=40),
    st.integers(min_value=0, max_value=10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
)

# Valid Vietnamese mobile numbers (national form) as lists write them, in several spellings.
MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "032", "035", "039", "070", "077", "086"]
mobiles = st.builds(
    lambda p, rest: p + rest, st.sampled_from(MOBILE_PREFIXES), st.from_regex(r"[0-9]{7}", fullmatch=True)
)


def is_clean(text: str) -> bool:
    return (
        unicodedata.is_normalized("NFC", text)
        and not CONTROL_CHARACTERS.search(text)
        and text == text.strip()
        and "  " not in text
    )


@BOUNDED
@given(cells)
def test_clean_text_is_clean_nfc_and_idempotent(value):
    text = clean_text(value)
    assert is_clean(text)
    assert clean_text(text) == text


@BOUNDED
@given(cells)
def test_a_normalised_name_is_clean_and_normalising_it_again_changes_nothing(value):
    name = normalise_name(value).value
    assert is_clean(name)
    assert normalise_name(name).value == name


@BOUNDED
@given(cells)
def test_an_email_is_valid_lower_case_and_stable_or_refused_as_clean_text(value):
    result = normalise_email(value)
    assert is_clean(result.value)
    if result.value and not result.invalid:
        assert result.value == result.value.lower() and " " not in result.value
        again = normalise_email(result.value)
        assert (again.value, again.invalid, again.extra) == (result.value, False, ())
        for extra in result.extra:
            assert normalise_email(extra).value == extra


@BOUNDED
@given(st.emails())
def test_a_valid_address_with_capitals_and_spaces_around_is_accepted_in_lower_case(address):
    assume(not set(address) & set(";,/<>"))  # separators of several addresses in one cell
    result = normalise_email(f"  {address.upper()} ")
    if not result.invalid:  # Django's validator is stricter than RFC 5322 for some generated addresses
        assert result.value == address.upper().lower()


@BOUNDED
@given(cells)
def test_phones_are_vietnamese_e164_or_refused_and_never_raise(value):
    result = normalise_phones(value)
    for phone in filter(None, (result.primary, *result.alternates)):
        assert E164_VN.fullmatch(phone), phone
        again = parse_vn_phone(national_phone(phone))
        assert again is not None and again.e164 == phone
        assert normalise_phones(phone).primary == phone
    for part in result.invalid_parts:
        assert not CONTROL_CHARACTERS.search(part)
        assert unicodedata.is_normalized("NFC", part)
    assert result.primary or not result.alternates


@BOUNDED
@given(
    mobiles,
    st.sampled_from(["{}", "+84 {}", "84{}", "0084{}", "{} ", "({})"]),
    st.sampled_from(["", " ", "."]),
)
def test_a_mobile_number_gives_the_same_e164_however_it_is_written(national, spelling, separator):
    grouped = separator.join([national[:4], national[4:7], national[7:]])
    written = spelling.format(grouped if not spelling.startswith(("+84", "84", "0084")) else grouped[1:])
    result = normalise_phones(written)
    assert result.primary == "+84" + national[1:]
    assert not result.invalid_parts and not result.landline_only


@BOUNDED
@given(mobiles.map(lambda n: int(n[1:])))
def test_a_phone_stored_as_a_number_gets_its_leading_zero_back(number):
    assert normalise_phones(float(number)).primary == f"+84{number}"
