"""Population margins of a SIPAS campaign: read the provincial statistics office's table (one row per
commune/ward × gender × age group), check every row, store it as a proposal, and let a second coordinator
confirm it (docs/decisions.md D205, D206). Problems are values naming file, sheet, row and column.

Table: a header row (found in the first 20 rows) naming the area (code or name of a unit of the campaign),
the gender, the age group and the population; any other columns are ignored. Genders and age groups are
those of the campaign's SIPAS questionnaire (background.gender, background.age_group), by value or label.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from kit.tabular.problems import column_letter
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text, match_key, whole_number
from respondents.models import Campaign, Unit
from respondents.selectors import is_coordinator

from ..models import MarginSet, PopulationMargin
from ..sipas.campaign import AGE_QUESTION, GENDER_QUESTION, sipas_questionnaires

COLUMNS = {
    "area": {"area", "area code", "commune", "ward", "unit", "unit code", "ma", "ma xa", "ma don vi",
             "don vi", "xa", "xa phuong", "ten xa", "ma xa phuong", "dia ban", "ma dia ban"},
    "gender": {"gender", "sex", "gioi tinh", "gioi"},
    "age_group": {"age group", "age", "nhom tuoi", "do tuoi", "tuoi"},
    "population": {"population", "dan so", "so nguoi", "so dan", "tong so", "so luong"},
}  # fmt: skip
HEADER_ROWS = 20


@dataclass(frozen=True)
class TableProblem:
    message: str
    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = " / ".join(
            p for p in (self.file, self.sheet, _("row %d") % self.row if self.row else "", self.column) if p
        )
        return f"{where}: {self.message}"


@dataclass
class MarginsReport:
    file: str
    errors: list[TableProblem] = field(default_factory=list)
    margin_set: MarginSet | None = None
    rows: int = 0
    population: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and self.margin_set is not None


def _categories(campaign: Campaign, code: str) -> dict[str, str]:
    """{match key of a value or label: value} of a background question of the SIPAS questionnaires."""
    found: dict[str, str] = {}
    for _pk, definition in sipas_questionnaires(campaign):
        for section in definition["sections"]:
            for question in section["questions"]:
                if question["code"] == code:
                    for option in question.get("options", []):
                        value = str(option["value"])
                        found.setdefault(match_key(value), value)
                        found.setdefault(match_key(option["label"]), value)
                        for translation in (option.get("i18n") or {}).values():  # {en: {label: …}}
                            if translation.get("label"):
                                found.setdefault(match_key(translation["label"]), value)
    return found


def _header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for number, row in enumerate(rows[:HEADER_ROWS]):
        columns: dict[str, int] = {}
        for index, label in enumerate(row):
            key = match_key(clean_text(label))
            for name, labels in COLUMNS.items():
                if key in labels:
                    columns.setdefault(name, index)
        if len(columns) == len(COLUMNS):
            return number, columns
    return None


def read_margins_table(*, campaign: Campaign, path: Path, file_name: str) -> tuple[list[dict], list]:
    """(cells, problems): one cell per data row {area, area_code, gender, age_group, population, row}."""
    try:
        sheets = read_sheets(
            Path(path),
            file_name=file_name,
            max_bytes=settings.RESPONDENT_FILE_MAX_BYTES,
            max_rows=settings.RESPONDENT_FILE_MAX_ROWS,
        )
    except UnreadableFile as exc:
        return [], [TableProblem(exc.detail, file_name)]
    genders, ages = _categories(campaign, GENDER_QUESTION), _categories(campaign, AGE_QUESTION)
    if not genders or not ages:
        message = _(
            "the campaign's SIPAS questionnaire has no gender and age-group questions to calibrate on"
        )
        return [], [TableProblem(message, file_name)]
    units = list(campaign.units.all()) or list(Unit.objects.filter(province_id=campaign.province_id))
    by_code = {match_key(u.code): u for u in units}
    by_name = {u.name_key: u for u in units}
    cells, problems, seen = [], [], {}
    sheet = next((s for s in sheets if _header(s.rows)), None)
    if sheet is None:
        message = _("no header row naming the area, gender, age group and population in the first 20 rows")
        return [], [TableProblem(message, file_name, sheets[0].name if sheets else "")]
    start, columns = _header(sheet.rows)
    for number, row in enumerate(sheet.rows[start + 1 :], start=start + 2):

        def cell(name: str, row: list = row) -> str:
            index = columns[name]
            return clean_text(row[index]) if index < len(row) else ""

        def bad(name: str, message: str, number: int = number) -> None:
            problems.append(
                TableProblem(message, file_name, sheet.name, number, column_letter(columns[name]))
            )

        if not any(clean_text(v) for v in row):
            continue
        if match_key(cell("area")).startswith(("tong", "total", "cong")):
            break  # a totals line ends the table
        unit = by_code.get(match_key(cell("area"))) or by_name.get(match_key(cell("area")))
        if unit is None:
            bad("area", _("“%s” is not a commune, ward or unit of this campaign") % cell("area"))
        gender = genders.get(match_key(cell("gender")))
        if gender is None:
            choices = ", ".join(sorted(set(genders.values())))
            bad(
                "gender",
                _("gender “%(value)s” is not one of %(choices)s")
                % {"value": cell("gender"), "choices": choices},
            )
        age = ages.get(match_key(cell("age_group")))
        if age is None:
            choices = ", ".join(sorted(set(ages.values())))
            bad(
                "age_group",
                _("age group “%(value)s” is not one of %(choices)s")
                % {"value": cell("age_group"), "choices": choices},
            )
        population = whole_number(row[columns["population"]] if columns["population"] < len(row) else "")
        if population is None:
            bad("population", _("population “%s” is not a whole number above 0") % cell("population"))
        if unit is None or gender is None or age is None or population is None:
            continue
        key = (unit.code, gender, age)
        if key in seen:
            bad("area", _("this area, gender and age group are already on row %d") % seen[key])
            continue
        seen[key] = number
        cells.append({"area": unit, "area_code": unit.code, "gender": gender, "age_group": age,
                      "population": population, "row": number})  # fmt: skip
    if not cells and not problems:
        problems.append(TableProblem(_("the table has a header but no rows under it"), file_name, sheet.name))
    return cells, problems


def propose_margins(
    *,
    campaign: Campaign,
    path: Path,
    file_name: str,
    user: AbstractBaseUser | None = None,
    calibration: str = MarginSet.Calibration.CELLS,
) -> MarginsReport:
    """Check the table and, when every row is right, store it as a proposal waiting for a second
    coordinator's confirmation; nothing is stored when any row is wrong."""
    report = MarginsReport(file=file_name)
    cells, report.errors = read_margins_table(campaign=campaign, path=path, file_name=file_name)
    if report.errors:
        return report
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    with transaction.atomic():
        margin_set = MarginSet.objects.create(
            campaign=campaign,
            calibration=calibration,
            file_name=file_name[:255],
            sha256=digest,
            rows=len(cells),
            population=sum(c["population"] for c in cells),
            proposed_by=user if getattr(user, "pk", None) else None,
        )
        PopulationMargin.objects.bulk_create(
            PopulationMargin(
                margin_set=margin_set,
                area=c["area"],
                area_code=c["area_code"],
                gender=c["gender"],
                age_group=c["age_group"],
                population=c["population"],
                source_row=c["row"],
            )
            for c in cells
        )
        record(
            actor=user,
            actor_name="command",
            action="sipas.margins_proposed",
            obj=margin_set,
            campaign=campaign,
            detail={"file": file_name, "rows": len(cells), "population": margin_set.population},
        )
    report.margin_set, report.rows, report.population = margin_set, len(cells), margin_set.population
    return report


def decide_margins(*, margin_set: MarginSet, user: AbstractBaseUser, confirm: bool) -> str | None:
    """Confirm (or reject) a proposed table; None when done, else why not. The person who proposed it
    cannot confirm it: an official figure never changes on one person's word (docs/decisions.md D205)."""
    campaign = margin_set.campaign
    if not is_coordinator(user, campaign.province_id):
        return _("Only a coordinator of the province can confirm population margins.")
    with transaction.atomic():
        locked = MarginSet.objects.select_for_update().get(pk=margin_set.pk)
        if locked.status != MarginSet.Status.PENDING:
            return _("These margins were already decided.")
        if confirm and locked.proposed_by_id == user.pk:
            return _("Another coordinator must confirm the margins you uploaded.")
        now = timezone.now()
        if confirm:
            MarginSet.objects.filter(campaign=campaign, status=MarginSet.Status.CONFIRMED).update(
                status=MarginSet.Status.SUPERSEDED
            )
        locked.status = MarginSet.Status.CONFIRMED if confirm else MarginSet.Status.REJECTED
        locked.decided_by, locked.decided_at = user, now
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            actor=user,
            action="sipas.margins_confirmed" if confirm else "sipas.margins_rejected",
            obj=locked,
            campaign=campaign,
            detail={"file": locked.file_name, "proposed_by": getattr(locked.proposed_by, "username", "")},
        )
    margin_set.refresh_from_db()
    return None
