"""Setting up a province: its units from a file, and campaigns with the units and groups of their year."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kit.tabular.layout import Layout
from kit.tabular.problems import Problem, problem
from kit.tabular.walker import Duplicates, SheetWalk, walk_sheets
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import match_key

from ..models import Campaign, Province, RespondentGroup, Unit

# How a unit's kind is written, in its column or in a heading over the units of that kind ("I. CÁC SỞ,
# BAN, NGÀNH"), without case, diacritics or a leading "các" / "UBND".
_KIND_LABELS = {
    "department": Unit.Kind.DEPARTMENT,
    "so": Unit.Kind.DEPARTMENT,
    "so ban nganh": Unit.Kind.DEPARTMENT,
    "so ban nganh tinh": Unit.Kind.DEPARTMENT,
    "co quan chuyen mon": Unit.Kind.DEPARTMENT,
    "district": Unit.Kind.DISTRICT,
    "huyen": Unit.Kind.DISTRICT,
    "cap huyen": Unit.Kind.DISTRICT,
    "huyen thi xa thanh pho": Unit.Kind.DISTRICT,
    "commune": Unit.Kind.COMMUNE,
    "xa": Unit.Kind.COMMUNE,
    "cap xa": Unit.Kind.COMMUNE,
    "xa phuong": Unit.Kind.COMMUNE,
    "xa phuong thi tran": Unit.Kind.COMMUNE,
    "xa phuong dac khu": Unit.Kind.COMMUNE,
    "council": Unit.Kind.COUNCIL,
    "hdnd": Unit.Kind.COUNCIL,
    "hdnd tinh": Unit.Kind.COUNCIL,
    "hoi dong nhan dan tinh": Unit.Kind.COUNCIL,
}
_KIND_PREFIXES = ("cac ", "ubnd ", "uy ban nhan dan ", "khoi ", "don vi ")

LAYOUT = Layout(
    labels={
        "code": ["code", "ma", "ma don vi"],
        "name": ["name", "ten", "ten don vi", "don vi"],
        "kind": ["kind", "loai", "loai don vi", "cap"],
        "parent": ["parent", "parent code", "ma don vi cap tren", "don vi cap tren", "cap tren"],
        "valid_from": ["valid from", "tu ngay", "hieu luc tu"],
        "valid_until": ["valid until", "den ngay", "hieu luc den"],
        "stt": ["stt", "tt", "so tt"],
    },
    names={
        "code": "Mã",
        "name": "Tên đơn vị",
        "kind": "Loại",
        "parent": "Đơn vị cấp trên",
        "valid_from": "Từ ngày",
        "valid_until": "Đến ngày",
        "stt": "STT",
    },
    required=("code", "name"),  # the kind may come from the sheet's name or a heading
    min_fields=2,
)

# Groups a campaign of each kind surveys (docs/methodology.md §5.1); district leaders while the province
# has districts in the campaign's year, commune-level leaders when it has communes and no districts
# (two-level local government from 1 July 2025, docs/methodology.md §5.3, §8.1; docs/decisions.md D208).
DEFAULT_GROUPS = {
    Campaign.Kind.PAR_OFFICIALS: [
        "hdnd",
        "dept_leader",
        "division_leader",
        "district_leader",
        "commune_leader",
    ],
    Campaign.Kind.SIPAS_CITIZENS: ["citizen", "organisation"],
}


@dataclass
class UnitsReport:
    created: int = 0
    updated: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _UnitRow:
    sheet: SheetWalk
    row: int
    code: str
    name: str
    kind: str
    parent: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None


def import_units(*, province: Province, path: Path) -> UnitsReport:
    """Create or update a province's units from sheets with code, name, kind and optional parent code.

    The kind may instead come from the sheet's name or a heading over the rows ("I. CÁC SỞ, BAN, NGÀNH",
    docs/decisions.md D58). All or nothing: any error and nothing is written.
    """
    path = Path(path)
    report = UnitsReport()
    try:
        sheets = read_sheets(
            path,
            file_name=path.name,
            max_bytes=settings.RESPONDENT_FILE_MAX_BYTES,
            max_rows=settings.RESPONDENT_FILE_MAX_ROWS,
        )
    except UnreadableFile as exc:
        report.errors.append(problem(exc.code, file=path.name, detail=exc.detail))
        return report
    walks = walk_sheets(
        sheets,
        LAYOUT,
        file_name=path.name,
        errors=report.errors,
        warnings=report.warnings,
        heading=_kind_heading,
    )
    parsed: list[_UnitRow] = []
    codes = Duplicates()
    for walk in walks:
        parsed += _unit_rows(walk, codes, report.errors)
    if walks and not parsed and not report.errors:
        report.errors.append(problem("no_rows", file=path.name, sheet=walks[0].name))
    known = {p.code for p in parsed} | set(province.units.values_list("code", flat=True))
    for unit in parsed:
        if unit.parent and unit.parent not in known:
            report.errors.append(unit.sheet.problem("parent_unknown", unit.row, "parent", value=unit.parent))
    parents = dict(province.units.values_list("code", "parent__code"))
    parents.update({p.code: p.parent or None for p in parsed})
    for unit in parsed:
        if _in_cycle(unit.code, parents):
            report.errors.append(unit.sheet.problem("parent_cycle", unit.row, "parent", value=unit.code))
    if report.errors:
        return report
    with transaction.atomic():
        units = {}
        for row in parsed:
            unit, created = Unit.objects.update_or_create(
                province=province,
                code=row.code,
                defaults={
                    "name": row.name,
                    "kind": row.kind,
                    "valid_from": row.valid_from,
                    "valid_until": row.valid_until,
                },
            )
            units[row.code] = unit
            report.created += created
            report.updated += not created
        for row in parsed:
            if row.parent:
                parent = units.get(row.parent) or province.units.get(code=row.parent)
                Unit.objects.filter(pk=units[row.code].pk).update(parent=parent)
    return report


def _kind(text: str) -> str | None:
    key = match_key(text)
    for prefix in _KIND_PREFIXES:
        key = key.removeprefix(prefix)
    return _KIND_LABELS.get(key)


def _kind_heading(title: str) -> dict[str, object] | None:
    kind = _kind(title)
    return {"kind": kind} if kind else None


_LIMITS = {name: Unit._meta.get_field(name).max_length for name in ("code", "name")}


def _unit_rows(walk: SheetWalk, codes: Duplicates, errors: list[Problem]) -> list[_UnitRow]:
    """The row validator of a units sheet."""
    rows: list[_UnitRow] = []
    marks = len(errors)
    has_kind_column, placed = "kind" in walk.columns, False
    choices = ", ".join(str(label) for label in Unit.Kind.labels)
    for excel_row, _cells, texts in walk:
        code, name = walk.text(texts, "code"), walk.text(texts, "name")
        kind_text = walk.text(texts, "kind")
        kind = _kind(kind_text) if kind_text else walk.context.get("kind")
        placed = placed or "kind" in walk.context
        start = len(errors)
        for fld, value in (("code", code), ("name", name)):
            if not value:
                errors.append(
                    walk.problem("value_missing", excel_row, fld, variant="label", label=LAYOUT.names[fld])
                )
            elif too_long := walk.too_long(excel_row, fld, value, _LIMITS[fld]):
                errors.append(too_long)
        if kind is None:
            errors.append(
                walk.problem(
                    "kind_unknown", excel_row, "kind", variant="unit", value=kind_text, choices=choices
                )
            )
        if code and (earlier := codes.earlier(code, walk.place(excel_row))):
            errors.append(
                walk.problem("duplicate", excel_row, "code", value=code, earlier=earlier, label="Mã")
            )
        if len(errors) == start:
            rows.append(
                _UnitRow(
                    sheet=walk,
                    row=excel_row,
                    code=code,
                    name=name,
                    kind=str(kind),
                    parent=walk.text(texts, "parent"),
                    valid_from=_date(walk.text(texts, "valid_from")),
                    valid_until=_date(walk.text(texts, "valid_until")),
                )
            )
    if not has_kind_column and not placed:
        # Neither a column, the sheet's name nor a heading gives the kind: the column is missing.
        del errors[marks:]
        errors.extend(walk.missing(["kind"]))
        return []
    return rows


def _in_cycle(code: str, parents: dict[str, str | None]) -> bool:
    seen, current = set(), parents.get(code)
    while current and current not in seen:
        if current == code:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _date(text: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        return None


def units_valid_in(province: Province, year: int) -> QuerySet[Unit]:
    """The units of a campaign year: those in force on 31 December, when the round surveys (so a 2025
    campaign has the communes and wards of the two-level government, not the districts abolished on 1 July;
    docs/decisions.md D208)."""
    day = datetime.date(year, 12, 31)
    return province.units.exclude(valid_from__gt=day).exclude(valid_until__lt=day)


def local_leaders_for(codes: list[str], units: list[Unit]) -> list[str]:
    """The group codes with the local leaders' group that fits the year's units: district leaders while
    there are districts, commune-level leaders when there are communes and no districts (two-level local
    government from 1 July 2025, docs/methodology.md §8.1, docs/decisions.md D208); neither without either."""
    local = ("district_leader", "commune_leader")
    kinds = {unit.kind for unit in units}
    kept = [code for code in codes if code not in local]
    if any(code in local for code in codes):
        if Unit.Kind.DISTRICT in kinds:
            kept.append("district_leader")
        elif Unit.Kind.COMMUNE in kinds:
            kept.append("commune_leader")
    return kept


@transaction.atomic
def create_campaign(
    *,
    slug: str,
    kind: str,
    year: int,
    province: Province,
    name: str = "",
    list_deadline: datetime.date | None = None,
    group_codes: list[str] | None = None,
) -> Campaign:
    """A campaign with the province's units valid in its year and the groups its kind surveys."""
    units = list(units_valid_in(province, year))
    if group_codes is None:
        group_codes = local_leaders_for(list(DEFAULT_GROUPS[kind]), units)
    groups = list(RespondentGroup.objects.filter(code__in=group_codes))
    unknown = set(group_codes) - {g.code for g in groups}
    if unknown:
        raise ValueError(_("unknown respondent groups: %s") % ", ".join(sorted(unknown)))
    label = Campaign.Kind(kind).label
    campaign = Campaign.objects.create(
        slug=slugify(slug),
        kind=kind,
        year=year,
        province=province,
        name=name or f"{label} {year} – {province.name}",
        list_deadline=list_deadline or datetime.date(year, 12, 10),
    )
    campaign.units.set(units)
    campaign.groups.set(groups)
    _link_sipas(campaign)
    return campaign


def _link_sipas(campaign: Campaign) -> None:
    """A PAR campaign takes the SIPAS campaign of its province and year; a new SIPAS campaign becomes the
    link of that year's PAR campaigns that have none (docs/decisions.md D207)."""
    same_year = Campaign.objects.filter(province=campaign.province, year=campaign.year).exclude(
        pk=campaign.pk
    )
    if campaign.kind == Campaign.Kind.PAR_OFFICIALS:
        sipas = same_year.filter(kind=Campaign.Kind.SIPAS_CITIZENS).order_by("slug").first()
        if sipas is not None:
            campaign.sipas_campaign = sipas
            campaign.save(update_fields=["sipas_campaign"])
    else:
        same_year.filter(kind=Campaign.Kind.PAR_OFFICIALS, sipas_campaign__isnull=True).update(
            sipas_campaign=campaign
        )


# ------------------------------------------------------------------------------ campaigns from the browser

# What a coordinator sets on a campaign's page (docs/decisions.md D255).
EDITABLE_FIELDS = (
    "name",
    "list_deadline",
    "survey_opens",
    "survey_closes",
    "reminder_limit",
    "reminder_interval_days",
    "response_targets",
)
# Once the survey is open only these may still change: closing later (or earlier) and the reminders.
EDITABLE_WHEN_OPEN = ("survey_closes", "reminder_limit", "reminder_interval_days")


@dataclass
class CampaignChange:
    campaign: Campaign | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field -> message
    changed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_open(campaign: Campaign, today: datetime.date | None = None) -> bool:
    """Whether respondents can already answer: the survey status, or its first day has come."""
    today = today or datetime.date.today()
    if campaign.status != Campaign.Status.COLLECTING_LISTS:
        return True
    return campaign.survey_opens is not None and campaign.survey_opens <= today


def check_dates(values: dict, year: int) -> dict[str, str]:
    errors = {}
    opens, closes, deadline = (
        values.get("survey_opens"),
        values.get("survey_closes"),
        values.get("list_deadline"),
    )
    if opens and closes and closes < opens:
        errors["survey_closes"] = _("The survey cannot close before it opens.")
    if deadline and opens and opens < deadline:
        errors["survey_opens"] = _("The survey opens after the list deadline, when the lists are complete.")
    for name in ("survey_opens", "survey_closes", "list_deadline"):
        day = values.get(name)
        if day and abs(day.year - year) > 1:
            errors.setdefault(
                name, _("The date is far from the campaign's year (%(year)d).") % {"year": year}
            )
    return errors


def clean_targets(targets: dict, group_codes: list[str]) -> tuple[dict, dict[str, str]]:
    """{group code: percent} for the campaign's groups; a target is a whole number from 1 to 100."""
    cleaned, errors = {}, {}
    for code, value in (targets or {}).items():
        if value in (None, ""):
            continue
        if code not in group_codes:
            errors[f"target_{code}"] = _("This group is not surveyed by the campaign.")
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
            errors[f"target_{code}"] = _("A percentage from 1 to 100.")
        else:
            cleaned[code] = value
    return cleaned, errors


@transaction.atomic
def update_campaign(
    *,
    campaign: Campaign,
    values: dict,
    group_codes: list[str] | None = None,
    today: datetime.date | None = None,
) -> CampaignChange:
    """Change a campaign from its page: everything until the survey opens, then only the closing date and
    the reminders. Groups change only before it opens (their respondents' lists depend on them)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    result = CampaignChange(campaign=campaign)
    allowed = EDITABLE_WHEN_OPEN if is_open(campaign, today) else EDITABLE_FIELDS
    merged = {name: getattr(campaign, name) for name in EDITABLE_FIELDS}
    for name, value in values.items():
        if name not in EDITABLE_FIELDS or value == merged[name]:
            continue
        if name not in allowed:
            result.errors[name] = _("The survey is open: this can no longer be changed.")
            continue
        merged[name] = value
        result.changed.append(name)
    codes = group_codes
    if codes is not None and set(codes) != set(campaign.groups.values_list("code", flat=True)):
        if is_open(campaign, today):
            result.errors["groups"] = _("The survey is open: the groups can no longer be changed.")
        elif not codes:
            result.errors["groups"] = _("Choose at least one respondent group.")
    current_codes = codes if codes is not None else list(campaign.groups.values_list("code", flat=True))
    targets, target_errors = clean_targets(merged["response_targets"], current_codes)
    merged["response_targets"] = targets
    result.errors.update(target_errors)
    result.errors.update(check_dates(merged, campaign.year))
    if result.errors:
        transaction.set_rollback(True)
        return result
    for name in result.changed:
        setattr(campaign, name, merged[name])
    campaign.save()
    if codes is not None and set(codes) != set(campaign.groups.values_list("code", flat=True)):
        campaign.groups.set(RespondentGroup.objects.filter(code__in=codes))
        result.changed.append("groups")
    return result


@transaction.atomic
def copy_campaign(*, source: Campaign, slug: str, year: int, name: str = "") -> Campaign:
    """Next year's campaign from this one: same kind, province, groups and settings, dates moved to the new
    year, and the units valid in the new year read again (units merge, split and disappear)."""
    codes = local_leaders_for(
        list(source.groups.values_list("code", flat=True)), list(units_valid_in(source.province, year))
    )
    campaign = create_campaign(
        slug=slug, kind=source.kind, year=year, province=source.province, name=name, group_codes=codes
    )
    shift = year - source.year
    for name_ in ("list_deadline", "survey_opens", "survey_closes"):
        day = getattr(source, name_)
        setattr(campaign, name_, _moved(day, shift) if day else None)
    campaign.reminder_limit = source.reminder_limit
    campaign.reminder_interval_days = source.reminder_interval_days
    campaign.response_targets = dict(source.response_targets)
    campaign.save()
    return campaign


def _moved(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
