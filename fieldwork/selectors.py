"""Read queries for supervising field work: progress against quota (per team, enumerator, area and day),
aggregated in the database, and the data-quality flags of fieldwork/quality.py over a campaign's records.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from kit.collation import vi_key
from respondents.models import Campaign
from respondents.selectors import is_coordinator
from surveys.models import Questionnaire, Response
from surveys.services.definitions import questions

from .access import supervised_team_ids
from .counting import counting_responses, design_frame, field_settings
from .models import Assignment, FieldMember, FieldRecord, FieldTeam, ReviewState

if TYPE_CHECKING:  # imported where used: importing this module must stay cheap (D401)
    import pandas as pd

    from . import quality

__all__ = ["counting_responses", "design_frame", "field_settings"]  # the analysis' reads (counting.py)

SERVICE_AREA_QUESTION = "screening.area"  # surveys/definitions/sipas_citizens.yaml


def supervised_campaigns(user: User | AnonymousUser) -> QuerySet[Campaign]:
    """Campaigns with at least one field team this user supervises (coordinators: all their campaigns')."""
    teams = FieldTeam.objects.filter(pk__in=supervised_team_ids(user))
    return Campaign.objects.filter(pk__in=teams.values("campaign_id")).select_related("province")


def progress_team_ids(user: User | AnonymousUser, campaign: Campaign) -> list[int] | None:
    """The teams whose progress this user may see: None = all (coordinator), [] = none (not a supervisor)."""
    if is_coordinator(user, campaign.province_id):
        return None
    teams = FieldTeam.objects.filter(campaign=campaign, pk__in=supervised_team_ids(user))
    return sorted(teams.values_list("pk", flat=True))


def _records(campaign: Campaign, team_ids: Collection[int] | None) -> QuerySet[FieldRecord]:
    """Submitted field records not rejected in review (a rejected interview must be done again)."""
    records = FieldRecord.objects.filter(
        assignment__campaign=campaign, response__status=Response.Status.SUBMITTED
    ).exclude(review_state=ReviewState.REJECTED)
    return records if team_ids is None else records.filter(assignment__team_id__in=team_ids)


def _assignments(campaign: Campaign, team_ids: Collection[int] | None) -> QuerySet[Assignment]:
    assignments = Assignment.objects.filter(campaign=campaign)
    return assignments if team_ids is None else assignments.filter(team_id__in=team_ids)


def _share(submitted: int, quota: int) -> float | None:
    return round(100 * submitted / quota, 1) if quota else None


def _person(first: str, last: str, username: str) -> str:
    return f"{last} {first}".strip() or username


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end of `day` in the project's time zone (Vietnam's day), as aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def received_on(records: QuerySet[FieldRecord], day: datetime.date) -> QuerySet[FieldRecord]:
    """The records received (keyed or sent) on `day`, Vietnam's day: what "today" counts everywhere, on
    the enumerator's entry page and on the supervisor's progress page alike."""
    start, end = local_day_bounds(day)
    return records.filter(received_at__gte=start, received_at__lt=end)


def field_progress(
    campaign: Campaign, *, team_ids: Collection[int] | None = None, today: datetime.date | None = None
) -> dict:
    """Submitted interviews against quota: overall, by team, by enumerator, by area (assignment area and
    service area) and by interview day. `team_ids` None = every team of the campaign.

    Counts are of submitted field records, each counted under its assignment (so a commune record of a
    district assignment counts against that district's quota); days are interview days in the project's
    time zone (`interviewed_at`), so a paper form keyed later counts on the day it was filled in.
    """
    import pandas as pd

    today = today or timezone.localdate()
    records = _records(campaign, team_ids)
    assignments = _assignments(campaign, team_ids)
    cells = _cells(records)
    # "Today" is what arrived today (as the enumerator's own counter shows), not what was interviewed
    # today: a paper form filled in yesterday and keyed this morning counts today (docs/decisions.md D104).
    on_today = pd.DataFrame.from_records(
        list(
            received_on(records, today)
            .values_list("enumerator", "assignment__team")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        columns=["enumerator", "team", "n"],
    )

    teams = FieldTeam.objects.filter(campaign=campaign).order_by("code")
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    team_quota = dict(assignments.values_list("team").annotate(q=Sum("quota")).order_by())
    team_done = cells.groupby("team")["n"].sum()
    team_today = on_today.groupby("team")["n"].sum()
    by_team = []
    for team in teams:
        quota_ = team_quota.get(team.pk) or 0
        submitted = int(team_done.get(team.pk, 0))
        by_team.append(
            {"id": team.pk, "code": team.code, "name": team.name, "quota": quota_, "submitted": submitted,
             "today": int(team_today.get(team.pk, 0)), "share": _share(submitted, quota_)}
        )  # fmt: skip

    quota_total = sum(r["quota"] for r in by_team)
    submitted_total = sum(r["submitted"] for r in by_team)
    overall = {
        "quota": quota_total,
        "submitted": submitted_total,
        "today": sum(r["today"] for r in by_team),
        "share": _share(submitted_total, quota_total),
        "remaining": max(quota_total - submitted_total, 0),
    }
    return {
        "overall": overall,
        "by_team": by_team,
        "by_enumerator": _by_enumerator(cells, on_today, assignments, teams),
        "by_area": (by_area := _by_area(records, assignments, service_area_labels(campaign))),
        # Since 1 July 2025 communes sit directly under the province: no district column to fill then.
        "by_area_has_districts": any(r["district"] for r in by_area),
        "by_day": _by_day(cells),
    }


def _cells(records: QuerySet[FieldRecord]) -> pd.DataFrame:
    """Submitted interviews per (enumerator, team, interview day), with the last receipt: one query whose
    few rows (enumerators × days) give the team, enumerator and day figures."""
    import pandas as pd

    rows = (
        records.annotate(day=TruncDate("interviewed_at"))
        .values_list("enumerator", "assignment__team", "day")
        .annotate(n=Count("pk"), last=Max("received_at"))
        .order_by()
    )
    return pd.DataFrame.from_records(list(rows), columns=["enumerator", "team", "day", "n", "last"])


def _by_enumerator(
    cells: pd.DataFrame, on_today: pd.DataFrame, assignments: QuerySet[Assignment], teams: QuerySet[FieldTeam]
) -> list[dict]:
    """One row per (enumerator, team): every enumerator member of the teams, with or without submissions;
    quota = the quotas of assignments given to that enumerator personally (team-wide ones are shared)."""
    import pandas as pd

    keys = ["enumerator", "team"]
    done = cells.groupby(keys).agg(submitted=("n", "sum"), days=("day", "nunique"), last=("last", "max"))
    done["today"] = on_today.groupby(keys)["n"].sum()
    done = done.fillna({"today": 0}).astype({"submitted": int, "days": int, "today": int})
    found = {key: row for key, row in zip(done.index, done.to_dict("records"), strict=True)}
    personal = {
        (r["enumerator"], r["team"]): r["q"]
        for r in assignments.filter(enumerator__isnull=False)
        .values("enumerator", "team")
        .annotate(q=Sum("quota"))
    }
    members = FieldMember.objects.filter(team__in=teams, role=FieldMember.Role.ENUMERATOR)
    pairs = set(found) | set(personal) | set(members.values_list("user_id", "team_id"))
    users = {
        u["pk"]: u
        for u in get_user_model()
        .objects.filter(pk__in={k[0] for k in pairs})
        .values("pk", "username", "first_name", "last_name")
    }
    team_names = {t.pk: t.name for t in teams}
    rows = []
    for user_id, team_id in pairs:
        user, figures = users[user_id], found.get((user_id, team_id), {})
        quota_ = personal.get((user_id, team_id))
        submitted = figures.get("submitted", 0)
        last = figures.get("last")
        rows.append(
            {
                "id": user_id,
                "name": _person(user["first_name"], user["last_name"], user["username"]),
                "username": user["username"],
                "team": team_names.get(team_id, ""),
                "quota": quota_,
                "submitted": submitted,
                "today": figures.get("today", 0),
                "days": figures.get("days", 0),
                "last": _plain_time(last) if last is not None and not pd.isna(last) else None,
                "share": _share(submitted, quota_ or 0),
            }
        )
    return sorted(rows, key=lambda r: (vi_key(r["team"]), vi_key(r["name"])))  # docs/decisions.md D103


def service_area_labels(campaign: Campaign) -> dict[str, str]:
    """Option value → label of the `screening.area` question of the campaign's questionnaires."""
    labels = {}
    for definition in Questionnaire.objects.filter(campaign=campaign).values_list("definition", flat=True):
        for question in questions(definition):
            if question["code"] == SERVICE_AREA_QUESTION:
                labels.update({str(o["value"]): o["label"] for o in question.get("options", [])})
    return labels


def _by_area(
    records: QuerySet[FieldRecord], assignments: QuerySet[Assignment], labels: dict[str, str]
) -> list[dict]:
    """Quota and submissions per assignment area (district or commune, with its district) and service area."""
    keys = ("area", "area__code", "area__name", "area__kind", "area__parent__name", "service_area")
    quotas = assignments.values(*keys).annotate(quota=Sum("quota")).order_by()
    done = {
        (r["assignment__area"], r["assignment__service_area"]): r
        for r in records.values("assignment__area", "assignment__service_area").annotate(
            submitted=Count("pk"), enumerators=Count("enumerator", distinct=True)
        )
    }
    rows = []
    for q in quotas:
        found = done.get((q["area"], q["service_area"]), {})
        submitted = found.get("submitted", 0)
        rows.append(
            {
                "code": q["area__code"],
                "name": q["area__name"],
                "kind": q["area__kind"],
                # A district assignment is its own district; one without a service area covers them all
                # (the columns were empty for both).
                "district": q["area__parent__name"]
                or (q["area__name"] if q["area__kind"] == "district" else ""),
                "service_area": q["service_area"],
                "service_area_label": labels.get(q["service_area"], q["service_area"])
                if q["service_area"]
                else str(_("All service areas")),
                "quota": q["quota"] or 0,
                "submitted": submitted,
                "enumerators": found.get("enumerators", 0),
                "share": _share(submitted, q["quota"] or 0),
                "remaining": max((q["quota"] or 0) - submitted, 0),
            }
        )
    return sorted(rows, key=lambda r: (vi_key(r["district"]), vi_key(r["name"]), r["service_area"]))


def _by_day(cells: pd.DataFrame) -> list[dict]:
    """Interviews per day from the first to the last interview day, empty days included."""
    import pandas as pd

    if cells.empty:
        return []
    counts = cells.groupby("day")["n"].sum()
    span = pd.date_range(min(counts.index), max(counts.index), freq="D").date
    counts = counts.reindex(span, fill_value=0)
    return [
        {"date": day, "submitted": int(n), "cumulative": int(total)}
        for day, n, total in zip(counts.index, counts, counts.cumsum(), strict=True)
    ]


# --- data-quality flags ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One data-quality flag: an interview (record_id set) or an enumerator as a whole (record_id None)."""

    reason: (
        str  # straight_lining, below_floor, below_median_share, duplicate_phone, distribution, too_uniform
    )
    record_id: int | None
    form_number: str
    enumerator_id: int
    enumerator: str
    team: str
    interviewed_at: datetime.datetime | None
    evidence: dict = field(default_factory=dict)

    @property
    def form_label(self) -> str:
        """How the supervisor finds the form: its paper number, else (tablet, phone) the record's number
        as the duplicate-phone evidence names it; "" for a flag on an enumerator's forms as a whole."""
        if self.record_id is None:
            return ""
        return self.form_number or f"#{self.record_id}"


def thresholds() -> quality.Thresholds:
    from . import quality

    return quality.Thresholds.from_mapping(getattr(settings, "FIELD_QUALITY", None))


def quality_flags(
    campaign: Campaign, *, team_ids: Collection[int] | None = None, limits: quality.Thresholds | None = None
) -> list[Flag]:
    """Every flag on the campaign's submitted field records, for the given teams (None = all).

    The reference is always the whole campaign, whoever looks: the median duration, the phones seen twice
    and the other enumerators' answers are the campaign's, then the flags are filtered to the teams.
    """
    import pandas as pd

    from . import quality

    limits = limits or thresholds()
    frame = _record_frame(campaign)
    if frame.empty:
        return []
    found = []
    for code, part in frame.groupby("questionnaire"):
        items, dont_know = _scale_items(part["questionnaire_id"].unique())
        answers = pd.DataFrame.from_records(part["answers"].tolist(), index=part.index)
        if items:
            found.append(
                quality.straight_lining(answers, items=items, dont_know=dont_know, thresholds=limits)
            )
            per_enumerator = quality.enumerator_outliers(
                answers, enumerator=part["enumerator_id"], items=items, dont_know=dont_know, thresholds=limits
            )
            if not per_enumerator.empty:
                found.append(_enumerator_rows(per_enumerator, part, code))
    found.append(quality.short_interviews(frame, thresholds=limits))
    phones = quality.duplicate_phones(frame.rename(columns={"enumerator_id": "enumerator"}))
    if not phones.empty:
        forms = frame.loc[phones.index, "form_number"]
        forms = forms.where(forms != "", "#" + phones.index.astype(str).to_series(index=phones.index))
        phones["forms"] = forms.groupby(phones["phone"]).transform(lambda s: ", ".join(sorted(s)))
        found.append(phones.drop(columns="phone"))
    return _flags(frame, [f for f in found if not f.empty], team_ids, campaign)


def _record_frame(campaign: Campaign) -> pd.DataFrame:
    import pandas as pd

    columns = ["record_id", "form_number", "enumerator_id", "team_id", "duration_seconds"]
    columns += ["respondent_phone", "questionnaire_id", "questionnaire", "interviewed_at", "answers"]
    rows = _records(campaign, None).values_list(
        "pk",
        "form_number",
        "enumerator_id",
        "assignment__team_id",
        "duration_seconds",
        "respondent_phone",
        "response__questionnaire_id",
        "response__questionnaire__code",
        "interviewed_at",
        "response__answers",
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    frame["record_id"] = frame["record_id"].astype("int64")
    return frame.set_index("record_id", drop=False).rename_axis(None)


def _scale_items(questionnaire_ids: Iterable[int]) -> tuple[list[str], set]:
    """Scale questions of these versions (union, in order) and their "don't know" values (missing: true)."""
    items, dont_know = {}, set()
    for definition in Questionnaire.objects.filter(pk__in=list(questionnaire_ids)).values_list(
        "definition", flat=True
    ):
        for question in questions(definition):
            if question["type"] == "scale":
                items[question["code"]] = True
                dont_know |= {o["value"] for o in question["options"] if o.get("missing")}
    return list(items), dont_know


def _enumerator_rows(per_enumerator: pd.DataFrame, part: pd.DataFrame, code: str) -> pd.DataFrame:
    """Enumerator-level flags as frame rows without a record: indexed by a negative placeholder."""
    import pandas as pd

    rows = per_enumerator.reset_index().rename(columns={"enumerator": "enumerator_id"})
    teams = part.groupby("enumerator_id")["team_id"].first()
    rows["team_id"] = rows["enumerator_id"].map(teams)
    rows["questionnaire"] = code
    rows.index = pd.RangeIndex(-len(rows), 0)
    return rows


def _flags(
    frame: pd.DataFrame, found: list[pd.DataFrame], team_ids: Collection[int] | None, campaign: Campaign
) -> list[Flag]:
    from . import quality

    if not found:
        return []
    users = get_user_model().objects.filter(pk__in=frame["enumerator_id"].unique())
    names = {u.pk: _person(u.first_name, u.last_name, u.username) for u in users}
    teams = dict(FieldTeam.objects.filter(campaign=campaign).values_list("pk", "name"))
    allowed = None if team_ids is None else set(team_ids)
    flags = []
    evidence_skip = {"reason", "enumerator_id", "team_id", "questionnaire"}
    for table in found:
        for key, row in zip(table.index, table.to_dict("records"), strict=True):
            is_record = key >= 0
            source = frame.loc[key] if is_record else row
            team_id = int(source["team_id"])
            if allowed is not None and team_id not in allowed:
                continue
            enumerator_id = int(source["enumerator_id"])
            evidence = {k: _plain(v) for k, v in row.items() if k not in evidence_skip}
            flags.append(
                Flag(
                    reason=row["reason"],
                    record_id=int(key) if is_record else None,
                    form_number=source["form_number"] if is_record else "",
                    enumerator_id=enumerator_id,
                    enumerator=names.get(enumerator_id, ""),
                    team=teams.get(team_id, ""),
                    interviewed_at=_plain_time(source["interviewed_at"]) if is_record else None,
                    evidence=evidence,
                )
            )
    order = list(quality.REASONS)
    return sorted(flags, key=lambda f: (order.index(f.reason), f.team, f.enumerator, f.form_number))


def _plain(value: object) -> object:
    """numpy scalars as Python numbers, NaN (an untestable figure) as None, for JSON and templates."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and math.isnan(value) else value


def _plain_time(value: datetime.datetime) -> datetime.datetime:
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
