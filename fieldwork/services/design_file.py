"""Loading a sample design drawn outside the system (many provinces draw on paper): one workbook with a
sheet of strata, a sheet of the communes/wards drawn and a sheet of the villages drawn, each sheet found
by its columns (Vietnamese or English headers). All or nothing; every problem names file, sheet, row and
column with a code of kit/tabular/problems.py. docs/reference/field-sample.md shows the layout.

Probabilities: a `probability` column is taken as given; otherwise stage 1 and stage 2 are computed by
the design's method (PPS: n·M_i / M with certainty units, fieldwork/draws.conditional_certainty; SRS:
n / N), and stage 3 is n₃ / N₃ of each village (households drawn over households in the village).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import services as audit
from audit.services import Action
from kit.tabular.problems import Problem, column_letter, problem
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text, match_key
from respondents.models import Campaign, Unit

from ..models import DesignStratum, DrawnUnit, SampleDesign
from .design import in_the_field

HEADER_SEARCH_ROWS = 10
LABELS = {
    "stratum": {"tang", "ma tang", "tang mau", "stratum", "strata", "ma tang mau"},
    "stratum_name": {"ten tang", "stratum name", "ten tang mau"},
    "commune": {"xa", "ma xa", "xa phuong", "ma xa phuong", "commune", "psu", "xa phuong thi tran", "don vi"},
    "village": {"thon", "thon ban", "to dan pho", "thon to dan pho", "village", "ssu", "ten thon", "xom"},
    "size": {"quy mo", "so ho", "dan so", "size", "so nguoi", "quy mo ho", "so ho trong khung"},
    "psu_frame": {"so xa trong khung", "so xa", "psus in frame", "so xa phuong"},
    "psu_drawn": {"so xa chon", "so xa duoc chon", "psus drawn"},
    "ssu_frame": {"so thon trong khung", "so thon", "villages in frame"},
    "ssu_drawn": {"so thon chon", "so thon duoc chon", "villages drawn"},
    "drawn": {"so ho chon", "so nguoi chon", "so mau", "drawn", "so ho duoc chon"},
    "interviewed": {"so phieu", "da phong van", "interviewed", "so phieu thu ve", "so phieu hop le"},
    "probability": {"xac suat", "xac suat chon", "probability"},
}
SHEETS = {
    "strata": (("stratum", "psu_frame", "size", "psu_drawn"), ("stratum_name",)),
    "psu": (("stratum", "commune", "size", "ssu_frame", "ssu_drawn"), ("probability",)),
    "ssu": (("commune", "village", "size", "drawn"), ("interviewed", "probability")),
}
SHEET_LABELS = {
    "strata": gettext_lazy("strata sheet"),
    "psu": gettext_lazy("communes sheet"),
    "ssu": gettext_lazy("villages sheet"),
}
NUMBERS = ("size", "psu_frame", "psu_drawn", "ssu_frame", "ssu_drawn", "drawn", "interviewed")


@dataclass
class DesignFileReport:
    file_name: str
    dry_run: bool = False
    strata: int = 0
    psus: int = 0
    ssus: int = 0
    errors: list[Problem] = field(default_factory=list)
    design: SampleDesign | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "file": self.file_name,
            "status": ("dry_run" if self.dry_run else "imported") if self.ok else "rejected",
            "strata": self.strata,
            "psus": self.psus,
            "ssus": self.ssus,
            "errors": [p.as_dict() for p in self.errors],
        }


@dataclass
class _Row:
    sheet: str
    row: int
    columns: dict[str, int]
    values: dict
    unit: Unit | None = None


def _kind_of(header: list) -> tuple[str, dict[str, int]] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = match_key(cell)
        for name, labels in LABELS.items():
            if key in labels and name not in columns:
                columns[name] = index
    if "village" in columns and "commune" in columns:
        kind = "ssu"
    elif "commune" in columns and "stratum" in columns:
        kind = "psu"
    elif "stratum" in columns and "psu_drawn" in columns:
        kind = "strata"
    else:
        return None
    return kind, columns


def import_sample_design(
    *,
    campaign: Campaign,
    path: Path,
    user: User | None = None,
    file_name: str | None = None,
    psu_method: str = SampleDesign.Method.PPS,
    ssu_method: str = SampleDesign.Method.PPS,
    dry_run: bool = False,
) -> DesignFileReport:
    path = Path(path)
    file_name = file_name or path.name
    report = DesignFileReport(file_name=file_name, dry_run=dry_run)

    def error(
        code: str, *, row: _Row | None = None, column: str = "", value: object = "", **params: object
    ) -> None:
        report.errors.append(
            problem(
                code,
                file=file_name,
                sheet=row.sheet if row else "",
                row=row.row if row else None,
                column=column_letter(row.columns[column]) if row and column in row.columns else "",
                field=column,
                value=value,
                **params,
            )
        )

    try:
        sheets = read_sheets(
            path,
            file_name=file_name,
            max_bytes=settings.RESPONDENT_FILE_MAX_BYTES,
            max_rows=settings.RESPONDENT_FILE_MAX_ROWS,
        )
    except UnreadableFile as exc:
        report.errors.append(problem(exc.code, file=file_name, detail=exc.detail))
        return report
    found: dict[str, list[_Row]] = {}
    for sheet in sheets:
        for index, header in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            kind = _kind_of(header)
            if kind is None or kind[0] in found:
                continue
            name, columns = kind
            required, _optional = SHEETS[name]
            if not all(c in columns for c in required):
                continue
            rows = []
            for offset, cells in enumerate(sheet.rows[index + 1 :], start=index + 2):
                values = {c: clean_text(cells[i]) if i < len(cells) else "" for c, i in columns.items()}
                if any(values.values()):
                    rows.append(_Row(sheet.name, offset, columns, values))
            found[name] = rows
            break
    for name in SHEETS:
        if name not in found:
            report.errors.append(problem("sheet_missing", file=file_name, detail=SHEET_LABELS[name]))
    if report.errors:
        return report

    for name, rows in found.items():
        required, optional = SHEETS[name]
        for row in rows:
            for column in required + optional:
                text = row.values.get(column, "")
                if column in required and not text:
                    error("value_missing", row=row, column=column)
                elif text and column in NUMBERS:
                    number = _whole(text)
                    if number is None:
                        error("number_invalid", row=row, column=column, value=text)
                    row.values[column] = number
                elif text and column == "probability":
                    number = _float(text)
                    if number is None or not 0 < number <= 1:
                        error("probability_invalid", row=row, column=column, value=text)
                    row.values[column] = number
                elif column in optional and not text:
                    row.values[column] = None
    if report.errors:
        return report

    units = _units(campaign)
    strata: dict[str, _Row] = {}
    for row in found["strata"]:
        key = match_key(row.values["stratum"])
        if key in strata:
            error(
                "duplicate",
                row=row,
                column="stratum",
                value=row.values["stratum"],
                label=_("Stratum"),
                earlier=_at(strata[key]),
            )
        strata[key] = row
    psus: dict[int, _Row] = {}
    by_stratum: dict[str, list[_Row]] = defaultdict(list)
    for row in found["psu"]:
        key = match_key(row.values["stratum"])
        unit = units.get(match_key(row.values["commune"]))
        if key not in strata:
            error("stratum_unknown", row=row, column="stratum", value=row.values["stratum"])
        if unit is None:
            error("unit_unknown", row=row, column="commune", value=row.values["commune"])
            continue
        if unit.pk in psus:
            error(
                "duplicate",
                row=row,
                column="commune",
                value=row.values["commune"],
                label=_("Commune"),
                earlier=_at(psus[unit.pk]),
            )
            continue
        psus[unit.pk], row.unit = row, unit
        by_stratum[key].append(row)
        if row.values["ssu_drawn"] > row.values["ssu_frame"]:
            error(
                "count_mismatch",
                row=row,
                column="ssu_drawn",
                value=row.values["ssu_drawn"],
                detail=_more_than("villages"),
            )
    villages: dict[int, list[_Row]] = defaultdict(list)
    for row in found["ssu"]:
        unit = units.get(match_key(row.values["commune"]))
        if unit is None or unit.pk not in psus:
            error("psu_unknown", row=row, column="commune", value=row.values["commune"])
            continue
        keys = [match_key(v.values["village"]) for v in villages[unit.pk]]
        if match_key(row.values["village"]) in keys:
            earlier = villages[unit.pk][keys.index(match_key(row.values["village"]))]
            error(
                "duplicate",
                row=row,
                column="village",
                value=row.values["village"],
                label=_("Village"),
                earlier=_at(earlier),
            )
            continue
        if row.values["drawn"] > row.values["size"] or row.values["size"] == 0:
            error(
                "count_mismatch",
                row=row,
                column="drawn",
                value=row.values["drawn"],
                detail=_more_than("households"),
            )
        villages[unit.pk].append(row)
    for key, row in strata.items():
        drawn = len(by_stratum.get(key, []))
        if drawn != row.values["psu_drawn"]:
            error(
                "count_mismatch",
                row=row,
                column="psu_drawn",
                value=row.values["psu_drawn"],
                detail=_counted("communes", drawn),
            )
    for pk, row in psus.items():
        drawn = len(villages.get(pk, []))
        if drawn != row.values["ssu_drawn"]:
            error(
                "count_mismatch",
                row=row,
                column="ssu_drawn",
                value=row.values["ssu_drawn"],
                detail=_counted("villages", drawn),
            )
    if report.errors:
        return report

    report.strata, report.psus, report.ssus = len(strata), len(psus), sum(len(v) for v in villages.values())
    if dry_run:
        return report
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        existing = SampleDesign.objects.filter(campaign=campaign).first()
        if existing is not None:
            if in_the_field(existing):
                report.errors.append(problem("count_mismatch", file=file_name, detail=_in_field()))
                return report
            existing.delete()
        design = SampleDesign.objects.create(
            campaign=campaign,
            source=SampleDesign.Source.FILE,
            psu_method=psu_method,
            ssu_method=ssu_method,
            psu_count=sum(r.values["psu_drawn"] for r in strata.values()),
            source_file=file_name[:255],
            drawn_at=timezone.now(),
            drawn_by=user,
        )
        for key, srow in strata.items():
            stratum = DesignStratum.objects.create(
                design=design,
                code=srow.values["stratum"][:40],
                name=(srow.values.get("stratum_name") or "")[:255],
                psu_frame=srow.values["psu_frame"],
                size=srow.values["size"],
                psu_drawn=srow.values["psu_drawn"],
            )
            rows = by_stratum.get(key, [])
            p1 = _stage_probabilities(
                psu_method,
                [r.values["size"] for r in rows],
                srow.values["psu_drawn"],
                srow.values["psu_frame"],
                srow.values["size"],
            )
            for prow, (pi, certain) in zip(rows, p1, strict=True):
                unit = prow.unit
                psu = DrawnUnit.objects.create(
                    design=design,
                    stage=DrawnUnit.Stage.PSU,
                    stratum=stratum,
                    unit=unit,
                    code=unit.code,
                    name=unit.name,
                    size=prow.values["size"],
                    probability=prow.values.get("probability") or pi,
                    certainty=certain,
                    frame_count=prow.values["ssu_frame"],
                    drawn_count=prow.values["ssu_drawn"],
                )
                vrows = villages[unit.pk]
                p2 = _stage_probabilities(
                    ssu_method,
                    [v.values["size"] for v in vrows],
                    prow.values["ssu_drawn"],
                    prow.values["ssu_frame"],
                    prow.values["size"],
                )
                for vrow, (pi2, certain2) in zip(vrows, p2, strict=True):
                    DrawnUnit.objects.create(
                        design=design,
                        stage=DrawnUnit.Stage.SSU,
                        stratum=stratum,
                        parent=psu,
                        code=match_key(vrow.values["village"])[:100],
                        name=vrow.values["village"][:255],
                        size=vrow.values["size"],
                        probability=vrow.values.get("probability") or pi2,
                        certainty=certain2,
                        frame_count=vrow.values["size"],
                        drawn_count=vrow.values["drawn"],
                        reported_interviews=vrow.values.get("interviewed"),
                    )
        audit.record(
            actor=user,
            action=Action.FIELD_DESIGN_LOADED,
            obj=design,
            campaign=campaign,
            actor_name="manage.py" if user is None else "",
            detail={"file": file_name, "strata": report.strata, "psus": report.psus, "ssus": report.ssus},
        )
    report.design = design
    return report


def _stage_probabilities(method: str, drawn_sizes: list[int], n: int, frame: int, total: int) -> list:
    from .. import draws

    if method == SampleDesign.Method.SRS:
        return [(n / frame if frame else 0.0, n == frame) for _ in drawn_sizes]
    if method == SampleDesign.Method.ALL:
        return [(1.0, True) for _ in drawn_sizes]
    probability, certain = draws.conditional_certainty(drawn_sizes, n, float(total))
    return [(min(float(p), 1.0), bool(c)) for p, c in zip(probability, certain, strict=True)]


def _units(campaign: Campaign) -> dict[str, Unit]:
    """The province's communes/wards (and districts) by code and by name, with or without 'Xã'."""
    found: dict[str, Unit] = {}
    units = Unit.objects.filter(province_id=campaign.province_id).filter(
        Q(kind=Unit.Kind.COMMUNE) | Q(kind=Unit.Kind.DISTRICT)
    )
    for unit in units.order_by("kind", "code"):
        found.setdefault(match_key(unit.code), unit)
        found.setdefault(unit.name_key, unit)
        for prefix in ("xa ", "phuong ", "thi tran "):
            if unit.name_key.startswith(prefix):
                found.setdefault(unit.name_key.removeprefix(prefix), unit)
    return found


def _whole(text: str) -> int | None:
    """A count as typed or stored: 120, 120.0 (a number cell), 1.234 or 1 234 (thousands)."""
    compact = text.replace(" ", "").replace("\u00a0", "")
    try:
        value = float(compact)
    except ValueError:
        digits = compact.replace(".", "").replace(",", "")
        return int(digits) if digits.isdigit() else None
    if "." in compact and len(compact.split(".")[1]) == 3 and value != int(value):
        return int(compact.replace(".", ""))  # 1.234 = one thousand two hundred and thirty-four
    return int(value) if value >= 0 and value == int(value) else None


def _float(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if value == value else None


def _at(row: _Row) -> str:
    return _("%(sheet)s row %(row)d") % {"sheet": row.sheet, "row": row.row}


def _more_than(what: str) -> str:
    return {
        "villages": _("More villages drawn than the commune has in the frame."),
        "households": _("More households drawn than the village has (or the village has none)."),
    }[what]


def _counted(what: str, found: int) -> str:
    if what == "communes":
        return _("The communes sheet lists %(n)d commune(s) of this stratum.") % {"n": found}
    return _("The villages sheet lists %(n)d village(s) of this commune.") % {"n": found}


def _in_field() -> str:
    return _("The sample is already in the field: it cannot be replaced.")
