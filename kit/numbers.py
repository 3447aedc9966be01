"""Numbers as people type and read them: a decimal typed with a comma or a point in any browser
(`parse_decimal`, the one parser of record behind the respondent page, field entry and scoring), and one
display format for the same quantity on pages, charts and workbooks (`format_number`, `XLSX_FORMATS`).

Policy: docs/decisions.md D100 (typed decimals) and D101 (display).
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _

# One optional sign, digits, at most one decimal mark (comma or point) and no grouping: "1,5", "1.5",
# "-2", ",5". Only ASCII digits: Decimal() would also read other scripts' digits and "1_5" as 15.
_TYPED = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
# Looks like thousands grouping ("1.234,5", "1,234.5", "1 234", "1.234.567"): refused, never guessed.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:[ .,\u00a0][0-9]{3})+(?:[.,][0-9]+)?")
# One mark followed by exactly three digits after 1–999: "1.500" is 1500 to a Vietnamese reader and 1.5 to
# an English one. Refused too, so that neither reading is stored by mistake ("0,125" and "1,25" are fine).
_AMBIGUOUS = re.compile(r"[+-]?[1-9][0-9]{0,2}[.,][0-9]{3}")


class NotANumber(ValueError):
    """The text is not a number this parser accepts; `message` says so in the user's language."""

    def __init__(self, text: str, *, grouped: bool = False) -> None:
        self.text = text
        self.grouped = grouped
        super().__init__(text)

    @property
    def message(self) -> str:
        templates = number_messages()
        return templates["grouped" if self.grouped else "not_number"] % {"text": self.text}


def number_messages() -> dict[str, str]:
    """The parser's messages as templates with %(text)s, for the pages that check as the user types
    (static/fieldwork/entry.js mirrors this parser)."""
    return {
        "not_number": _(
            "“%(text)s” is not a number. Write digits, with a comma for decimals (for example 1,5)."
        ),
        "grouped": _(
            "“%(text)s”: write the number without thousands separators, with a comma for decimals "
            "(for example 1500 or 1,5)."
        ),
    }


def parse_decimal(value: object) -> Decimal:
    """The number typed, exactly: "1,5" and "1.5" are both 1.5 whatever the browser's language.

    Numbers already parsed (JSON numbers from the field app) are taken as they are. Raises NotANumber for
    anything else, with a message for the user: never a different number than the one typed.
    """
    if isinstance(value, bool):
        raise NotANumber(str(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise NotANumber(str(value))
        return number
    if not isinstance(value, str):
        raise NotANumber(str(value))
    text = unicodedata.normalize("NFKC", value).strip().replace("\u2212", "-")
    if _TYPED.fullmatch(text) and not _AMBIGUOUS.fullmatch(text):
        try:
            return Decimal(text.replace(",", ".").rstrip("."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            raise NotANumber(value.strip()) from None
    raise NotANumber(value.strip()[:40], grouped=bool(_GROUPED.fullmatch(text)))


def as_plain(number: Decimal | int | float) -> int | float:
    """A parsed number as JSON stores it: an int when whole, else the float of the digits typed."""
    number = Decimal(number) if not isinstance(number, Decimal) else number
    return int(number) if number == number.to_integral_value() else float(number)


# --- display ----------------------------------------------------------------------------------------------

# Decimals shown for each kind of quantity, everywhere (pages, charts, workbooks). docs/decisions.md D101.
DECIMALS = {
    "points": 2,  # criteria points, domain totals, points lost
    "index": 2,  # an index 0–100 (PAR INDEX, SIPAS), its change and interval bounds
    "percent": 1,  # a share or rate shown as a percentage (response rate, share of the maximum)
    "count": 0,
    "ratio": 2,  # a ratio or a deviation shown as a plain number (quality flags)
}
# The same, as Excel number formats: the workbook keeps real numbers and shows them like the pages.
XLSX_FORMATS = {
    "points": "0.00",
    "index": "0.00",
    "percent": "0.0",
    "count": "0",
    "ratio": "0.00",
}


def format_number(value: object, kind: str | int = "points", *, empty: str = "–") -> str:
    """`value` in the active language's format (Vietnamese: 1.234,56) with the decimals of its kind
    (a key of DECIMALS, or a number of decimals); `empty` for None and NaN."""
    if value is None or value == "":
        return empty
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return empty
    decimals = kind if isinstance(kind, int) else DECIMALS[kind]
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0,00"
    sign, digits = ("-" if rounded < 0 else ""), format(abs(rounded), "f")
    whole, _dot, fraction = digits.partition(".")
    # Grouped by three whatever the locale file says (Django's Vietnamese format sets no grouping).
    grouped = f"{int(whole):,}".replace(",", formats.get_format("THOUSAND_SEPARATOR"))
    return sign + grouped + (formats.get_format("DECIMAL_SEPARATOR") + fraction if fraction else "")


def format_typed(value: object) -> str:
    """A stored answer shown back in its input as the user would type it: the digits kept, a decimal
    comma in Vietnamese ("1,5"), no grouping (the parser refuses grouping)."""
    if value is None or value == "":
        return ""
    try:
        number = parse_decimal(value)
    except NotANumber:
        return str(value)
    text = format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))
