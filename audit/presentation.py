"""Audit events as a person reads them: the campaign's name, the object's kind, and each detail with a
label and a plain value (no Python dicts, no None, no field names). The stored event is unchanged."""

import datetime
import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from kit.numbers import format_typed
from respondents.models import Campaign, Unit

LABELS = {
    "file": _("file"),
    "unit": _("unit"),
    "source": _("from"),
    "added": _("added"),
    "updated": _("changed"),
    "unchanged": _("unchanged"),
    "retired": _("removed"),
    "before": _("before"),
    "after": _("after"),
    "points": _("points"),
    "self_points": _("self-assessed points"),
    "reason": _("reason"),
    "item": _("item"),
    "assessment": _("assessment"),
    "figures": _("figures"),
    "value_current": _("this year"),
    "value_previous": _("previous year"),
    "target": _("target"),
    "achieved": _("achieved"),
    "export": _("export"),
    "rows": _("rows"),
    "personal": _("with personal data"),
    "suppressed": _("small groups hidden"),
    "analyst": _("analyst"),
    "valid_until": _("valid until"),
    "respondent": _("respondent"),
}
VALUES = {
    "web": _("web page"),
    "command": _("command line"),
    "api": _("API"),
    "admin": _("administration pages"),
    "respondent_list": _("respondent list"),
    "tracking": _("response tracking"),
    "demo": _("demo"),
}
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class EventView:
    campaign: str
    object: str
    details: list[tuple[str, str]]


def present(events) -> list[tuple[object, EventView]]:
    """(event, what to show) for a page of events; campaign names read in one query."""
    events = list(events)
    names = dict(
        Campaign.objects.filter(slug__in={e.campaign_slug for e in events if e.campaign_slug}).values_list(
            "slug", "name"
        )
    )
    return [
        (e, EventView(names.get(e.campaign_slug, e.campaign_slug), _object(e), _details(e))) for e in events
    ]


def _object(event) -> str:
    if not event.object_type:
        return ""
    try:
        kind = apps.get_model(event.object_type)._meta.verbose_name
    except (LookupError, ValueError):
        kind = event.object_type
    return f"{kind} #{event.object_id}"


def _details(event) -> list[tuple[str, str]]:
    shown = []
    for key, value in event.detail.items():
        label = str(LABELS.get(key, _field_label(event, key)))
        shown.append((label, _unit_name(event, value) if key == "unit" else _value(event, value)))
    return shown


def _unit_name(event, code) -> str:
    unit = (
        Unit.objects.filter(province_id=event.province_id, code=code).only("name").first() if code else None
    )
    return unit.name if unit else _value(event, code)


def _field_label(event, name: str) -> str:
    """A model field changed in the admin pages: its verbose name."""
    try:
        model = apps.get_model(event.object_type)
        field = model._meta.get_field(name)
        # A reverse relation (e.g. a sample design's "strata" in field.sample_drawn) has no verbose name.
        return str(getattr(field, "verbose_name", name.replace("_", " ")))
    except (LookupError, ValueError, FieldDoesNotExist):
        return name.replace("_", " ")


def _value(event, value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        return "; ".join(
            f"{LABELS.get(k, _field_label(event, k))}: {_value(event, v)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return ", ".join(_value(event, v) for v in value)
    if isinstance(value, int | float):
        return format_typed(value)
    text = str(value)
    if text in VALUES:
        return str(VALUES[text])
    if _NUMBER.match(text):
        return format_typed(text)
    if _ISO_DAY.match(text):
        return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")
    return text
