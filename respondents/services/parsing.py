"""Turning the sheets of a unit's list into validated respondent rows, errors and warnings (no ORM).

Policy: docs/guides/lists.md, facts in docs/methodology.md §11. Every problem names file, sheet, Excel row
and column.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kit.emails import normalise_email
from kit.names import normalise_name
from kit.phones import national_phone, normalise_phones
from kit.tabular.problems import Problem, column_letter, problem
from kit.tabular.workbook import Sheet
from kit.text import CONTROL_CHARACTERS, clean_text, match_key

from .headers import Header, find_header
from .matching import GroupMatcher, GroupRef, UnitMatcher, UnitRef

_ROMAN_OR_LETTER = re.compile(r"^([ivxlc]+|[a-z])$")
_TOTALS = ("tong cong", "tong so", "total", "cong")
_COLUMN_NAMES = {
    "full_name": "Họ và tên",
    "position": "Chức vụ",
    "unit": "Đơn vị",
    "group": "Nhóm đối tượng",
    "phone": "Số điện thoại",
    "email": "Email",
}


@dataclass
class ParsedRow:
    sheet: str
    row: int  # Excel row number
    full_name: str
    position: str
    unit: UnitRef | None
    group: GroupRef | None
    email: str
    phone: str
    alternate_phones: list[str]
    raw: dict[str, str]
    valid: bool = True


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.valid]


@dataclass
class ParseContext:
    file_name: str
    units: UnitMatcher
    groups: GroupMatcher
    require_contacts: bool
    fixed_unit: UnitRef | None = None
    # Normalised e-mail / phone already in the campaign -> where (for duplicate messages).
    existing_emails: dict[str, str] = field(default_factory=dict)
    existing_phones: dict[str, str] = field(default_factory=dict)
    # EMAIL_CHECK_DELIVERABILITY: a check of the address's domain (kit.emails.is_deliverable), else None.
    email_deliverable: Callable[[str], bool] | None = None


def parse_sheets(sheets: list[Sheet], ctx: ParseContext) -> ParseResult:
    result = ParseResult()
    seen_emails = dict(ctx.existing_emails)
    seen_phones = dict(ctx.existing_phones)
    headers_found = 0
    for sheet in sheets:
        header = find_header(sheet.rows)
        if header is None:
            if any(clean_text(v) for row in sheet.rows for v in row):
                result.warnings.append(problem("sheet_skipped", file=ctx.file_name, sheet=sheet.name))
            continue
        headers_found += 1
        _SheetParser(sheet, header, ctx, result, seen_emails, seen_phones).run()
    if headers_found == 0:
        result.errors.append(problem("no_header", file=ctx.file_name, sheet=sheets[0].name if sheets else ""))
    return result


class _SheetParser:
    def __init__(
        self, sheet, header: Header, ctx: ParseContext, result: ParseResult, seen_emails, seen_phones
    ):
        self.sheet, self.header, self.ctx, self.result = sheet, header, ctx, result
        self.seen_emails, self.seen_phones = seen_emails, seen_phones
        self.cols = header.columns
        # Context that a sheet name or a section heading ("I. ĐẠI BIỂU HĐND TỈNH") gives the rows below it.
        self.context_unit = ctx.units.match(sheet.name)
        self.context_group = ctx.groups.match(sheet.name)

    def run(self) -> None:
        if not self._check_columns():
            return
        rows = self.sheet.rows
        _fill_merged(
            rows,
            self.sheet.merged,
            self.header.row + 1,
            [self.cols.get(f, []) for f in ("unit", "group", "position")],
        )
        for index in range(self.header.row + 1, len(rows)):
            cells = rows[index]
            # Each cell cleaned once: the checks below and the row parser only test the texts for
            # emptiness or read them, and cleaning every cell again in each check was most of the time.
            texts = [clean_text(v) for v in cells]
            if not any(texts) or self._is_numbering(texts):
                continue
            if self._is_totals(texts):
                break  # what follows a totals line is the signature block
            if self._is_heading(cells, texts):
                continue
            self._parse_row(index + 1, cells, texts)

    # ----------------------------------------------------------------------------------------- checks
    def _check_columns(self) -> bool:
        required = ["full_name"]
        if self.ctx.require_contacts:
            required += ["email", "phone"]
        missing = [f for f in required if f not in self.cols]
        if "unit" not in self.cols and not (self.ctx.fixed_unit or self.context_unit):
            missing.append("unit")
        for fld in missing:
            self.result.errors.append(
                problem(
                    "column_missing",
                    file=self.ctx.file_name,
                    sheet=self.sheet.name,
                    field=fld,
                    column=_COLUMN_NAMES[fld],
                )
            )
        # The message names the column; the `column` key of a missing column carries its usual header.
        return not missing

    def _cell(self, cells, texts: list[str], fld: str) -> object:
        """The raw value of a field's first non-empty column (texts: the row's cells, cleaned)."""
        values = [cells[c] for c in self.cols.get(fld, []) if c < len(cells) and texts[c]]
        if not values:
            return ""
        if fld == "phone" and len(values) > 1:
            return "\n".join(str(int(v) if isinstance(v, float) and v.is_integer() else v) for v in values)
        return values[0]

    def _text(self, texts: list[str], fld: str) -> str:
        """The cleaned text of a field's first non-empty column: clean_text(self._cell(...)), already done."""
        for c in self.cols.get(fld, ()):  # a loop, not next(generator): this runs ten times a row
            if c < len(texts) and texts[c]:
                return texts[c]
        return ""

    def _is_numbering(self, texts: list[str]) -> bool:
        """The '(1) (2) (3) …' row that Vietnamese forms put under the header."""
        values = [t.strip("()") for t in texts if t]
        return (
            len(values) >= 3
            and all(v.isdigit() for v in values)
            and [int(v) for v in values] == list(range(int(values[0]), int(values[0]) + len(values)))
        )

    def _is_totals(self, texts: list[str]) -> bool:
        first_text = next((t for t in texts if t), "")
        if not first_text or self._text(texts, "email"):
            return False
        first = match_key(first_text)
        return any(first == t or first.startswith(t + " ") for t in _TOTALS if t != "cong") or first == "cong"

    def _is_heading(self, cells, texts: list[str]) -> bool:
        """A section title inside the table; it sets the unit or group of the rows below it."""
        if any(self._text(texts, f) for f in ("email", "phone", "position")):
            return False
        stt = match_key(self._cell(cells, texts, "stt"))
        if stt.isdigit():
            return False
        filled = [t for t in texts if t]
        title = " ".join(t for t in filled if match_key(t) != stt) if stt else " ".join(filled)
        title = re.sub(r"^([IVXLC]+|[A-Za-z]|\d+)[.)]\s*", "", title)
        unit, group = self.ctx.units.match(title), self.ctx.groups.match(title)
        if not (unit or group or _ROMAN_OR_LETTER.match(stt)):
            return False
        if unit:
            self.context_unit = unit
        if group:
            self.context_group = group
        return True

    # -------------------------------------------------------------------------------------------- row
    def _parse_row(self, excel_row: int, cells, texts: list[str]) -> None:
        where = {"file": self.ctx.file_name, "sheet": self.sheet.name, "row": excel_row}
        errors: list[Problem] = []
        warnings: list[Problem] = []

        def at(fld: str) -> dict:
            col = self.header.first(fld)
            return {**where, "field": fld, "column": column_letter(col) if col is not None else ""}

        raw = {
            label: _raw_text(cells[c])
            for c, label in self.header.labels.items()
            if c < len(cells) and texts[c]
        }

        # The cleaned text is what these normalisers clean the cell to first; phones need the raw cell.
        name = normalise_name(self._text(texts, "full_name"))
        if not name.value:
            errors.append(problem("name_missing", **at("full_name")))
        elif name.recased:
            warnings.append(problem("name_recased", value=name.value, **at("full_name")))

        unit = self._resolve_unit(texts, errors, at)
        group = self._resolve_group(texts, unit, errors, warnings, at)

        email = normalise_email(self._text(texts, "email"))
        if email.invalid:
            errors.append(problem("email_invalid", value=email.value, **at("email")))
        elif not email.value and self.ctx.require_contacts:
            errors.append(problem("email_missing", **at("email")))
        elif email.extra:
            warnings.append(
                problem("email_multiple", value=email.value, extra=", ".join(email.extra), **at("email"))
            )
        check = self.ctx.email_deliverable
        if email.value and not email.invalid and check is not None and not check(email.value):
            warnings.append(problem("email_undeliverable", value=email.value, **at("email")))

        phone_cell = self._cell(cells, texts, "phone")
        phones = normalise_phones(phone_cell)
        if not phones.primary:
            if phones.invalid_parts:
                errors.append(problem("phone_invalid", value=_raw_text(phone_cell), **at("phone")))
            elif self.ctx.require_contacts:
                errors.append(problem("phone_missing", **at("phone")))
        else:
            if phones.old_prefixes:
                converted = ", ".join(national_phone(p) for p in (phones.primary, *phones.alternates))
                warnings.append(
                    problem(
                        "phone_old_prefix", value=_raw_text(phone_cell), converted=converted, **at("phone")
                    )
                )
            for part in phones.invalid_parts:
                warnings.append(problem("phone_part_ignored", value=part, **at("phone")))
            if phones.landline_only:
                warnings.append(
                    problem("phone_landline_only", value=national_phone(phones.primary), **at("phone"))
                )
            elif phones.alternates:
                warnings.append(
                    problem(
                        "phone_alternates",
                        value=national_phone(phones.primary),
                        alternates=", ".join(national_phone(p) for p in phones.alternates),
                        **at("phone"),
                    )
                )

        place = _place(self.ctx.file_name, self.sheet.name, excel_row)
        if email.value and not email.invalid:
            if email.value in self.seen_emails:
                errors.append(
                    problem(
                        "duplicate",
                        value=email.value,
                        earlier=self.seen_emails[email.value],
                        label="E-mail",
                        **at("email"),
                    )
                )
            else:
                self.seen_emails[email.value] = place
        if phones.primary:
            if phones.primary in self.seen_phones:
                errors.append(
                    problem(
                        "duplicate",
                        value=national_phone(phones.primary),
                        earlier=self.seen_phones[phones.primary],
                        label="Điện thoại",
                        **at("phone"),
                    )
                )
            else:
                self.seen_phones[phones.primary] = place

        self.result.errors.extend(errors)
        self.result.warnings.extend(warnings)
        self.result.rows.append(
            ParsedRow(
                sheet=self.sheet.name,
                row=excel_row,
                full_name=name.value,
                position=self._text(texts, "position"),
                unit=unit,
                group=group,
                email=email.value if not email.invalid else "",
                phone=phones.primary,
                alternate_phones=list(phones.alternates),
                raw=raw,
                valid=not errors,
            )
        )

    def _resolve_unit(self, texts, errors, at) -> UnitRef | None:
        text = self._text(texts, "unit")
        matched = self.ctx.units.match(text) if text else None
        fixed = self.ctx.fixed_unit
        if fixed:
            if matched and matched.id != fixed.id:
                errors.append(problem("unit_mismatch", value=text, unit=fixed.name, **at("unit")))
            return fixed
        if text and not matched:
            errors.append(problem("unit_unknown", value=text, **at("unit")))
            return None
        unit = matched or self.context_unit
        if unit is None:
            errors.append(problem("unit_unknown", value=text, **at("unit")))
        return unit

    def _resolve_group(self, texts, unit, errors, warnings, at) -> GroupRef | None:
        text = self._text(texts, "group")
        groups = self.ctx.groups
        if text:
            group = groups.match(text)
            if group is None:
                errors.append(problem("group_unknown", value=text, choices=groups.choices(), **at("group")))
            return group
        if self.context_group:
            return self.context_group
        inferred = groups.for_unit_kind(unit.kind) if unit else None
        if inferred:
            warnings.append(problem("group_inferred", value=inferred.name, **at("group")))
            return inferred
        errors.append(problem("group_unknown", value="", choices=groups.choices(), **at("group")))
        return None


def _fill_merged(rows, merged, first_data_row: int, column_lists: list[list[int]]) -> None:
    """Copy a vertically merged cell's value (one unit for five people) into every row it covers."""
    columns = {c for cols in column_lists for c in cols}
    for (r0, c0), (r1, c1) in merged:
        if r1 <= r0 or r0 < first_data_row:
            continue
        for c in range(c0, c1 + 1):
            if c not in columns or c0 >= len(rows[r0]):
                continue
            value = rows[r0][c0]
            for r in range(r0 + 1, min(r1 + 1, len(rows))):
                if c < len(rows[r]) and not clean_text(rows[r][c]):
                    rows[r][c] = value


def _raw_text(value: object) -> str:
    """The cell as written, for the record; only NUL and other control characters are dropped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = "" if value is None else str(value)
    return CONTROL_CHARACTERS.sub("", text) if CONTROL_CHARACTERS.search(text) else text


def _place(file_name: str, sheet: str, row: int) -> str:
    return f"{file_name} / {sheet} / dòng {row}"
