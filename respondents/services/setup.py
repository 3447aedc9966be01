"""Setting up a province: its units from a file, and campaigns with the units and groups of their year."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kit.tabular.problems import column_letter
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text, match_key

from ..models import Campaign, Province, RespondentGroup, Unit

_KIND_LABELS = {
    "department": Unit.Kind.DEPARTMENT,
    "so": Unit.Kind.DEPARTMENT,
    "so ban nganh": Unit.Kind.DEPARTMENT,
    "district": Unit.Kind.DISTRICT,
    "huyen": Unit.Kind.DISTRICT,
    "cap huyen": Unit.Kind.DISTRICT,
    "commune": Unit.Kind.COMMUNE,
    "xa": Unit.Kind.COMMUNE,
    "cap xa": Unit.Kind.COMMUNE,
    "council": Unit.Kind.COUNCIL,
    "hdnd": Unit.Kind.COUNCIL,
    "hdnd tinh": Unit.Kind.COUNCIL,
}
_UNIT_COLUMNS = {
    "code": {"code", "ma", "ma don vi"},
    "name": {"name", "ten", "ten don vi", "don vi"},
    "kind": {"kind", "loai", "loai don vi", "cap"},
    "parent": {"parent", "parent code", "ma don vi cap tren", "don vi cap tren", "cap tren"},
    "valid_from": {"valid from", "tu ngay", "hieu luc tu"},
    "valid_until": {"valid until", "den ngay", "hieu luc den"},
}

# Groups a campaign of each kind surveys (docs/methodology.md §5.1); district leaders only while
# the province still has districts in the campaign's year (docs/methodology.md §5.3, §8.1).
DEFAULT_GROUPS = {
    Campaign.Kind.PAR_OFFICIALS: ["hdnd", "dept_leader", "division_leader", "district_leader"],
    Campaign.Kind.SIPAS_CITIZENS: ["citizen", "organisation"],
}


@dataclass
class UnitsReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_units(*, province: Province, path: Path) -> UnitsReport:
    """Create or update a province's units from a sheet with code, name, kind and optional parent code."""
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
        report.errors.append(f"{path.name}: {exc.detail}")
        return report
    rows = sheets[0].rows if sheets else []
    if not rows:
        report.errors.append(f"{path.name}: " + _("the file is empty"))
        return report
    columns = {}
    for index, label in enumerate(rows[0]):
        key = match_key(label)
        for name, labels in _UNIT_COLUMNS.items():
            if key in labels:
                columns.setdefault(name, index)
    missing = [c for c in ("code", "name", "kind") if c not in columns]
    if missing:
        report.errors.append(
            f"{path.name} / {sheets[0].name}: " + _("missing columns: %s") % ", ".join(missing)
        )
        return report
    parsed = []
    for number, row in enumerate(rows[1:], start=2):

        def cell(name, row=row):
            index = columns.get(name)
            return clean_text(row[index]) if index is not None and index < len(row) else ""

        if not any(clean_text(v) for v in row):
            continue
        where = f"{path.name} / {sheets[0].name} / " + _("row %d") % number
        kind = _KIND_LABELS.get(match_key(cell("kind")))
        if not cell("code") or not cell("name"):
            report.errors.append(f"{where}: " + _("code and name are required"))
        elif kind is None:
            report.errors.append(
                f"{where}, {column_letter(columns['kind'])}: " + _("unknown kind “%s”") % cell("kind")
            )
        else:
            parsed.append(
                (
                    where,
                    cell("code"),
                    cell("name"),
                    kind,
                    cell("parent"),
                    _date(cell("valid_from")),
                    _date(cell("valid_until")),
                )
            )
    codes = {p[1] for p in parsed} | set(province.units.values_list("code", flat=True))
    for where, _code, _name, _kind, parent, *_dates in parsed:
        if parent and parent not in codes:
            report.errors.append(f"{where}: " + _("unknown parent code “%s”") % parent)
    parents = dict(province.units.values_list("code", "parent__code"))
    parents.update({code: parent or None for _where, code, _name, _kind, parent, *_dates in parsed})
    for where, code, *_rest in parsed:
        if _in_cycle(code, parents):
            report.errors.append(f"{where}: " + _("unit “%s” would be its own ancestor") % code)
    if report.errors:
        return report
    with transaction.atomic():
        units = {}
        for _where, code, name, kind, _parent, valid_from, valid_until in parsed:
            unit, created = Unit.objects.update_or_create(
                province=province,
                code=code,
                defaults={"name": name, "kind": kind, "valid_from": valid_from, "valid_until": valid_until},
            )
            units[code] = unit
            report.created += created
            report.updated += not created
        for _where, code, _name, _kind, parent_code, *_dates in parsed:
            if parent_code:
                parent = units.get(parent_code) or province.units.get(code=parent_code)
                Unit.objects.filter(pk=units[code].pk).update(parent=parent)
    return report


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


def units_valid_in(province: Province, year: int):
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return province.units.exclude(valid_from__gt=end).exclude(valid_until__lt=start)


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
        group_codes = list(DEFAULT_GROUPS[kind])
        if not any(u.kind == Unit.Kind.DISTRICT for u in units) and "district_leader" in group_codes:
            group_codes.remove("district_leader")
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
    return campaign


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
    *, campaign: Campaign, values: dict, group_codes: list[str] | None = None, today=None
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
    codes = list(source.groups.values_list("code", flat=True))
    has_districts = units_valid_in(source.province, year).filter(kind=Unit.Kind.DISTRICT).exists()
    if not has_districts and "district_leader" in codes:
        codes.remove("district_leader")  # no districts from 1 July 2025 (docs/methodology.md §8.1)
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
