"""Template filters of the kit, built in for every template (settings.TEMPLATES builtins)."""

from django import template

from .numbers import format_number, format_typed

register = template.Library()


@register.filter
def num(value: object, kind: str | int = "points") -> str:
    """{{ value|num:"index" }}: the one display format of a quantity (kit/numbers.py, docs/decisions.md
    D101); a number of decimals works too ({{ value|num:1 }})."""
    if isinstance(kind, str) and kind.isdigit():
        kind = int(kind)
    return format_number(value, kind)


@register.filter
def typed(value: object) -> str:
    """A stored number as one types it back into an input ("1,5")."""
    return format_typed(value)


@register.filter
def percent(value: object) -> str:
    """A share 0–1 as a percentage in the one format: {{ 0.7312|percent }} → "73,1"."""
    if value is None or value == "":
        return format_number(None)
    return format_number(float(str(value)) * 100, "percent")
