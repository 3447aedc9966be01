"""Reading the Ministry's criteria annex as officials type it (docs/reference/criteria-table-format.md).

Pure: a file in, rows of a tree and Problems out; no ORM. Spreadsheets (.xlsx, .xls, .ods) are read with
kit.tabular.workbook, Word tables (.docx) with python-docx. The table is found by its header row (STT |
Lĩnh vực/Tiêu chí/Tiêu chí thành phần | Điểm tối đa | Phương pháp đánh giá | Tài liệu kiểm chứng, with or
without diacritics, only the name and maximum required) in the first 20 rows; title rows, blank rows,
merged cells and a total row are handled; the tree comes from the numbering (docs/decisions.md D154):

- domains: I, II, … (roman) or 1, 2, … when the table has no roman numbering;
- criteria: 1, 2, … inside a roman domain, or 1.1 (domain.criterion);
- sub-criteria: 1.1.1, a) / a., or a dash (-, +, •), under the criterion above them.

A method cell naming the sociological survey (Điều tra XHH, qua điều tra xã hội học, khảo sát) marks an
item scored by survey; one naming SIPAS or sự hài lòng marks it as fed by SIPAS. A method given on a
criterion applies to its sub-criteria unless they have their own.
"""

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kit.tabular.problems import Problem, column_letter
from kit.tabular.workbook import Sheet, UnreadableFile, read_sheets
from kit.text import clean_text, match_key

from .definitions import names_sipas

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
HEADER_WINDOW = 20

# Stable codes (docs/reference/criteria-table-format.md); messages may change, codes may not.
MESSAGES = {
    "file_unreadable": _("The file cannot be read: {detail}"),
    "file_too_large": _("The file is too large: {detail}"),
    "format_unsupported": _(
        "Unsupported file type “{detail}”: load the annex as .xlsx, .xls, .ods or .docx "
        "(save a .doc as .docx)."
    ),
    "no_header": _(
        "No header row with a name column (Lĩnh vực/Tiêu chí…) and a maximum column (Điểm tối đa) was found "
        "in the first 20 rows of any sheet or table."
    ),
    "no_rows": _("The table has a header but no numbered rows under it."),
    "numbering_missing": _("“{value}” has a maximum but no numbering (I, 1, 1.1, 1.1.1, a), -)."),
    "numbering_unknown": _("“{value}” is not a numbering this reader knows (I, 1, 1.1, 1.1.1, a), -)."),
    "out_of_place": _("“{value}” cannot come here: {detail}."),
    "duplicate_code": _("Code {value} is used twice (first at row {detail})."),
    "name_missing": _("Item {value} has no name."),
    "max_missing": _("Item {value} has no maximum."),
    "max_not_a_number": _("The maximum of item {item} is “{value}”, not a number."),
    "max_not_positive": _("The maximum of item {item} must be more than 0 (found {value})."),
    "max_decimals": _("The maximum of item {item} has more than two decimals ({value})."),
    "sum_mismatch": _("Item {item} has a maximum of {value} but its {children} add up to {detail}."),
    "total_mismatch": _("The domains add up to {detail}, not the total {value}."),
    "total_row_mismatch": _("The table's total row says {value} but the domains add up to {detail}."),
    "count_mismatch": _("Expected {value} {detail}, the table has {count}."),
    "tree_invalid": _("The table does not make a valid criteria tree: {detail}"),
    # warnings
    "sheet_skipped": _("Sheet or table “{sheet}” also has a criteria header and was not read."),
    "row_skipped": _("Row without numbering or maximum skipped: “{value}”."),
    "computed_kept": _("Item {value} keeps the computed rule of the previous version ({detail})."),
    "leads_default": _(
        "No lead departments were known for {value}: every domain is led by Sở Nội vụ (SNV); set them in "
        "the exported YAML if needed."
    ),
}

LABELS = {"domains": _("domains"), "criteria": _("criteria"), "sub_criteria": _("sub-criteria")}
HEADERS = {
    # column → words of the header (match_key form), first match wins; order matters (name before max).
    "number": ("stt", "so tt", "so thu tu", "tt", "ma so", "ma"),
    "max": ("diem toi da", "so diem toi da", "diem chuan", "thang diem", "diem"),
    "method": ("phuong phap", "cach cham", "cach thuc cham", "huong dan cham", "cach danh gia"),
    "evidence": ("tai lieu kiem chung", "tai lieu", "minh chung"),
    "name": ("linh vuc", "tieu chi", "noi dung", "ten"),
}
SURVEY_WORDS = ("dieu tra xhh", "dieu tra xa hoi hoc", "khao sat", "xa hoi hoc")
TOTAL_WORDS = ("tong cong", "tong diem", "tong so diem", "tong")
_ROMAN = re.compile(r"^(?=[IVXLC])(C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_NUMBERING = re.compile(
    r"^\s*(?P<num>[IVXLC]+(?:\.|(?=\s|$))|\d+(?:\.\d+){0,3}\.?(?!\d)|[a-zđ][).](?=\s|$)|[-+•–](?=\s|$))"
    r"\s*(?P<rest>.*)$",
    re.S,
)


@dataclass
class AnnexRow:
    """One numbered row of the table, placed in the tree."""

    kind: str  # domain | criterion | sub_criterion
    code: str
    name: str
    max_points: Decimal | None
    method: str
    sheet: str
    row: int  # 1-based, as the spreadsheet or the Word table shows it
    number: str  # as typed
    scored_by: str = ""  # survey when the method says so
    survey: str = ""  # officials | sipas for survey items
    children: list["AnnexRow"] = field(default_factory=list)


@dataclass
class AnnexResult:
    domains: list[AnnexRow] = field(default_factory=list)
    total_row: Decimal | None = None
    sheet: str = ""
    max_column: str = ""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def annex_problem(
    code: str, *, file: str = "", sheet: str = "", row: int | None = None, column: str = "", **params: object
) -> Problem:
    value = params.pop("value", "")
    message = str(MESSAGES[code]).format(value=value, sheet=sheet, **params)
    return Problem(
        code=code, message=message, file=file, sheet=sheet, row=row, column=column, value=str(value)
    )


def read_annex(path: Path, *, file_name: str, sheet: str | None = None) -> AnnexResult:
    """The tree of an annex file, with every problem (file, sheet or table, row, column, code, message)."""
    suffix = Path(file_name).suffix.lower()
    try:
        if suffix == ".docx":
            tables = docx_tables(path)
        elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            tables = read_sheets(path, file_name=file_name, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
        else:
            return AnnexResult(
                errors=[annex_problem("format_unsupported", file=file_name, detail=suffix or "?")]
            )
    except UnreadableFile as exc:
        return AnnexResult(errors=[annex_problem(exc.code, file=file_name, detail=exc.detail)])
    return parse_tables(tables, file_name=file_name, sheet=sheet)


def docx_tables(path: Path) -> list[Sheet]:
    """The tables of a Word file as Sheets ("Bảng 1", "Bảng 2", …): a cell merged across columns or rows
    keeps its text in its first cell and is listed in `merged`."""
    import docx  # python-docx; imported here so that spreadsheets do not need it

    if path.stat().st_size > MAX_BYTES:
        raise UnreadableFile("file_too_large", f"{path.stat().st_size / 1e6:.1f} MB")
    try:
        with zipfile.ZipFile(path) as archive:
            if sum(m.file_size for m in archive.infolist()) > 40 * MAX_BYTES:
                raise UnreadableFile("file_too_large", "the document expands to an implausible size")
        document = docx.Document(str(path))
    except UnreadableFile:
        raise
    except Exception as exc:  # python-docx raises several types for damaged files
        raise UnreadableFile("file_unreadable", "not a Word .docx document, or damaged") from exc
    sheets = []
    for number, table in enumerate(document.tables, 1):
        grid: list[list] = []
        merged = []
        above: list = []
        for i, row in enumerate(table.rows):
            cells = row.cells
            texts = []
            for j, cell in enumerate(cells):
                same_left = j > 0 and cells[j - 1]._tc is cell._tc
                same_above = j < len(above) and above[j] is cell._tc
                if same_left or same_above:
                    texts.append("")
                    start = (i, j - 1) if same_left else (i - 1, j)
                    merged.append((start, (i, j)))
                else:
                    texts.append(cell.text)
            above = [cell._tc for cell in cells]
            grid.append(texts)
        sheets.append(Sheet(name=f"Bảng {number}", rows=grid, merged=_joined(merged)))
    return sheets


def _joined(pairs: list) -> list:
    """Pairs (start, cell) of one merge as ranges (top-left, bottom-right), for `Sheet.merged`."""
    ranges: dict = {}
    origin: dict = {}
    for start, cell in pairs:
        root = origin.get(start, start)
        origin[cell] = root
        (r0, c0), (r1, c1) = ranges.get(root, (root, root))
        ranges[root] = ((r0, c0), (max(r1, cell[0]), max(c1, cell[1])))
    return list(ranges.values())


# --- the table -------------------------------------------------------------------------------------------


def find_header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    """(row index, {column: index}) of the first row in the window naming a name and a maximum column."""
    for index, row in enumerate(rows[:HEADER_WINDOW]):
        columns: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = match_key(cell)
            if not key:
                continue
            for column, words in HEADERS.items():
                if column not in columns and any(_header_matches(key, word) for word in words):
                    columns[column] = j
                    break
        if "name" in columns and "max" in columns:
            return index, columns
    return None


def _header_matches(key: str, word: str) -> bool:
    if len(word) <= 3:  # "tt", "ma", "ten": the whole cell, not a part of a longer word
        return key == word or key.startswith(word + " ")
    return word in key


def parse_tables(tables: list[Sheet], *, file_name: str, sheet: str | None = None) -> AnnexResult:
    found = []
    for table in tables:
        if sheet and table.name != sheet:
            continue
        header = find_header(table.rows)
        if header:
            found.append((table, header))
    if not found:
        return AnnexResult(errors=[annex_problem("no_header", file=file_name)])
    table, (header_row, columns) = found[0]
    result = _parse(table, header_row, columns, file_name)
    result.warnings[:0] = [annex_problem("sheet_skipped", file=file_name, sheet=t.name) for t, _ in found[1:]]
    return result


def _filled(table: Sheet, columns: dict[str, int]) -> list[list]:
    """Rows with the method and evidence of a vertically merged cell copied down the merge."""
    rows = [list(r) for r in table.rows]
    for (r0, c0), (r1, c1) in table.merged:
        for column in ("method", "evidence"):
            j = columns.get(column)
            if j is not None and c0 <= j <= c1 and r1 > r0:
                value = rows[r0][j] if j < len(rows[r0]) else ""
                for i in range(r0 + 1, min(r1, len(rows) - 1) + 1):
                    while len(rows[i]) <= j:
                        rows[i].append("")
                    rows[i][j] = value
    return rows


def _parse(table: Sheet, header_row: int, columns: dict[str, int], file_name: str) -> AnnexResult:
    result = AnnexResult(sheet=table.name, max_column=column_letter(columns["max"]))
    rows = _filled(table, columns)
    where = {"file": file_name, "sheet": table.name}
    parsed = []
    for index in range(header_row + 1, len(rows)):
        cells = rows[index]

        def cell(column: str, cells: list = cells) -> object:
            j = columns.get(column)
            return cells[j] if j is not None and j < len(cells) else None

        number_text = clean_text(cell("number"))
        name = clean_text(cell("name"))
        raw_max = cell("max")
        max_text = clean_text(raw_max)
        if not number_text and not name and not max_text:
            continue
        if _looks_like_column_numbers(number_text, name, max_text):
            continue  # the "(1) (2) (3)" row under some headers
        number, rest = _numbering(number_text)
        if number is None and number_text and not name:
            number, rest = _numbering(number_text)
        if number is None:
            number, rest = _numbering(name)
            if number is not None:
                name = rest
        elif rest and (not name or name == number_text):
            name = rest  # a numbering cell merged across the name column ("I. CÔNG TÁC …")
        if number is None:
            key = match_key(name or number_text)
            if any(key.startswith(word) for word in TOTAL_WORDS) and max_text:
                result.total_row = _number(raw_max)
                continue
            if max_text:
                result.errors.append(
                    annex_problem(
                        "numbering_missing",
                        **where,
                        row=index + 1,
                        column=column_letter(columns.get("number", columns["name"])),
                        value=name or number_text,
                    )
                )
            elif name:
                result.warnings.append(annex_problem("row_skipped", **where, row=index + 1, value=name[:80]))
            continue
        parsed.append((index + 1, number, name, raw_max, clean_text(cell("method"))))
    if not parsed:
        result.errors.append(annex_problem("no_rows", **where, row=header_row + 1))
        return result
    _place(parsed, columns, where, result)
    return result


def _looks_like_column_numbers(*texts: str) -> bool:
    values = [t for t in texts if t]
    return (
        len(values) >= 2
        and all(re.fullmatch(r"\(?\d{1,2}\)?", t) for t in values)
        and any(t.startswith("(") for t in values)
    )


def _numbering(text: str) -> tuple[str | None, str]:
    if not text:
        return None, ""
    match = _NUMBERING.match(text)
    if not match:
        return None, text
    number = match.group("num")
    if not re.fullmatch(r"[a-zđ][\).]", number):
        number = number.rstrip(".")
    if number and number[0] in "IVXLC" and not _ROMAN.match(number):
        return None, text
    if number in ("C", "L"):  # a lone C or L is a word more often than a numeral in these tables
        return None, text
    return number, match.group("rest").strip()


def _roman_value(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, char in enumerate(text):
        value = values[char]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def _place(parsed: list, columns: dict, where: dict, result: AnnexResult) -> None:
    """Build the tree from the numbering (module doc); codes are domain.criterion.sub."""
    roman_domains = any(_ROMAN.match(number) for _, number, *_ in parsed)
    number_column = column_letter(columns.get("number", columns["name"]))
    domain = criterion = None
    seen: dict[str, int] = {}
    style: dict[str, str] = {}
    for row, number, name, raw_max, method in parsed:
        here = {**where, "row": row, "column": number_column}
        kind, code = _classify(number, roman_domains, domain, criterion, style)
        if kind is None:
            result.errors.append(annex_problem("out_of_place", **here, value=number, detail=code))
            continue
        node = AnnexRow(
            kind=kind,
            code=code,
            name=name,
            max_points=None,
            method=method,
            sheet=where["sheet"],
            row=row,
            number=number,
        )
        node.max_points = _checked_max(raw_max, code, {**where, "row": row}, columns, result)
        if not name:
            result.errors.append(
                annex_problem(
                    "name_missing", **where, row=row, column=column_letter(columns["name"]), value=code
                )
            )
        if code in seen:
            result.errors.append(annex_problem("duplicate_code", **here, value=code, detail=seen[code]))
        seen.setdefault(code, row)
        if kind == "domain":
            result.domains.append(node)
            domain, criterion = node, None
        elif kind == "criterion":
            domain.children.append(node)
            criterion = node
        else:
            criterion.children.append(node)
    for domain in result.domains:
        _apply_methods(domain, "")


def _classify(
    number: str, roman: bool, domain: "AnnexRow | None", criterion: "AnnexRow | None", style: dict
) -> tuple[str | None, str]:
    """(kind, code), or (None, why) when the numbering cannot come here. `style` remembers, per domain,
    whether its criteria were typed "1" or "1.1" (under roman domains both occur)."""
    if roman and _ROMAN.match(number):
        return "domain", str(_roman_value(number))
    if re.fullmatch(r"[a-zđ][\).]|[-+•–]", number):
        if criterion is None:
            return None, "a sub-criterion needs a criterion above it"
        return "sub_criterion", f"{criterion.code}.{len(criterion.children) + 1}"
    parts = number.split(".")
    if not all(p.isdigit() for p in parts):
        return None, "unknown numbering"
    parts = [str(int(p)) for p in parts]
    if roman:
        if domain is None:
            return None, "a criterion needs a domain above it"
        typed = style.get(domain.code)
        if len(parts) == 1:
            style.setdefault(domain.code, "plain")
            return "criterion", f"{domain.code}.{parts[0]}"
        if len(parts) == 2 and typed != "plain" and parts[0] == domain.code:
            style.setdefault(domain.code, "dotted")
            return "criterion", f"{domain.code}.{parts[1]}"
        depth = 3 if len(parts) == 2 else len(parts)
        local = parts[-2]
    else:
        depth = len(parts)
        local = ".".join(parts[:-1])
    if depth == 1:
        return "domain", parts[0]
    if domain is None:
        return None, "a criterion needs a domain above it"
    if depth == 2:
        if parts[0] != domain.code:
            return None, f"criterion {number} is not in domain {domain.code}"
        return "criterion", f"{domain.code}.{parts[1]}"
    if depth == 3:
        if criterion is None:
            return None, "a sub-criterion needs a criterion above it"
        expected = criterion.code.split(".")[1] if roman and len(parts) == 2 else criterion.code
        if roman and len(parts) == 3:
            local = ".".join(parts[:2])
        if local != expected:
            return None, f"sub-criterion {number} is not under criterion {criterion.code}"
        return "sub_criterion", f"{criterion.code}.{parts[-1]}"
    return None, "too many levels"


def _checked_max(raw: object, code: str, where: dict, columns: dict, result: AnnexResult) -> Decimal | None:
    here = {**where, "column": column_letter(columns["max"])}
    if raw is None or clean_text(raw) == "":
        result.errors.append(annex_problem("max_missing", **here, value=code))
        return None
    value = _number(raw)
    if value is None:
        result.errors.append(annex_problem("max_not_a_number", **here, item=code, value=clean_text(raw)))
        return None
    if value <= 0:
        result.errors.append(annex_problem("max_not_positive", **here, item=code, value=value))
        return None
    if value != value.quantize(Decimal("0.01")):
        result.errors.append(annex_problem("max_decimals", **here, item=code, value=value))
        return None
    return value.quantize(Decimal("0.01"))


def _number(raw: object) -> Decimal | None:
    """A maximum as typed: a number cell, or text with a decimal comma or point ("9,5", "9.50 điểm")."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = Decimal(repr(float(raw)))
        # Excel stores 1.4 as 1.3999999999999999: round away binary noise, not typed decimals.
        rounded = value.quantize(Decimal("0.000001"))
        return rounded.normalize() if rounded.is_finite() else None
    text = clean_text(raw).lower().removesuffix("điểm").strip().replace(" ", "")
    if re.fullmatch(r"\d+[.,]\d+|\d+", text) is None:
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def _apply_methods(node: AnnexRow, inherited: str) -> None:
    method = node.method or inherited
    if not node.children and node.kind != "domain":
        key = match_key(method)
        if names_sipas(method):
            node.scored_by, node.survey = "survey", "sipas"
        elif any(word in key for word in SURVEY_WORDS):
            node.scored_by = "survey"
            node.survey = "sipas" if names_sipas(node.name) else "officials"
    for child in node.children:
        _apply_methods(child, method)


# --- checks on the whole tree ----------------------------------------------------------------------------


def check_sums(result: AnnexResult, *, file_name: str, total: Decimal | None) -> None:
    """Sub-criteria add up to their criterion, criteria to their domain, domains to the total (and to the
    table's own total row when it has one)."""
    children_label = {"domain": LABELS["criteria"], "criterion": LABELS["sub_criteria"]}
    for node in _walk(result.domains):
        if not node.children or node.max_points is None:
            continue
        maxima = [c.max_points for c in node.children]
        if None in maxima:
            continue
        found = sum(maxima, Decimal(0))
        if found != node.max_points:
            result.errors.append(
                annex_problem(
                    "sum_mismatch",
                    file=file_name,
                    sheet=node.sheet,
                    row=node.row,
                    column=result.max_column,
                    item=node.code,
                    value=_plain(node.max_points),
                    children=str(children_label[node.kind]),
                    detail=_plain(found),
                )
            )
    maxima = [d.max_points for d in result.domains]
    if result.domains and None not in maxima:
        found = sum(maxima, Decimal(0))
        if total is not None and found != total:
            result.errors.append(
                annex_problem(
                    "total_mismatch",
                    file=file_name,
                    sheet=result.sheet,
                    value=_plain(total),
                    detail=_plain(found),
                )
            )
        if result.total_row is not None and found != result.total_row:
            result.errors.append(
                annex_problem(
                    "total_row_mismatch",
                    file=file_name,
                    sheet=result.sheet,
                    value=_plain(result.total_row),
                    detail=_plain(found),
                )
            )


def check_counts(result: AnnexResult, *, file_name: str, expect: dict[str, int] | None) -> None:
    if not expect:
        return
    found = counts(result.domains)
    for key, wanted in expect.items():
        if found[key] != wanted:
            result.errors.append(
                annex_problem(
                    "count_mismatch",
                    file=file_name,
                    sheet=result.sheet,
                    value=wanted,
                    detail=str(LABELS[key]),
                    count=found[key],
                )
            )


def counts(domains: list[AnnexRow]) -> dict[str, int]:
    criteria = [c for d in domains for c in d.children]
    subs = [s for c in criteria for s in c.children]
    items = [c for c in criteria if not c.children] + subs
    return {
        "domains": len(domains),
        "criteria": len(criteria),
        "sub_criteria": len(subs),
        "scored_items": len(items),
        "survey_total": sum((i.max_points or 0 for i in items if i.scored_by == "survey"), Decimal(0)),
    }


def _walk(nodes: list[AnnexRow]) -> Iterator[AnnexRow]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
