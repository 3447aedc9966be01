"""Importing the sampling frame (citizens and organisations to contact) from the coordinator's workbook,
read like the respondent lists: kit/tabular/workbook.py reads the file, kit/tabular/walker.py walks its sheets
(header, headings such as "Xã Bản Vược" or "II. TỔ CHỨC", totals line); this module validates the rows
(docs/decisions.md D60).

All or nothing: any error and nothing is written. Errors name file, sheet, row and column.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from kit.phones import normalise_phones
from kit.tabular.layout import Layout
from kit.tabular.problems import Problem, problem
from kit.tabular.walker import Duplicates, SheetWalk, walk_sheets
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import match_key
from respondents.models import Campaign, Unit
from respondents.selectors import campaign_units
from surveys.services.definitions import questions

from ..models import Assignment, SamplingFrameEntry

# Header labels (compared without case and diacritics) for each column of the frame.
LAYOUT = Layout(
    labels={
        "name": [
            "ho va ten *", "ho ten *", "ten", "name", "ten to chuc", "ten nguoi dan to chuc",
        ],
        "phone": ["*dien thoai*", "sdt", "dt", "phone", "mobile", "di dong"],
        "address": ["dia chi *", "address", "noi o"],
        "area": [
            "xa", "huyen", "dia ban", "xa phuong", "don vi", "area", "xa phuong thi tran", "huyen thi xa",
        ],
        "kind": ["doi tuong", "loai", "kind", "loai doi tuong", "ca nhan to chuc"],
        "service_area": ["linh vuc *", "service area"],
        "stt": ["stt", "tt", "so tt"],
        # Stage 2 of the sample design (services/design.py).
        "village": [
            "thon", "ban", "thon ban", "to dan pho", "thon to dan pho", "thon to", "xom", "khu pho",
            "village",
        ],
    },
    names={
        "name": "Họ và tên",
        "phone": "Điện thoại",
        "address": "Địa chỉ",
        "area": "Xã",
        "kind": "Đối tượng",
        "service_area": "Lĩnh vực",
        "stt": "STT",
        "village": "Thôn, bản",
    },
    required=("name",),
    min_fields=2,
    data_fields=("phone",),
    fill_down=("area", "kind", "service_area", "village"),
)  # fmt: skip
KINDS = {
    "ca nhan": SamplingFrameEntry.Kind.CITIZEN,
    "nguoi dan": SamplingFrameEntry.Kind.CITIZEN,
    "citizen": SamplingFrameEntry.Kind.CITIZEN,
    "to chuc": SamplingFrameEntry.Kind.ORGANISATION,
    "doanh nghiep": SamplingFrameEntry.Kind.ORGANISATION,
    "to chuc doanh nghiep": SamplingFrameEntry.Kind.ORGANISATION,
    "organisation": SamplingFrameEntry.Kind.ORGANISATION,
    "organization": SamplingFrameEntry.Kind.ORGANISATION,
}


@dataclass
class FrameReport:
    file_name: str
    rows: int = 0
    imported: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "file": self.file_name,
            "status": ("dry_run" if self.dry_run else "imported") if self.ok else "rejected",
            "rows": self.rows,
            "imported": self.imported,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def _service_areas(campaign: Campaign, assignment: Assignment | None) -> dict[str, str]:
    """Option value and label keys of `screening.area` → value, from the questionnaire(s) concerned."""
    questionnaires = (
        [assignment.questionnaire] if assignment else list(campaign.questionnaires.filter(is_current=True))
    )
    options: dict[str, str] = {}
    for questionnaire in questionnaires:
        for question in questions(questionnaire.definition):
            if question["code"] == "screening.area":
                for option in question.get("options", []):
                    options[match_key(option["value"])] = option["value"]
                    options[match_key(option["label"])] = option["value"]
    return options


def import_sampling_frame(
    *,
    campaign: Campaign,
    path: Path,
    file_name: str | None = None,
    assignment: Assignment | None = None,
    dry_run: bool = False,
) -> FrameReport:
    path = Path(path)
    file_name = file_name or path.name
    report = FrameReport(file_name=file_name, dry_run=dry_run)
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
    rules = _FrameRules(
        areas=_areas(campaign, assignment),
        service_areas=_service_areas(campaign, assignment),
        assignment=assignment,
    )
    walks = walk_sheets(
        sheets,
        LAYOUT,
        file_name=file_name,
        errors=report.errors,
        warnings=report.warnings,
        heading=rules.heading,
    )
    entries: list[SamplingFrameEntry] = []
    phones = Duplicates()
    for walk in walks:
        for values in _FrameSheet(walk, rules, phones, report).entries():
            entries.append(
                SamplingFrameEntry(
                    campaign=campaign,
                    assignment=assignment,
                    source_file=file_name[:255],
                    source_sheet=walk.name[:100],
                    **values,
                )
            )
    if walks and not report.rows and not report.errors:
        report.errors.append(problem("no_rows", file=file_name, sheet=walks[0].name))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        SamplingFrameEntry.objects.bulk_create(entries, batch_size=1000)
    report.imported = len(entries)
    return report


def _areas(campaign: Campaign, assignment: Assignment | None) -> dict[str, Unit]:
    """Match keys of the units a row may name: the campaign's units and the communes under them (a frame
    names communes, the campaign districts), or the assignment's area and the units under it."""
    if assignment is not None:
        units = list(Unit.objects.filter(Q(pk=assignment.area_id) | Q(parent_id=assignment.area_id)))
    else:
        in_scope = campaign_units(campaign)
        units = list(in_scope) + list(
            Unit.objects.filter(Q(parent__in=in_scope) | Q(parent__parent__in=in_scope))
        )
    by_key: dict[str, Unit] = {}
    for unit in units:
        by_key.setdefault(match_key(unit.code), unit)
        by_key.setdefault(unit.name_key, unit)
        # "Xã Trịnh Tường" is often written "Trịnh Tường".
        for prefix in ("xa ", "phuong ", "thi tran ", "huyen ", "thi xa ", "thanh pho "):
            if unit.name_key.startswith(prefix):
                by_key.setdefault(unit.name_key.removeprefix(prefix), unit)
    return by_key


_LIMITS = {
    name: SamplingFrameEntry._meta.get_field(name).max_length for name in ("name", "address", "village")
}
_SERVICE_AREA_LIMIT = SamplingFrameEntry._meta.get_field("service_area").max_length


@dataclass
class _FrameRules:
    areas: dict[str, Unit]
    service_areas: dict[str, str]
    assignment: Assignment | None

    def heading(self, title: str) -> dict[str, object] | None:
        """A sheet or section named after an area ("Xã Bản Vược"), a kind ("II. TỔ CHỨC, DOANH NGHIỆP") or
        a service area places the rows below it."""
        key = match_key(title)
        found = {
            "area": self.areas.get(key),
            "kind": KINDS.get(key.removeprefix("cac ")),
            "service_area": self.service_areas.get(key.removeprefix("linh vuc "))
            or self.service_areas.get(key),
        }
        return found if any(found.values()) else None


class _FrameSheet:
    """The row validator of one sheet of the frame."""

    def __init__(self, walk: SheetWalk, rules: _FrameRules, phones: Duplicates, report: FrameReport) -> None:
        self.walk, self.rules, self.phones, self.report = walk, rules, phones, report
        self.fields = [name for name in walk.columns if name != "stt"]
        self._heading_area: object = None
        self._last_area: Unit | None = None

    def entries(self) -> Iterator[dict[str, object]]:
        """The fields of each valid row's SamplingFrameEntry; the errors go to the report."""
        walk, report = self.walk, self.report
        for excel_row, _cells, texts in walk:
            values = {name: walk.text(texts, name) for name in self.fields}
            report.rows += 1
            errors = report.errors
            start = len(errors)
            name = values.get("name", "")
            if not name:
                errors.append(walk.problem("name_missing", excel_row, "name"))
            for fld, limit in _LIMITS.items():
                if too_long := walk.too_long(excel_row, fld, values.get(fld, ""), limit):
                    errors.append(too_long)
            phone = self._phone(excel_row, values.get("phone", ""))
            area = self._area(excel_row, values.get("area", ""))
            kind = self._kind(excel_row, values.get("kind", ""))
            service_area = self._service_area(excel_row, values.get("service_area", ""))
            if len(errors) == start:
                yield {
                    "area": area,
                    "kind": kind,
                    "name": name,
                    "phone": phone,
                    "address": values.get("address", ""),
                    "village": values.get("village", ""),
                    "service_area": service_area,
                    "raw": values,
                    "source_row": excel_row,
                }

    def _phone(self, excel_row: int, text: str) -> str:
        if not text:
            return ""
        walk = self.walk
        phone = normalise_phones(text).primary
        if not phone:
            self.report.errors.append(walk.problem("phone_invalid", excel_row, "phone", value=text))
            return ""
        earlier = self.phones.earlier(phone, f"{walk.name}!{walk.column('phone')}{excel_row}")
        if earlier is not None:
            self.report.errors.append(
                walk.problem("duplicate", excel_row, "phone", value=text, earlier=earlier, label="Điện thoại")
            )
        return phone

    def _area(self, excel_row: int, text: str) -> Unit | None:
        heading_area = self.walk.context.get("area")
        if heading_area is not self._heading_area:  # a new section: the area of the rows above ends
            self._heading_area, self._last_area = heading_area, None
        if text:
            area = self.rules.areas.get(match_key(text))
            if area is None:
                variant = "assignment" if self.rules.assignment else "area"
                self.report.errors.append(
                    self.walk.problem("unit_unknown", excel_row, "area", variant=variant, value=text)
                )
            self._last_area = area
            return area
        if isinstance(heading_area, Unit):
            return self._last_area or heading_area
        if self.rules.assignment is not None:
            return self.rules.assignment.area
        return self._last_area  # area cells left blank under the first: the value of the rows above

    def _kind(self, excel_row: int, text: str) -> str:
        if not text:
            return str(self.walk.context.get("kind") or SamplingFrameEntry.Kind.CITIZEN)
        kind = KINDS.get(match_key(text))
        if kind is None:
            self.report.errors.append(self.walk.problem("kind_unknown", excel_row, "kind", value=text))
            return ""
        return kind

    def _service_area(self, excel_row: int, text: str) -> str:
        assignment = self.rules.assignment
        if not text:
            return str(
                self.walk.context.get("service_area") or (assignment.service_area if assignment else "")
            )
        options = self.rules.service_areas
        if not options:  # no questionnaire lists them: kept as written
            if too_long := self.walk.too_long(excel_row, "service_area", text, _SERVICE_AREA_LIMIT):
                self.report.errors.append(too_long)
            return text
        service_area = options.get(match_key(text), "")
        if not service_area:
            self.report.errors.append(
                self.walk.problem("service_area_unknown", excel_row, "service_area", value=text)
            )
        return service_area
