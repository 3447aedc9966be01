"""Unit successions from a file: which former unit (of this province, or of a province merged into it)
a new unit continues from a date, with the former unit's population for population-weighted comparisons
(methodology.md §6; docs/decisions.md D210). All rows or none; problems name file, sheet, row and column.

Columns (header in the first 20 rows): former unit code, new unit code, effective date; optional former
province (name or code; blank = this province) and population of the former unit (or of its part that
went to the new unit).
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from kit.tabular.problems import column_letter
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text, match_key, whole_number

from ..models import Province, Unit, UnitSuccession

COLUMNS = {
    "former": {"former", "former code", "former unit", "ma cu", "ma don vi cu", "don vi cu", "tu don vi"},
    "new": {"new", "new code", "new unit", "ma moi", "ma don vi moi", "don vi moi", "thanh don vi"},
    "effective": {"effective", "effective date", "effective from", "ngay hieu luc", "hieu luc tu", "tu ngay"},
    "former_province": {"former province", "province", "tinh cu", "tinh truoc sap nhap", "tinh"},
    "population": {"population", "dan so", "so dan", "dan so don vi cu"},
}
REQUIRED = ("former", "new", "effective")


@dataclass
class SuccessionReport:
    file: str
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for number, row in enumerate(rows[:20]):
        columns: dict[str, int] = {}
        for index, label in enumerate(row):
            key = match_key(clean_text(label))
            for name, labels in COLUMNS.items():
                if key in labels:
                    columns.setdefault(name, index)
        if all(name in columns for name in REQUIRED):
            return number, columns
    return None


def _date(value: object) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = clean_text(value)
    for parse in (datetime.date.fromisoformat, lambda t: datetime.datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text[:10])
        except ValueError:
            continue
    return None


def import_unit_mapping(*, province: Province, path: Path) -> SuccessionReport:
    path = Path(path)
    report = SuccessionReport(file=path.name)
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
    sheet = next((s for s in sheets if _header(s.rows)), None)
    if sheet is None:
        report.errors.append(
            f"{path.name}: " + _("no header row naming the former unit, the new unit and the effective date")
        )
        return report
    start, columns = _header(sheet.rows)
    provinces = {match_key(p.name): p for p in Province.objects.all()} | {
        match_key(p.code): p for p in Province.objects.all()
    }
    units = {
        (u.province_id, match_key(u.code)): u for u in Unit.objects.filter(province__in=provinces.values())
    }
    parsed = []
    for number, row in enumerate(sheet.rows[start + 1 :], start=start + 2):
        if not any(clean_text(v) for v in row):
            continue

        def cell(name: str, row: list = row) -> object:
            index = columns.get(name)
            return row[index] if index is not None and index < len(row) else ""

        def where(name: str, number: int = number) -> str:
            return (
                f"{path.name} / {sheet.name} / " + _("row %d") % number + f", {column_letter(columns[name])}"
            )

        before = len(report.errors)
        former_province = province
        if clean_text(cell("former_province")):
            former_province = provinces.get(match_key(cell("former_province")))
            if former_province is None:
                report.errors.append(
                    f"{where('former_province')}: "
                    + _("unknown province “%s”") % clean_text(cell("former_province"))
                )
        former = units.get((former_province.pk, match_key(cell("former")))) if former_province else None
        if former_province and former is None:
            report.errors.append(
                f"{where('former')}: "
                + _("“%(code)s” is not a unit of %(province)s")
                % {"code": clean_text(cell("former")), "province": former_province.name}
            )
        new = units.get((province.pk, match_key(cell("new"))))
        if new is None:
            report.errors.append(
                f"{where('new')}: "
                + _("“%(code)s” is not a unit of %(province)s")
                % {"code": clean_text(cell("new")), "province": province.name}
            )
        effective = _date(cell("effective"))
        if effective is None:
            report.errors.append(
                f"{where('effective')}: "
                + _("“%s” is not a date (YYYY-MM-DD or DD/MM/YYYY)") % clean_text(cell("effective"))
            )
        population = None
        if "population" in columns and clean_text(cell("population")):
            population = whole_number(cell("population"))
            if population is None:
                report.errors.append(
                    f"{where('population')}: "
                    + _("population “%s” is not a whole number above 0") % clean_text(cell("population"))
                )
        if len(report.errors) == before:
            parsed.append((former, new, effective, population, number))
    if not parsed and not report.errors:
        report.errors.append(
            f"{path.name} / {sheet.name}: " + _("the table has a header but no rows under it")
        )
    if report.errors:
        return report
    with transaction.atomic():
        for former, new, effective, population, number in parsed:
            _obj, created = UnitSuccession.objects.update_or_create(
                former=former,
                new=new,
                defaults={
                    "effective": effective,
                    "population": population,
                    "source_file": path.name[:255],
                    "source_row": number,
                },
            )
            report.created += created
            report.updated += not created
    return report
