"""Read queries of the surveys app."""

import datetime
import functools
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    Count,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.collation import vi_key, vi_order
from kit.numbers import format_number
from respondents.models import Campaign, Respondent, RespondentGroup, Unit
from respondents.selectors import accessible_units, campaign_units, may_track

from .models import Invitation, Message, Questionnaire


def may_see_non_responders(user: User | AnonymousUser, campaign: Campaign) -> bool:
    """The non-responders page: whoever tracks the campaign, and focal points for their own units."""
    return may_track(user, campaign) or accessible_units(user, campaign).exists()


@dataclass(frozen=True)
class ResponseSummary:
    invited: int
    submitted: int

    @property
    def rate(self) -> float | None:
        return percent(self.submitted, self.invited)

    @property
    def rate_text(self) -> str:
        return f"{format_number(self.rate, 'percent')}%" if self.rate is not None else "–"


def response_summary(campaign: Campaign) -> ResponseSummary:
    """Invited and submitted over the campaign's current respondents: one query (the home dashboard)."""
    counts = tracked_invitations(campaign).aggregate(invited=Count("pk"), submitted=Count("submitted_at"))
    return ResponseSummary(invited=counts["invited"], submitted=counts["submitted"])


def questionnaire_for(campaign: Campaign, group: RespondentGroup | str) -> Questionnaire | None:
    """The current questionnaire the campaign asks this group (a group answers at most one, see
    services/questionnaires.py), or None when no questionnaire has been loaded for it."""
    group_filter = {"groups__code": group} if isinstance(group, str) else {"groups": group}
    return Questionnaire.objects.filter(campaign=campaign, is_current=True, **group_filter).first()


# ---------------------------------------------------------------------------------------------------------
# Response tracking (the coordinator's dashboard, `response_rates` command, tracking export).
# ---------------------------------------------------------------------------------------------------------

FIGURES = ("invited", "email_sent", "email_failed", "opened", "started", "submitted")
EMAIL_SENT_STATUSES = (Message.Status.SENT, Message.Status.DELIVERED)
EMAIL_FAILED_STATUSES = (Message.Status.FAILED, Message.Status.BOUNCED)
PROVINCE_LEVEL = "province"
COMMUNE_LEVEL = "commune"
DISTRICT_LEVEL = "district"


def percent(part: int, whole: int) -> float | None:
    """part / whole in percent, one decimal, halves rounded up (1/16 -> 6.3); None when whole is 0."""
    if not whole:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def district_bucket(*, kind: str, code: str, parent_kind: str | None, parent_code: str | None) -> tuple:
    """The (level, district code) a unit's figures are counted under in the "by district" breakdown.

    - a district is its own district: ("district", its code);
    - a commune whose parent is a district belongs to that district: ("district", parent's code);
    - departments, boards, sectors and the provincial council: ("province", None), the province level;
    - a commune without a district parent: ("commune", None), the commune level.
    Units, kinds and parents are the campaign year's dated data (docs/methodology.md §8.1): from 1 July 2025
    there are no districts, so a later campaign shows only the province and commune levels.
    """
    if kind == Unit.Kind.DISTRICT:
        return (DISTRICT_LEVEL, code)
    if kind == Unit.Kind.COMMUNE:
        if parent_kind == Unit.Kind.DISTRICT:
            return (DISTRICT_LEVEL, parent_code)
        return (COMMUNE_LEVEL, None)
    return (PROVINCE_LEVEL, None)


def tracked_invitations(campaign: Campaign) -> QuerySet[Invitation]:
    """Invitations of the campaign's current respondents (a retired person's invitation no longer counts)."""
    return Invitation.objects.filter(
        campaign=campaign, respondent__campaign=campaign, respondent__retired_at__isnull=True
    )


def response_rates(campaign: Campaign, *, today: datetime.date | None = None) -> dict:
    """Invited, e-mailed, opened, started and submitted, overall and by group, unit, district and day.

    Figures and the day series come from one aggregate query (see `_cells`), rolled up here over its few
    rows (never over respondents), plus one for the groups and two for the units: four queries whatever the
    number of respondents. `invited` counts invitations of current respondents;
    `email_sent` / `email_failed` the invitations whose invitation e-mail is sent or delivered / failed or
    bounced; `opened`, `started`, `submitted` the Invitation timestamps; `response_rate` = submitted /
    invited in percent (None when nobody is invited). A group's target is
    `campaign.response_targets[code]`, `required` the submissions it asks for (rounded up) and `needed` those
    still missing; the overall target (docs/decisions.md D14) is the groups' required submissions over
    everyone invited, met when every targeted group is met.
    """
    today = today or timezone.localdate()
    cells, day_counts = _cells(campaign)
    groups = _groups(campaign, {c["group_id"] for c in cells})
    units = _units(campaign, {c["unit_id"] for c in cells})
    targets = _targets(campaign)

    by_group_tally = {g.pk: _tally() for g in groups}
    by_unit_tally = {u.pk: _tally() for u in units}
    for cell in cells:
        _add(by_group_tally[cell["group_id"]], cell)
        _add(by_unit_tally[cell["unit_id"]], cell)

    by_group = []
    for group in groups:
        tally = by_group_tally[group.pk]
        row = {"code": group.code, "name": group.name, **_figures(tally)}
        row.update(_target_figures(tally, targets.get(group.code)))
        by_group.append(row)

    by_unit = [
        {"code": u.code, "name": u.name, "kind": u.kind, **_figures(by_unit_tally[u.pk])} for u in units
    ]
    overall_tally = _tally()
    for tally in by_unit_tally.values():
        _add(overall_tally, tally)
    overall = {**_figures(overall_tally), **_overall_target(by_group, overall_tally["invited"])}
    return {
        "overall": overall,
        "by_group": by_group,
        "by_unit": by_unit,
        "by_district": _by_district(units, by_unit_tally),
        "by_day": _by_day(campaign, day_counts, today=today),
    }


def non_responders(campaign: Campaign, unit: Unit | None = None) -> QuerySet[Respondent]:
    """Current respondents invited and not submitted, by unit then name, with their invitation e-mail status.

    `email_status` is the status of the invitation e-mail (None when none was queued), so a focal point can
    see whose address bounced.
    """
    email = Message.objects.filter(
        invitation=OuterRef("invitation"), channel=Message.Channel.EMAIL, kind=Message.Kind.INVITATION
    )
    people = (
        Respondent.objects.current()
        .filter(campaign=campaign, invitation__campaign=campaign, invitation__submitted_at__isnull=True)
        .select_related("unit", "group", "invitation")
        .annotate(email_status=Subquery(email.values("status")[:1]))
        .order_by("unit__kind", vi_order("unit__name"), "unit_id", vi_order("full_name"), "pk")
    )
    return people.filter(unit=unit) if unit is not None else people


DAY_FIELDS = {"opened": "opened_at", "started": "started_at", "submitted": "submitted_at"}


def _cells(campaign: Campaign) -> tuple[list[dict], dict[datetime.date, dict[str, int]]]:
    """Figures per (unit, group) and opened/started/submitted per day, from one pass over the invitations.

    The query groups by (unit, group, day opened, day started, day submitted), a few thousand rows at most
    for a campaign of 100,000, rolled up here into the cells and the day counts. Each invitation is joined
    to its invitation e-mail: there is at most one, as queuing gives it sequence 0 and (invitation,
    channel, kind, sequence) is unique (constraint `message_once`), so no invitation is counted twice. One
    pass with a join is 4x faster than two subqueries per invitation plus a query per day field
    (bench/tracking.py). Days are calendar days in the project's time zone (Asia/Ho_Chi_Minh).
    """
    tz = timezone.get_default_timezone()
    email = FilteredRelation(
        "messages",
        condition=Q(
            messages__channel=Message.Channel.EMAIL,
            messages__kind=Message.Kind.INVITATION,
            messages__sequence=0,
        ),
    )
    rows = (
        tracked_invitations(campaign)
        .annotate(email=email, **{f"{name}_day": _local_day(f, tz) for name, f in DAY_FIELDS.items()})
        .values(
            "opened_day",
            "started_day",
            "submitted_day",
            unit_id=F("respondent__unit_id"),
            group_id=F("respondent__group_id"),
        )
        # Only the grouping keys and the e-mail status go through the sort: opened/started/submitted are
        # the rows with a day, counted below.
        .annotate(
            invited=Count("*"),
            email_sent=Count("email__status", filter=Q(email__status__in=EMAIL_SENT_STATUSES)),
            email_failed=Count("email__status", filter=Q(email__status__in=EMAIL_FAILED_STATUSES)),
        )
        .order_by()
    )
    cells: dict[tuple[int, int], dict] = {}
    days: dict[datetime.date, dict[str, int]] = {}
    for row in rows:
        key = (row["unit_id"], row["group_id"])
        if key not in cells:
            cells[key] = {"unit_id": key[0], "group_id": key[1], **_tally()}
        cell = cells[key]
        for name in ("invited", "email_sent", "email_failed"):
            cell[name] += row[name]
        for name in DAY_FIELDS:
            day = row[f"{name}_day"]
            if day is not None:
                cell[name] += row["invited"]
                counts = days.setdefault(day, dict.fromkeys(DAY_FIELDS, 0))
                counts[name] += row["invited"]
    return list(cells.values()), days


def _local_day(field: str, tz: datetime.tzinfo) -> Func:
    """The calendar day of a timestamp in `tz`. A zone with one UTC offset all year (Asia/Ho_Chi_Minh, UTC+7
    since 1975) is shifted by that offset, which PostgreSQL computes 40 ms faster per 100,000 invitations
    than converting each timestamp to the zone, and SQLite in its own C date function instead of Django's
    Python one (1.2 s of 1.3 s per 100,000 invitations, docs/decisions.md D400); any other zone is
    converted."""
    offset = _fixed_utc_offset(tz)
    if offset is None:
        return TruncDate(field, tzinfo=tz)
    shifted = ExpressionWrapper(F(field) + Value(offset), output_field=DateTimeField())
    return _ShiftedDay(field, offset=offset, generic=TruncDate(shifted, tzinfo=datetime.UTC))


class _ShiftedDay(Func):
    """The UTC calendar day of `field` + `offset`: SQLite's native date() with a seconds modifier (its
    datetimes are stored as UTC text), `generic` (Django's TruncDate) on every other database."""

    output_field = DateField()

    def __init__(self, field: str, *, offset: datetime.timedelta, generic: TruncDate) -> None:
        super().__init__(F(field), generic)
        self.seconds = int(offset.total_seconds())

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:  # noqa: ANN401
        return compiler.compile(self.source_expressions[1])

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, Any]:  # noqa: ANN401
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '{self.seconds:+d} seconds')", params


@functools.cache
def _fixed_utc_offset(tz: datetime.tzinfo) -> datetime.timedelta | None:
    """The zone's UTC offset if it is the same on the 1st and 16th of every month of 2000–2100, else None."""
    offsets = {
        datetime.datetime(year, month, day, 12, tzinfo=tz).utcoffset()
        for year in range(2000, 2101)
        for month in range(1, 13)
        for day in (1, 16)
    }
    return offsets.pop() if len(offsets) == 1 else None


def _groups(campaign: Campaign, invited_group_ids: set[int]) -> list[RespondentGroup]:
    """The campaign's groups, plus any group someone was invited in (so that no invitation goes uncounted)."""
    return list(
        RespondentGroup.objects.filter(Q(campaigns=campaign) | Q(pk__in=invited_group_ids))
        .distinct()
        .order_by("order", "code")
    )


def _units(campaign: Campaign, invited_unit_ids: set[int]) -> list[Unit]:
    in_scope = campaign_units(campaign).values("pk")
    units = Unit.objects.filter(Q(pk__in=in_scope) | Q(pk__in=invited_unit_ids)).select_related("parent")
    return sorted(units, key=lambda u: (u.kind, vi_key(u.name), u.code))  # docs/decisions.md D103


def _targets(campaign: Campaign) -> dict[str, Fraction]:
    targets = {}
    for code, value in (campaign.response_targets or {}).items():
        try:
            targets[code] = Fraction(str(value))
        except (ValueError, ZeroDivisionError):
            continue  # a malformed target is ignored rather than breaking the dashboard
    return targets


def _tally() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


def _add(tally: dict[str, int], figures: dict) -> None:
    for name in FIGURES:
        tally[name] += figures[name]


def _figures(tally: dict[str, int]) -> dict:
    return {**tally, "response_rate": percent(tally["submitted"], tally["invited"])}


def _target_figures(tally: dict[str, int], target: Fraction | None) -> dict:
    """A group's target, whether it is met, the submissions it requires and those still needed."""
    if target is None:
        return {"target": None, "target_met": None, "required": None, "needed": None}
    required = math.ceil(target * tally["invited"] / 100)
    return {
        "target": float(target),
        "target_met": tally["submitted"] >= required if tally["invited"] else None,
        "required": required,
        "needed": max(0, required - tally["submitted"]),
    }


def _overall_target(by_group: list[dict], invited: int) -> dict:
    """The overall target is the rate reached when every targeted group exactly meets its target: the
    submissions the group targets require over everyone invited (docs/decisions.md D14). Met when every
    group is met."""
    targeted = [row for row in by_group if row["target"] is not None and row["invited"]]
    if not targeted:
        return {"target": None, "target_met": None, "required": None, "needed": None}
    required = sum(row["required"] for row in targeted)
    return {
        "target": percent(required, invited),
        "target_met": all(row["target_met"] for row in targeted),
        "required": required,
        "needed": sum(row["needed"] for row in targeted),
    }


def _by_district(units: list[Unit], by_unit_tally: dict[int, dict[str, int]]) -> list[dict]:
    """Rows in the order province level, districts by name, commune level; see `district_bucket`."""
    buckets: dict[tuple, dict[str, int]] = {}
    names: dict[tuple, str] = {}
    for unit in units:
        parent = unit.parent
        key = district_bucket(
            kind=unit.kind,
            code=unit.code,
            parent_kind=parent.kind if parent else None,
            parent_code=parent.code if parent else None,
        )
        _add(buckets.setdefault(key, _tally()), by_unit_tally[unit.pk])
        if key[0] == DISTRICT_LEVEL:
            district = unit if unit.kind == Unit.Kind.DISTRICT else parent
            names[key] = district.name
    level_names = {PROVINCE_LEVEL: _("Province level"), COMMUNE_LEVEL: _("Commune level")}
    order = {PROVINCE_LEVEL: 0, DISTRICT_LEVEL: 1, COMMUNE_LEVEL: 2}
    keys = sorted(buckets, key=lambda k: (order[k[0]], vi_key(names.get(k, "")), k[1] or ""))
    return [
        {
            "level": level,
            "code": code,
            "name": names[(level, code)] if level == DISTRICT_LEVEL else str(level_names[level]),
            **_figures(buckets[(level, code)]),
        }
        for level, code in keys
    ]


def _by_day(
    campaign: Campaign, counts: dict[datetime.date, dict[str, int]], *, today: datetime.date
) -> list[dict]:
    """Opened, started and submitted per calendar day in the project's time zone (Asia/Ho_Chi_Minh).

    The series runs over the survey period (survey_opens … survey_closes, not past `today`), widened to
    every day with an event; without survey dates, from the first to the last day with an event.
    """
    days = set(counts)
    if campaign.survey_opens and campaign.survey_opens <= today:
        days.add(campaign.survey_opens)
        days.add(min(today, campaign.survey_closes or today))
    if not days:
        return []
    rows, cumulative = [], 0
    day, last = min(days), max(days)
    while day <= last:
        found = counts.get(day, {})
        cumulative += found.get("submitted", 0)
        rows.append(
            {
                "date": day,
                "opened": found.get("opened", 0),
                "started": found.get("started", 0),
                "submitted": found.get("submitted", 0),
                "submitted_cumulative": cumulative,
            }
        )
        day += datetime.timedelta(days=1)
    return rows
