"""kit.safeinput: JSON and decimals that every column can store, refused with a reason otherwise."""

import json
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit import safeinput
from kit.safeinput import UnsafeInput, as_decimal, loads, nesting_depth, parse_decimal, text_problem


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b'{"a": "x\\u0000y"}', "nul"),
        (b'{"x\\u0000": 1}', "nul"),  # keys too
        (b'{"a": "\\ud800"}', "surrogate"),
        (b'{"a": ["ok", {"b": "\\udfff"}]}', "surrogate"),
        (b'{"a": "\xed\xa0\x80"}', "not_utf8"),
        (b'{"a": NaN}', "non_finite"),
        (b'{"a": -Infinity}', "non_finite"),
        (b'{"a": 1e309}', "non_finite"),
        (b"[" * 10 + b"]" * 10, "too_deep"),
        (b"[" * 100_000 + b"]" * 100_000, "too_deep"),  # no recursion before the refusal
        (b'{"a": ' + b"9" * 5000 + b"}", "invalid_json"),  # beyond Python's int digits limit
        (b'{"a": 1', "invalid_json"),
        (b" " * 1_000_001, "too_large"),
    ],
)
def test_unstorable_json_is_refused_with_its_reason(body, code):
    with pytest.raises(UnsafeInput) as refused:
        loads(body, max_bytes=1_000_000, max_depth=5)
    assert refused.value.code == code and str(refused.value)


def test_storable_json_passes_unchanged():
    body = '{"answers": {"q1": "Có", "q3": 1e30, "q2": ["a", "b"], "q4": -0.5, "q5": "😀 \\u00e9"}}'
    assert loads(body.encode(), max_bytes=1000, max_depth=5) == {
        "answers": {"q1": "Có", "q3": 1e30, "q2": ["a", "b"], "q4": -0.5, "q5": "😀 é"}
    }


def test_nesting_depth_ignores_brackets_inside_strings():
    assert nesting_depth('{"a": "[[[[{{{{", "b": [1, {"c": "\\"]]]"}]}') == 3


def test_text_problem_names_nul_and_surrogates():
    assert text_problem("ok") is None
    assert text_problem("a\x00") == "nul"
    assert text_problem("a\ud800") == "surrogate"


@pytest.mark.parametrize(
    "raw", ["1e30", "-1e30", "1e400", "NaN", "Infinity", "sNaN", "x", "", None, "1" * 65]
)
def test_numbers_no_column_holds_are_none_never_an_error(raw):
    assert parse_decimal(raw, places=2, max_abs=Decimal(100)) is None


def test_parse_decimal_accepts_a_decimal_comma_and_checks_places():
    assert parse_decimal("12,5", places=2, max_abs=Decimal(100)) == Decimal("12.5")
    assert parse_decimal("12.345", places=2, max_abs=Decimal(100)) is None
    assert as_decimal("1e30") == Decimal("1e30")


def test_storable_text_drops_what_cannot_be_stored_and_cuts_to_length():
    from kit.safeinput import storable_text, text_problem

    value = "q:gi\x00ới\ud800 tính" * 3
    kept = storable_text(value, length=12)
    assert text_problem(kept) is None and kept == ("q:giới tính" * 2)[:12]
    assert storable_text("đúng", length=10) == "đúng"


# ------------------------------------------------------------------ the fast paths agree with the plain ones
_PLAIN_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)  # the literal as first written


@given(st.text(alphabet='"\\[]{}a\n', max_size=40))
def test_the_unrolled_string_pattern_removes_what_the_plain_one_removes(text):
    assert safeinput._STRING.sub("", text) == _PLAIN_STRING.sub("", text)


# Text with what the check looks for (NUL, lone and paired surrogates) and what looks like it (escaped
# backslashes followed by u0000), beside any other text.
_TEXT = st.text(
    alphabet=st.sampled_from(["a", "é", "\x00", "\ud800", "\udfff", "\ud83d", "😀", "\\", '"', "u", "0"])
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_TEXT, children, max_size=4),
    max_leaves=12,
)


def _refusal(body: bytes) -> str | None:
    try:
        safeinput.loads(body, max_bytes=10_000, max_depth=5)
    except UnsafeInput as exc:
        return exc.code
    return None


@given(_JSON, st.booleans())
def test_strings_are_checked_whenever_they_could_hold_a_nul_or_a_lone_surrogate(value, ascii_only):
    """The walk over the strings is skipped when the text has no \\u0000 or \\uD8xx–\\uDFxx escape: the
    refusal is the one of the full check, for bodies written either way."""
    body = json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    expected = None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        expected = "not_utf8"
    if expected is None and safeinput.nesting_depth(body.decode()) > 5:
        expected = "too_deep"
    if expected is None:
        expected = safeinput._first_text_problem(json.loads(body))
    assert _refusal(body) == expected
