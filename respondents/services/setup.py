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
    """The units of a campaign year: those in force on 31 December, when the round surveys (so a 2025
    campaign has the communes and wards of the two-level government, not the districts abolished on 1 July;
    docs/decisions.md D208)."""
    day = datetime.date(year, 12, 31)
    return province.units.exclude(valid_from__gt=day).exclude(valid_until__lt=day)


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
        has_districts = any(u.kind == Unit.Kind.DISTRICT for u in units)
        has_communes = any(u.kind == Unit.Kind.COMMUNE for u in units)
        if not has_districts and "district_leader" in group_codes:
            group_codes.remove("district_leader")
        if (has_districts or not has_communes) and "commune_leader" in group_codes:
            group_codes.remove("commune_leader")
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
