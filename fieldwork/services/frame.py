"""Importing the sampling frame (citizens and organisations to contact) from the coordinator's workbook,
read like the respondent lists (respondents/services/workbook.py: safe reading of xlsx/xls/ods/csv).

All or nothing: any error and nothing is written. Errors name file, sheet, row and column.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kit.phones import normalise_phones
from kit.tabular.problems import Problem, column_letter
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text, match_key
from respondents.models import Campaign, Unit
from respondents.selectors import campaign_units
from surveys.services.definitions import questions

from ..models import Assignment, SamplingFrameEntry

HEADER_SEARCH_ROWS = 20
_TOTALS = re.compile(r"(tong cong|tong so)\b|cong( \d+)?$")
_NUMBERING = re.compile(r"\(?\d{1,2}\)?")
# Header labels (compared without case and diacritics) for each column of the frame.
COLUMNS = {
    "name": {"ho va ten", "ho ten", "ten", "name", "ten to chuc", "ho ten to chuc", "ten nguoi dan to chuc"},
    "phone": {"dien thoai", "so dien thoai", "sdt", "dt", "phone", "mobile", "di dong"},
    "address": {"dia chi", "address", "noi o", "dia chi lien he"},
    "area": {"xa", "huyen", "dia ban", "xa phuong", "don vi", "area", "xa phuong thi tran", "huyen thi xa"},
    "kind": {"doi tuong", "loai", "kind", "loai doi tuong", "ca nhan to chuc"},
    "service_area": {"linh vuc", "service area", "linh vuc thu tuc", "linh vuc tthc"},
    "stt": {"stt", "tt", "so tt"},
    # Stage 2 of the sample design (services/design.py).
    "village": {
        "thon",
        "ban",
        "thon ban",
        "to dan pho",
        "thon to dan pho",
        "thon to",
        "xom",
        "khu pho",
        "village",
    },
}
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
        }


def _column_of(label: object) -> str | None:
    key = match_key(label)
    for name, labels in COLUMNS.items():
        if key in labels:
            return name
    if key.startswith(("ho va ten", "ho ten")):
        return "name"
    if "dien thoai" in key:
        return "phone"
    if key.startswith("dia chi"):
        return "address"
    if key.startswith("linh vuc"):
        return "service_area"
    return None


def _find_header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = _column_of(cell)
            if name and name not in columns:
                columns[name] = col
        if "name" in columns and len(columns) >= 2:
            return index, columns
    return None


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

    def error(code, message, *, sheet="", row=None, column="", field_name="", value=""):
        report.errors.append(
            Problem(
                code=code,
                message=message,
                file=file_name,
                sheet=sheet,
                row=row,
                column=column,
                field=field_name,
                value=str(value),
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
        error(exc.code, exc.detail)
        return report
    in_scope = campaign_units(campaign)
    # The campaign's units and the communes under them (a frame names communes, the campaign districts).
    units = list(in_scope) + list(
        Unit.objects.filter(Q(parent__in=in_scope) | Q(parent__parent__in=in_scope))
    )
    if assignment is not None:
        units = [u for u in Unit.objects.filter(Q(pk=assignment.area_id) | Q(parent_id=assignment.area_id))]
    by_key: dict[str, Unit] = {}
    for unit in units:
        by_key.setdefault(match_key(unit.code), unit)
        by_key.setdefault(unit.name_key, unit)
        # "Xã Trịnh Tường" is often written "Trịnh Tường".
        for prefix in ("xa ", "phuong ", "thi tran ", "huyen ", "thi xa ", "thanh pho "):
            if unit.name_key.startswith(prefix):
                by_key.setdefault(unit.name_key.removeprefix(prefix), unit)
    service_areas = _service_areas(campaign, assignment)
    entries: list[SamplingFrameEntry] = []
    seen_phones: dict[str, str] = {}
    found_header = False
    for sheet in sheets:
        header = _find_header(sheet.rows)
        if header is None:
            continue
        found_header = True
        header_row, columns = header
        last_area = None
        for index in range(header_row + 1, len(sheet.rows)):
            row = sheet.rows[index]
            excel_row = index + 1

            def cell(name, row=row, columns=columns):
                col = columns.get(name)
                return clean_text(row[col]) if col is not None and col < len(row) else ""

            def where(name, columns=columns):
                return column_letter(columns[name]) if name in columns else ""

            values = {name: cell(name) for name in columns if name != "stt"}
            if not any(values.values()) or all(_NUMBERING.fullmatch(v) for v in values.values() if v):
                continue  # blank rows and the "(1) (2) (3)" column-numbering row
            if _TOTALS.match(match_key(next((v for v in row if clean_text(v)), ""))):
                break
            report.rows += 1
            start = len(report.errors)
            name = values.get("name", "")
            if not name:
                error(
                    "name_missing",
                    _("The name is empty."),
                    sheet=sheet.name,
                    row=excel_row,
                    column=where("name"),
                    field_name="name",
                )
            phone = ""
            if values.get("phone"):
                phones = normalise_phones(values["phone"])
                if not phones.primary:
                    error(
                        "phone_invalid",
                        _("“%(value)s” is not a valid Vietnamese phone number.") % {"value": values["phone"]},
                        sheet=sheet.name,
                        row=excel_row,
                        column=where("phone"),
                        field_name="phone",
                        value=values["phone"],
                    )
                else:
                    phone = phones.primary
                    place = f"{sheet.name}!{where('phone')}{excel_row}"
                    if phone in seen_phones:
                        error(
                            "duplicate",
                            _("Phone %(value)s is already listed at %(earlier)s.")
                            % {"value": values["phone"], "earlier": seen_phones[phone]},
                            sheet=sheet.name,
                            row=excel_row,
                            column=where("phone"),
                            field_name="phone",
                            value=values["phone"],
                        )
                    else:
                        seen_phones[phone] = place
            area = None
            if values.get("area"):
                area = by_key.get(match_key(values["area"]))
                if area is None:
                    error(
                        "unit_unknown",
                        _("Area “%(value)s” is not a unit of this campaign%(scope)s.")
                        % {
                            "value": values["area"],
                            "scope": _(" in the assignment's area") if assignment else "",
                        },
                        sheet=sheet.name,
                        row=excel_row,
                        column=where("area"),
                        field_name="area",
                        value=values["area"],
                    )
                last_area = area
            elif assignment is not None:
                area = assignment.area
            else:
                area = last_area  # merged area cells: the value of the rows above
            kind = SamplingFrameEntry.Kind.CITIZEN
            if values.get("kind"):
                kind = KINDS.get(match_key(values["kind"]))
                if kind is None:
                    error(
                        "kind_unknown",
                        _("“%(value)s” is neither a citizen (Cá nhân) nor an organisation (Tổ chức).")
                        % {"value": values["kind"]},
                        sheet=sheet.name,
                        row=excel_row,
                        column=where("kind"),
                        field_name="kind",
                        value=values["kind"],
                    )
            service_area = assignment.service_area if assignment else ""
            if values.get("service_area"):
                service_area = service_areas.get(match_key(values["service_area"]), "")
                if service_areas and not service_area:
                    error(
                        "service_area_unknown",
                        _("Service area “%(value)s” is not one of the questionnaire's.")
                        % {"value": values["service_area"]},
                        sheet=sheet.name,
                        row=excel_row,
                        column=where("service_area"),
                        field_name="service_area",
                        value=values["service_area"],
                    )
                elif not service_areas:
                    service_area = values["service_area"][:40]
            if len(report.errors) == start:
                entries.append(
                    SamplingFrameEntry(
                        campaign=campaign,
                        assignment=assignment,
                        area=area,
                        kind=kind,
                        name=name[:255],
                        phone=phone,
                        address=values.get("address", "")[:500],
                        village=values.get("village", "")[:200],
                        service_area=service_area,
                        raw=values,
                        source_file=file_name[:255],
                        source_sheet=sheet.name[:100],
                        source_row=excel_row,
                    )
                )
    if not found_header:
        error(
            "no_header",
            _("No header row (Họ và tên, Điện thoại, Địa chỉ, Xã…) was found in the first 20 rows."),
        )
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        SamplingFrameEntry.objects.bulk_create(entries, batch_size=1000)
    report.imported = len(entries)
    return report
