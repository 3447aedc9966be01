"""Checking answers against a questionnaire definition: types, ranges, required questions, skip rules."""

import datetime
import re
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kit.numbers import NotANumber, as_plain, format_typed, parse_decimal
from kit.text import clean_multiline

from .definitions import localised, questions
from .expressions import holds


def is_visible(question: dict, answers: dict) -> bool:
    """Whether the question shows for these answers: its section's and group's conditions (`within`), its
    own `relevant` expression and its `show_if` rule must all hold."""
    for expression in question.get("within", ()):
        if not holds(expression, answers):
            return False
    if question.get("relevant") and not holds(question["relevant"], answers):
        return False
    condition = question.get("show_if")
    if not condition:
        return True
    given = answers.get(condition["question"])
    if "equals" in condition:
        return given == condition["equals"] or (isinstance(given, list) and condition["equals"] in given)
    allowed = condition["in"]
    return given in allowed or (isinstance(given, list) and any(v in allowed for v in given))


def clean_answers(definition: dict, raw: dict, *, final: bool) -> tuple[dict, dict[str, str]]:
    """(answers kept, errors by question code). Hidden questions' answers are dropped; unknown codes too.

    A draft (final=False) keeps every valid answer and ignores missing ones; a submission (final=True)
    also requires every visible required question.
    """
    if not isinstance(raw, dict):
        return {}, {"": _("Answers must be an object of question codes.")}
    cleaned: dict = {}
    errors: dict[str, str] = {}
    for question in questions(definition):
        code = question["code"]
        if question["type"] == "note":
            continue
        # is_visible() is True for a question with none of its three conditions: not called then.
        conditional = "within" in question or "relevant" in question or "show_if" in question
        if conditional and not is_visible(question, cleaned):
            continue
        value = raw.get(code)
        if value in (None, "", []):
            if final and question.get("required", True):
                errors[code] = _("This question needs an answer.")
            continue
        value, error = _clean_value(question, value)
        if error is None and question.get("constraint") and not holds(question["constraint"], cleaned, value):
            error = localised(question, "constraint_message", get_language()) or _(
                "This answer is not allowed."
            )
        if error:
            errors[code] = error
        else:
            cleaned[code] = value
    return cleaned, errors


def _clean_value(question: dict[str, Any], value: object) -> tuple[object, str | None]:
    kind = question["type"]
    if kind in ("scale", "single"):
        if type(value) is int or type(value) is str:
            # An option as given: what _coerce_choice gives back for a value in the options (equality
            # as the set's membership below; int and str hash as they compare).
            for option in question["options"]:
                if option["value"] == value:
                    return value, None
        allowed = {option["value"] for option in question["options"]}
        value = _coerce_choice(value, allowed)
        if value not in allowed:
            return None, _("Choose one of the options.")
        return value, None
    if kind == "multiple":
        allowed = {option["value"] for option in question["options"]}
        values = value if isinstance(value, list) else [value]
        values = [_coerce_choice(v, allowed) for v in values]
        if not all(v in allowed for v in values):
            return None, _("Choose among the options.")
        return sorted(set(values), key=[o["value"] for o in question["options"]].index), None
    if kind == "number":
        # "1,5" and "1.5" are 1.5 in every browser language; anything else is refused with the text typed
        # (docs/decisions.md D100), never read as another number.
        try:
            number = parse_decimal(value)
        except NotANumber as error:
            return None, error.message
        if question.get("integer") and number != number.to_integral_value():
            return None, _("Enter a whole number.")
        too_low = "min" in question and number < Decimal(str(question["min"]))
        if too_low or ("max" in question and number > Decimal(str(question["max"]))):
            return None, _("Enter a number from %(min)s to %(max)s.") % {
                "min": format_typed(question["min"]) if "min" in question else "…",
                "max": format_typed(question["max"]) if "max" in question else "…",
            }
        return as_plain(number), None
    if kind == "date":
        day = _date(str(value))
        return (day.isoformat(), None) if day else (None, _("Enter a date (day, month, year)."))
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None, _("Enter text.")
    # Control characters (NUL above all, which PostgreSQL refuses in JSON), zero-width and direction-override
    # characters (display spoofing) are never part of an answer: kit/text.py, docs/decisions.md D50.
    text = clean_multiline(value)
    if len(text) > question.get("max_length", 1000):
        return None, _("At most %(n)s characters.") % {"n": question.get("max_length", 1000)}
    return text, None


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DMY_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _date(text: str) -> datetime.date | None:
    """A date as a date field sends it (2025-03-31) or as Vietnamese write it (31/3/2025)."""
    text = text.strip()
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DMY_DATE.fullmatch(text):
        day, month, year = match.groups()
    else:
        return None
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


_CHOICE_NUMBER = re.compile(r"-?[0-9]{1,9}")


def _coerce_choice(value: object, allowed: set[int | str]) -> int | str | None:
    """The option meant, or None. Form posts carry text: '3' means the option 3 when the options are
    numbers (and 3 means '3' when they are text); true, lists and objects are never options."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    if value in allowed:
        return value
    if isinstance(value, int) and str(value) in allowed:
        return str(value)
    if isinstance(value, str) and _CHOICE_NUMBER.fullmatch(value.strip()) and int(value) in allowed:
        return int(value)
    return None
