"""The one decimal parser of record (kit/numbers.py, docs/decisions.md D100) and the one display format."""

from decimal import Decimal

import pytest
from django.utils import translation

from kit.numbers import NotANumber, format_number, format_typed, parse_decimal


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("1,5", Decimal("1.5")),
        ("1.5", Decimal("1.5")),
        (" 12 ", Decimal(12)),
        ("-2,25", Decimal("-2.25")),
        (",5", Decimal("0.5")),
        ("0,125", Decimal("0.125")),  # starts with 0: never grouping
        ("1,25", Decimal("1.25")),
        ("1234,5", Decimal("1234.5")),
        ("3.", Decimal(3)),
        ("１,５", Decimal("1.5")),  # full-width digits from a Vietnamese IME
        ("−3", Decimal(-3)),  # the minus sign of some keyboards
        (2, Decimal(2)),
        (1.5, Decimal("1.5")),  # JSON numbers taken as they are
        (0.1, Decimal("0.1")),  # the shortest digits of the float, not its binary expansion
    ],
)
def test_a_decimal_is_read_as_typed_with_a_comma_or_a_point(typed, number):
    assert parse_decimal(typed) == number


@pytest.mark.parametrize(
    ("typed", "grouped"),
    [
        ("abc", False),
        ("1,5,0", False),
        ("1_5", False),  # Decimal() reads 15
        ("0x10", False),  # JavaScript's Number() reads 16
        ("1e3", False),
        ("NaN", False),
        ("Infinity", False),
        ("", False),
        ("١٢", False),  # Arabic-Indic digits: Decimal() would accept them
        ("1.234,5", True),
        ("1,234.5", True),
        ("1 234", True),
        ("1.500", True),  # 1500 to a Vietnamese reader, 1.5 to an English one: refused, not guessed
        ("2,500", True),
        (True, False),
        (float("nan"), False),
        (float("inf"), False),
    ],
)
def test_anything_but_one_plain_decimal_is_refused_with_the_text_in_the_message(typed, grouped):
    with pytest.raises(NotANumber) as caught:
        parse_decimal(typed)
    assert caught.value.grouped is grouped
    with translation.override("vi"):
        message = caught.value.message
    assert str(typed).strip()[:10] in message
    assert "1,5" in message and "số" in message


@pytest.mark.parametrize(
    ("value", "kind", "vi", "en"),
    [
        (0.5, "points", "0,50", "0.50"),
        (Decimal("0.5000"), "points", "0,50", "0.50"),
        (1234.567, "points", "1.234,57", "1,234.57"),
        (72.349, "index", "72,35", "72.35"),
        (12.25, "percent", "12,3", "12.3"),  # half up, as people round
        (-0.001, "points", "0,00", "0.00"),
        (None, "points", "–", "–"),
        (float("nan"), "index", "–", "–"),
        (1500, "count", "1.500", "1,500"),
    ],
)
def test_one_format_per_quantity_in_the_active_language(value, kind, vi, en):
    with translation.override("vi"):
        assert format_number(value, kind) == vi
    with translation.override("en"):
        assert format_number(value, kind) == en


def test_a_stored_number_is_shown_back_as_one_would_type_it():
    with translation.override("vi"):
        assert format_typed(1.5) == "1,5"
        assert format_typed(12) == "12"
        assert format_typed(1e-7) == "0,0000001"
        assert parse_decimal(format_typed(1234.5)) == Decimal("1234.5")  # no grouping: reads back
    with translation.override("en"):
        assert format_typed(1.5) == "1.5"
