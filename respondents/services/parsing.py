"""Turning the sheets of a unit's list into validated respondent rows, errors and warnings (no ORM).

The sheets are walked by kit/tabular/walker.py (header, headings, totals, merged cells); this module is the
row validator. Policy: docs/guides/lists.md, facts in docs/methodology.md §11. Every problem names file,
sheet, row and column.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kit.emails import normalise_email
from kit.names import normalise_name
from kit.phones import PhoneResult, national_phone, normalise_phones
from kit.tabular.problems import Problem
from kit.tabular.walker import Duplicates, HeadingReader, SheetWalk, walk_sheets
from kit.tabular.workbook import Sheet
from kit.text import CONTROL_CHARACTERS

from .headers import LAYOUT
from .matching import GroupMatcher, GroupRef, UnitMatcher, UnitRef


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
    rows: list[ParsedRow] = field(default_factory=list)  # every row read, unless ParseContext.sink took it
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # With a sink: the valid rows given to it and the invalid rows let go, none of them kept in `rows`.
    sunk: int = 0
    dropped: int = 0

    @property
    def valid_rows(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.valid]

    @property
    def row_count(self) -> int:
        return len(self.rows) + self.sunk + self.dropped

    @property
    def valid_count(self) -> int:
        return sum(1 for row in self.rows if row.valid) + self.sunk


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
    # Field -> the most characters it is stored in (the models' max_length): longer is a row error.
    limits: Mapping[str, int] = field(default_factory=dict)
    # EMAIL_CHECK_DELIVERABILITY: a check of the address's domain (kit.emails.is_deliverable), else None.
    email_deliverable: Callable[[str], bool] | None = None
    # Given each valid row as it is read, instead of keeping the rows (a large list is never held: D459).
    sink: Callable[[ParsedRow], None] | None = None


def parse_sheets(sheets: list[Sheet], ctx: ParseContext) -> ParseResult:
    result = ParseResult()
    emails, phones = Duplicates(ctx.existing_emails), Duplicates(ctx.existing_phones)
    walks = walk_sheets(
        sheets,
        LAYOUT,
        file_name=ctx.file_name,
        errors=result.errors,
        warnings=result.warnings,
        heading=_heading_reader(ctx),
    )
    for walk in walks:
        _SheetParser(walk, ctx, result, emails, phones).run()
    return result


def _heading_reader(ctx: ParseContext) -> HeadingReader:
    """A sheet name or a section heading ("I. ĐẠI BIỂU HĐND TỈNH", "Sở Tư pháp") names a group or a unit."""

    def read(title: str) -> dict[str, object] | None:
        unit, group = ctx.units.match(title), ctx.groups.match(title)
        return {"unit": unit, "group": group} if unit or group else None

    return read


class _SheetParser:
    """The row validator of a respondent list: one sheet, walked by kit/tabular/walker.py."""

    def __init__(
        self, walk: SheetWalk, ctx: ParseContext, result: ParseResult, emails: Duplicates, phones: Duplicates
    ) -> None:
        self.walk, self.ctx, self.result = walk, ctx, result
        self.emails, self.phones = emails, phones
        self.cols = walk.columns
        self.context = walk.context  # the unit and group the sheet's name and the headings above give
        self.sheet_name = walk.name[: ctx.limits.get("source_sheet", len(walk.name))]
        self.name_limit = ctx.limits.get("full_name", 10**9)
        self.position_limit = ctx.limits.get("position", 10**9)
        self.email_limit = ctx.limits.get("email", 10**9)

    def run(self) -> None:
        walk, result = self.walk, self.result
        missing = walk.missing(["email", "phone"] if self.ctx.require_contacts else [])
        # Without a unit column, the sheet's name or the section headings must name the unit.
        unit_from_context = "unit" not in self.cols and self.ctx.fixed_unit is None
        if missing:
            if unit_from_context and "unit" not in self.context:
                missing += walk.missing(["unit"])
            result.errors.extend(missing)
            return
        marks = len(result.rows), len(result.errors), len(result.warnings), result.dropped, result.sunk
        placed = not unit_from_context
        for excel_row, cells, texts in walk:
            if not placed and "unit" in self.context:
                placed = True
            self._parse_row(excel_row, cells, texts)
        if not placed:
            # Nothing on the sheet names a unit: the column is missing, not every row's unit (D62).
            del result.rows[marks[0] :], result.errors[marks[1] :], result.warnings[marks[2] :]
            # Every such row lacks its unit, so none was valid: a sink was given none of them.
            assert result.sunk == marks[4]
            result.dropped = marks[3]
            result.errors.extend(walk.missing(["unit"]))

    def _cell(self, cells: list[object], texts: list[str], fld: str) -> object:
        """The raw value of a field's first non-empty column; every phone column's, one per line."""
        if fld == "phone" and len(self.cols.get("phone", ())) > 1:
            values = [cells[c] for c in self.cols["phone"] if c < len(cells) and texts[c]]
            if len(values) > 1:
                return "\n".join(
                    str(int(v) if isinstance(v, float) and v.is_integer() else v) for v in values
                )
        return self.walk.cell(cells, texts, fld)

    # -------------------------------------------------------------------------------------------- row
    def _parse_row(self, excel_row: int, cells: list[object], texts: list[str]) -> None:
        walk = self.walk
        errors: list[Problem] = []
        warnings: list[Problem] = []
        text = walk.text

        raw = {
            label: _raw_text(cells[c])
            for c, label in walk.header.labels.items()
            if c < len(cells) and texts[c]
        }

        # The cleaned text is what these normalisers clean the cell to first; phones need the raw cell.
        name = normalise_name(text(texts, "full_name"))
        if not name.value:
            errors.append(walk.problem("name_missing", excel_row, "full_name"))
        elif len(name.value) > self.name_limit:
            errors.append(walk.too_long(excel_row, "full_name", name.value, self.name_limit))
        elif name.recased:
            warnings.append(walk.problem("name_recased", excel_row, "full_name", value=name.value))
        position = text(texts, "position")
        if len(position) > self.position_limit:
            errors.append(walk.too_long(excel_row, "position", position, self.position_limit))

        unit = self._resolve_unit(texts, errors, excel_row)
        group = self._resolve_group(texts, unit, errors, warnings, excel_row)

        email = normalise_email(text(texts, "email"))
        # Longer than the column first: such an address is also invalid (RFC 5321: 254 at most), and saying
        # how long it may be is the more useful message.
        if len(email.value) > self.email_limit:
            errors.append(walk.too_long(excel_row, "email", email.value, self.email_limit))
        elif email.invalid:
            errors.append(walk.problem("email_invalid", excel_row, "email", value=email.value))
        elif not email.value and self.ctx.require_contacts:
            errors.append(walk.problem("email_missing", excel_row, "email"))
        elif email.extra:
            warnings.append(
                walk.problem(
                    "email_multiple", excel_row, "email", value=email.value, extra=", ".join(email.extra)
                )
            )
        check = self.ctx.email_deliverable
        if email.value and not email.invalid and check is not None and not check(email.value):
            warnings.append(walk.problem("email_undeliverable", excel_row, "email", value=email.value))

        phone_cell = self._cell(cells, texts, "phone")
        phones = normalise_phones(phone_cell)
        if not phones.primary:
            if phones.invalid_parts:
                errors.append(walk.problem("phone_invalid", excel_row, "phone", value=_raw_text(phone_cell)))
            elif self.ctx.require_contacts:
                errors.append(walk.problem("phone_missing", excel_row, "phone"))
        elif phones.old_prefixes or phones.invalid_parts or phones.landline_only or phones.alternates:
            warnings += self._phone_warnings(excel_row, phone_cell, phones)

        place = walk.place(excel_row)
        if email.value and not email.invalid:
            earlier = self.emails.earlier(email.value, place)
            if earlier is not None:
                errors.append(
                    walk.problem(
                        "duplicate", excel_row, "email", value=email.value, earlier=earlier, label="E-mail"
                    )
                )
        if phones.primary:
            earlier = self.phones.earlier(phones.primary, place)
            if earlier is not None:
                errors.append(
                    walk.problem(
                        "duplicate",
                        excel_row,
                        "phone",
                        value=national_phone(phones.primary),
                        earlier=earlier,
                        label="Điện thoại",
                    )
                )

        self.result.errors.extend(errors)
        self.result.warnings.extend(warnings)
        sink = self.ctx.sink
        if sink is not None and errors:
            self.result.dropped += 1
            return
        parsed = ParsedRow(
            sheet=self.sheet_name,
            row=excel_row,
            full_name=name.value,
            position=position,
            unit=unit,
            group=group,
            email=email.value if not email.invalid else "",
            phone=phones.primary,
            alternate_phones=list(phones.alternates),
            raw=raw,
            valid=not errors,
        )
        if sink is not None:
            sink(parsed)
            self.result.sunk += 1
        else:
            self.result.rows.append(parsed)

    def _phone_warnings(self, excel_row: int, phone_cell: object, phones: PhoneResult) -> list[Problem]:
        """What was repaired in a valid phone cell: an old prefix, parts ignored, a landline, alternates."""
        walk, found = self.walk, []
        if phones.old_prefixes:
            converted = ", ".join(national_phone(p) for p in (phones.primary, *phones.alternates))
            found.append(
                walk.problem(
                    "phone_old_prefix", excel_row, "phone", value=_raw_text(phone_cell), converted=converted
                )
            )
        for part in phones.invalid_parts:
            found.append(walk.problem("phone_part_ignored", excel_row, "phone", value=part))
        if phones.landline_only:
            found.append(
                walk.problem("phone_landline_only", excel_row, "phone", value=national_phone(phones.primary))
            )
        elif phones.alternates:
            found.append(
                walk.problem(
                    "phone_alternates",
                    excel_row,
                    "phone",
                    value=national_phone(phones.primary),
                    alternates=", ".join(national_phone(p) for p in phones.alternates),
                )
            )
        return found

    def _resolve_unit(self, texts: list[str], errors: list[Problem], excel_row: int) -> UnitRef | None:
        text = self.walk.text(texts, "unit")
        matched = self.ctx.units.match(text) if text else None
        fixed = self.ctx.fixed_unit
        if fixed:
            if matched and matched.id != fixed.id:
                errors.append(
                    self.walk.problem("unit_mismatch", excel_row, "unit", value=text, unit=fixed.name)
                )
            return fixed
        if text and not matched:
            errors.append(self.walk.problem("unit_unknown", excel_row, "unit", value=text))
            return None
        unit = matched or self.context.get("unit")
        if unit is None:
            errors.append(self.walk.problem("unit_unknown", excel_row, "unit", value=text))
        return unit  # type: ignore[return-value]  # the context holds what _heading_reader put there

    def _resolve_group(
        self,
        texts: list[str],
        unit: UnitRef | None,
        errors: list[Problem],
        warnings: list[Problem],
        excel_row: int,
    ) -> GroupRef | None:
        text = self.walk.text(texts, "group")
        groups = self.ctx.groups
        if text:
            group = groups.match(text)
            if group is None:
                errors.append(
                    self.walk.problem(
                        "group_unknown", excel_row, "group", value=text, choices=groups.choices()
                    )
                )
            return group
        heading_group = self.context.get("group")
        if heading_group is not None:
            return heading_group  # type: ignore[return-value]
        inferred = groups.for_unit_kind(unit.kind) if unit else None
        if inferred:
            warnings.append(self.walk.problem("group_inferred", excel_row, "group", value=inferred.name))
            return inferred
        errors.append(
            self.walk.problem("group_unknown", excel_row, "group", value="", choices=groups.choices())
        )
        return None


def _raw_text(value: object) -> str:
    """The cell as written, for the record; only NUL and other control characters are dropped."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = "" if value is None else str(value)
    return CONTROL_CHARACTERS.sub("", text) if CONTROL_CHARACTERS.search(text) else text
