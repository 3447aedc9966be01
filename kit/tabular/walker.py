"""The one sheet walker every list importer uses (respondent lists, sampling frame, field teams, units).

`walk_sheets` finds each sheet's header (headers.py) and gives a `SheetWalk` per sheet that has one; iterating
a SheetWalk gives the data rows only, as (Excel row number, raw cells, cleaned texts). On the way it drops
blank rows and the "(1) (2) (3)" column-numbering row, copies vertically merged cells down, reads section
headings ("I. ĐẠI BIỂU HĐND TỈNH", in whatever column they sit) into `context` for the rows below, and stops
at a totals line so that the signature block is never read as data. The importer's own code is a row
validator: it reads the fields of each row through the SheetWalk and builds problems with it.

Rules and their reasons: docs/decisions.md D51–D55; the codes: docs/reference/problems.md. Pure: no ORM.
"""

import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from kit.text import clean_text, match_key

from .headers import HEADER_SEARCH_ROWS, Header, find_header
from .layout import Layout
from .problems import Problem, build_problem, column_letter, problem, shortened
from .workbook import Sheet

# What a heading says about the rows below it ({"group": …} or {"unit": …}), or None when it names nothing
# known. Called with the sheet's name too: a sheet named after a unit or group places its rows.
type HeadingReader = Callable[[str], Mapping[str, object] | None]
type DataRow = tuple[int, list[object], list[str]]  # Excel row number, cells as read, cells cleaned

# A numeral on its own in the row-number column ("I", "II.", "a)", "1") and one in front of a title.
_NUMERAL = re.compile(r"(?i)([ivxlc]+|[a-zđ]|\d{1,3}(?:\.\d{1,3})*)[.):]?")
_NUMBERED = re.compile(r"(?i)([ivxlc]+|[a-zđ]|\d{1,3}(?:\.\d{1,3})*)(?:[.):]\s*|\s+[-–]\s+)(\S.*)")
_ROMAN = re.compile(r"(?i)[ivx]+|[ivxlc]{2,}")  # a lone C or L is a letter: nobody numbers sections 50 or 100
# Level 1 (roman) sections hold level 2 ones (letters, arabic numbers, unnumbered titles); a sheet's name: 0.
_TOP, _SUB = 1, 2
_SIGNATURE = re.compile(
    r"^(nguoi lap|thu truong (don vi|co quan)|noi nhan|xac nhan cua|ky ten|ky va ghi ro|ky ghi ro"
    r"|(kt|tm|tl|tuq|q) (giam doc|chu tich|truong|uy ban|ubnd|so|hoi dong|thu truong))\b"
    r"|\bngay \d{1,2} thang \d{1,2} nam \d{4}\b"
)
_GRAND_TOTALS = ("tong cong", "tong so", "total", "grand total")  # not "tong": "Tổng cục Thuế"
# "Cộng mục I", "Cộng nhóm 2": the words that may follow "Cộng" in a subtotal.
_SUBTOTAL_SECOND_WORDS = {"muc", "nhom", "phan", "khoi"} | {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii"}


def walk_sheets(
    sheets: Sequence[Sheet],
    layout: Layout,
    *,
    file_name: str,
    errors: list[Problem],
    warnings: list[Problem],
    heading: HeadingReader | None = None,
) -> list["SheetWalk"]:
    """A SheetWalk for each sheet with a header; sheet_skipped for a sheet with text but no header, and
    no_header when no sheet has one."""
    walks = []
    for sheet in sheets:
        header = find_header(sheet.head(HEADER_SEARCH_ROWS + 1), layout)
        if header is None:
            if any(clean_text(v) for row in sheet.iter_rows() for v in row):
                warnings.append(problem("sheet_skipped", file=file_name, sheet=sheet.name))
            continue
        walks.append(
            SheetWalk(sheet, header, layout, file_name=file_name, warnings=warnings, heading=heading)
        )
    if not walks:
        errors.append(
            problem(
                "no_header",
                file=file_name,
                sheet=sheets[0].name if sheets else "",
                columns=", ".join(list(layout.names.values())[:4]),
                rows=HEADER_SEARCH_ROWS,
            )
        )
    return walks


class SheetWalk:
    """One sheet under its header: iterate it for the data rows; read their fields and build problems here."""

    def __init__(
        self,
        sheet: Sheet,
        header: Header,
        layout: Layout,
        *,
        file_name: str,
        warnings: list[Problem],
        heading: HeadingReader | None = None,
    ) -> None:
        self.sheet, self.header, self.layout = sheet, header, layout
        self.name, self.file_name, self.warnings = sheet.name, file_name, warnings
        self.columns = header.columns
        self._heading = heading
        # What the sheet's name and the section headings above the current row say ({"group": GroupRef}),
        # with the level of the heading that said it (0: the sheet's name).
        self.context: dict[str, object] = {}
        self._levels: dict[str, int] = {}
        if heading is not None:
            self._set(heading(sheet.name) or {}, 0)
        self._letters = {f: column_letter(cols[0]) for f, cols in self.columns.items()}
        self._data_columns = [c for f in layout.data_fields for c in self.columns.get(f, ())]
        self._numbering = set(self.columns.get(layout.numbering, ()))

    # ----------------------------------------------------------------------------------------- the rows
    def __iter__(self) -> Iterator[DataRow]:
        """The data rows, read once: a streamed sheet's rows are not kept (workbook.Sheet.iter_rows)."""
        start = self.header.row + 1
        fill = {c for f in self.layout.fill_down for c in self.columns.get(f, ())}
        merged = self.sheet.merged
        filler = _MergedFill(merged, start, fill) if fill and merged else None
        across = {(r0, c0) for (r0, c0), (_r1, c1) in merged if c1 > c0 and r0 >= start}
        data_columns = self._data_columns
        after_totals = ""  # "grand" or "sub" once a totals line was read, "" again at the next section
        totals_row, skipped = 0, 0
        for index, cells in enumerate(self.sheet.iter_rows()):
            if index < start:
                continue
            if filler is not None:
                filler.fill(index, cells)
            # Each cell cleaned once: the checks below and the row validator only read these texts.
            texts = [clean_text(v) for v in cells]
            evidence = ""
            for c in data_columns:  # a loop, not next(generator): this runs for every row
                if c < len(texts) and texts[c]:
                    evidence = texts[c]
                    break
            if evidence and _looks_like_data(evidence):  # an e-mail, a phone, a username…
                if not after_totals:
                    yield index + 1, cells, texts  # the usual row
                else:
                    skipped += 1  # data under a totals line: not read, but said (rows_after_totals)
                continue
            # No contact details (or only "(7)", "GIÁM ĐỐC" in their columns): a heading, a totals line, the
            # signature block, a blank or numbering row, or a person whose contacts are missing.
            if after_totals == "grand" or self._is_blank(texts) or _is_numbering(texts):
                continue
            kind = _totals(texts) or ("grand" if _is_signature(texts) else "")
            if kind:
                if skipped:
                    self.warnings.append(self.problem("rows_after_totals", totals_row, count=skipped))
                after_totals, totals_row, skipped = kind, index + 1, 0
                continue
            if not evidence and self._is_heading(index, texts, across, resume=bool(after_totals)):
                if skipped:
                    self.warnings.append(self.problem("rows_after_totals", totals_row, count=skipped))
                after_totals, skipped = "", 0
                continue
            if not after_totals:
                yield index + 1, cells, texts
        if skipped:
            self.warnings.append(self.problem("rows_after_totals", totals_row, count=skipped))

    def _is_blank(self, texts: list[str]) -> bool:
        """Empty, or numbered only: the unused rows of a form with its STT column filled in beforehand."""
        numbering = self._numbering
        return all(not t or (c in numbering and _NUMERAL.fullmatch(t)) for c, t in enumerate(texts))

    def _is_heading(
        self, index: int, texts: list[str], across: set[tuple[int, int]], *, resume: bool
    ) -> bool:
        """A section title inside the table: it places the rows below it (docs/decisions.md D52)."""
        filled = [(c, t) for c, t in enumerate(texts) if t]
        numeral = ""
        if filled[0][0] in self._numbering and _NUMERAL.fullmatch(filled[0][1]) and len(filled) > 1:
            numeral = filled[0][1].rstrip(".):")
            filled = filled[1:]
        if len(filled) > 2:
            return False
        title = " ".join(t for _c, t in filled)
        found = self._heading(title) if self._heading else None
        if not found and not numeral and (numbered := _NUMBERED.fullmatch(title)):
            numeral, title = numbered.group(1), numbered.group(2)
            found = self._heading(title) if self._heading else None
        level = _TOP if numeral and _ROMAN.fullmatch(numeral) else _SUB
        if found:
            self._set(found, level)
            return True
        if resume:  # after a subtotal, only a recognised heading starts the next section
            return False
        merged = any((index, c) in across for c, _t in filled)
        if (numeral and not numeral[0].isdigit()) or merged:
            self._set({}, level)
            self.warnings.append(self.problem("heading_unrecognised", index + 1, value=shortened(title)))
            return True
        return False

    def _set(self, found: Mapping[str, object], level: int) -> None:
        """A heading of `level` ends the sections at its level and below, then places the rows below it."""
        if level:
            for key in [k for k, lv in self._levels.items() if lv >= level]:
                del self.context[key], self._levels[key]
        for key, value in found.items():
            if value is not None:
                self.context[key], self._levels[key] = value, level

    # ------------------------------------------------------------------------------------- reading fields
    def text(self, texts: list[str], field: str) -> str:
        """The cleaned text of a field's first non-empty column ('' when none)."""
        for c in self.columns.get(field, ()):  # a loop, not next(generator): this runs ten times a row
            if c < len(texts) and texts[c]:
                return texts[c]
        return ""

    def cell(self, cells: list[object], texts: list[str], field: str) -> object:
        """The raw value of a field's first non-empty column ('' when none)."""
        for c in self.columns.get(field, ()):
            if c < len(texts) and texts[c]:
                return cells[c]
        return ""

    def column(self, field: str) -> str:
        """The Excel letter of a field's (first) column, '' when the sheet has none."""
        return self._letters.get(field, "")

    def place(self, row: int) -> str:
        """Where a row is, for a message naming an earlier row: "ds.xlsx / Sheet1 / dòng 12"."""
        return f"{self.file_name} / {self.name} / dòng {row}"

    # ------------------------------------------------------------------------------------------ problems
    def problem(
        self,
        code: str,
        row: int | None = None,
        field: str = "",
        *,
        variant: str = "",
        value: object = "",
        **params: object,
    ) -> Problem:
        """The catalogue's problem `code` at this sheet, row and the field's column."""
        return build_problem(
            code, variant, self.file_name, self.name, row, self.column(field), field, value, params
        )

    def too_long(self, row: int, field: str, value: str, limit: int) -> Problem | None:
        """value_too_long when `value` would not fit the `limit` characters it is stored in."""
        if len(value) <= limit:
            return None
        col = self.header.first(field)
        label = self.header.labels.get(col, "") if col is not None else ""
        label = label or self.layout.names.get(field, field)
        return self.problem(
            "value_too_long", row, field, value=shortened(value), label=label, length=len(value), limit=limit
        )

    def missing(self, fields: Sequence[str]) -> list[Problem]:
        """column_missing for each of `fields` the sheet has no column for (naming its usual header)."""
        return [
            problem(
                "column_missing",
                file=self.file_name,
                sheet=self.name,
                field=f,
                column=self.layout.names.get(f, f),
            )
            for f in fields
            if f not in self.columns
        ]


class Duplicates:
    """Where each key (a normalised e-mail, a phone in E.164, a code) was first seen, to name it later."""

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self._places: dict[str, str] = dict(known or {})

    def earlier(self, key: str, place: str) -> str | None:
        """The place `key` was seen first, or None, and then `key` is remembered at `place`."""
        found = self._places.get(key)
        if found is None:
            self._places[key] = place
        return found


def _looks_like_data(text: str) -> bool:
    """Text a contact column holds for a person (an e-mail, a phone, a username), not a column number "(7)",
    a phone stored as a bare number (checked the slow way), or signature words ("GIÁM ĐỐC") in that column."""
    return "@" in text or (
        not text.strip("()").isdigit() and (" " not in text or any(ch.isdigit() for ch in text))
    )


def _is_signature(texts: list[str]) -> bool:
    """The start of the signature block: "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)", "KT. GIÁM ĐỐC", "Nơi nhận:",
    or the place and date line "Lào Cai, ngày 15 tháng 11 năm 2025". Never a person's position alone."""
    return any(t and _SIGNATURE.search(match_key(t)) for t in texts)


def _is_numbering(texts: list[str]) -> bool:
    """The '(1) (2) (3) …' row that Vietnamese forms put under the header."""
    values = [t.strip("()") for t in texts if t]
    return (
        len(values) >= 3
        and all(v.isdigit() for v in values)
        and [int(v) for v in values] == list(range(int(values[0]), int(values[0]) + len(values)))
    )


def _totals(texts: list[str]) -> str:
    """'grand' for a totals line ("Tổng cộng: 25 người"), 'sub' for a section's ("Cộng: 5"), else ''."""
    first = next((t for t in texts if t), "")
    key = match_key(first)
    if not key or key.startswith("tong cong ty"):  # "Tổng công ty …" is an organisation
        return ""
    if any(key == t or key.startswith(t + " ") for t in _GRAND_TOTALS):
        return "grand"
    words = key.split()
    if words[0] == "cong" and (len(words) == 1 or words[1].isdigit() or words[1] in _SUBTOTAL_SECOND_WORDS):
        return "sub"
    if key.startswith(("sub total", "subtotal")):
        return "sub"
    return ""


class _MergedFill:
    """Copies a vertically merged cell's value (one unit for five people) into every row it covers, as the
    rows are read: the value of the range's first row, into the covered rows' empty cells of `columns`."""

    def __init__(
        self,
        merged: Sequence[tuple[tuple[int, int], tuple[int, int]]],
        first_data_row: int,
        columns: set[int],
    ) -> None:
        self._starts: dict[int, list[tuple[int, int, int]]] = {}  # first row -> (c0, column, last row)
        for (r0, c0), (r1, c1) in merged:
            if r1 <= r0 or r0 < first_data_row:
                continue
            for c in range(c0, c1 + 1):
                if c in columns:
                    self._starts.setdefault(r0, []).append((c0, c, r1))
        self._active: list[tuple[int, object, int]] = []  # (column, value, last row) of the open ranges

    def fill(self, index: int, cells: list[object]) -> None:
        if self._active:
            for c, value, _last in self._active:
                if c >= len(cells):
                    cells.extend([""] * (c + 1 - len(cells)))  # a streamed row stops at its last value
                if not clean_text(cells[c]):
                    cells[c] = value
            self._active = [item for item in self._active if item[2] > index]
        for c0, c, last in self._starts.get(index, ()):
            if c0 < len(cells):
                self._active.append((c, cells[c0], last))
