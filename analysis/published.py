"""The Ministry's published PAR INDEX table of a year, loaded from its xlsx or csv (docs/decisions.md D160,
docs/reference/published-results-format.md), and read back for the standing (analysis.standing).

Headers as people type them (with or without diacritics, in the first 20 rows): province (Tỉnh, thành
phố), PAR INDEX (Chỉ số CCHC), the eight component indices (Lĩnh vực 1 … 8, or their names), SIPAS, rank
(Xếp hạng), population (Dân số, optional: weights for merged provinces). All or nothing: every problem is
reported with its sheet, row and column; a table already loaded for the year is replaced.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kit.tabular.problems import Problem, column_letter
from kit.tabular.workbook import UnreadableFile, read_sheets
from kit.text import clean_text, match_key

from .models import PublishedResult, PublishedTable
from .standing import NationalRow, NationalTable, province_key

MAX_BYTES = 5 * 1024 * 1024
MERGERS_FILE = Path(__file__).resolve().parent / "data" / "province-mergers-2025.yaml"
MESSAGES = {
    "file_unreadable": _("The file cannot be read: {detail}"),
    "file_too_large": _("The file is too large: {detail}"),
    "no_header": _(
        "No header row with a province column and a PAR INDEX column was found in the first 20 rows."
    ),
    "no_rows": _("The table has a header but no province rows."),
    "not_a_number": _("“{value}” is not a number."),
    "out_of_range": _("{value} is not a percentage between 0 and 100."),
    "duplicate_province": _("{value} is listed twice (first at row {detail})."),
    "province_missing": _("The province's name is empty."),
}
# Component columns: "Lĩnh vực 3", "LV3", "Chỉ số thành phần 3", or words of the domain's name.
DOMAIN_WORDS = {
    "1": ("chi dao", "dieu hanh"),
    "2": ("the che",),
    "3": ("thu tuc hanh chinh",),
    "4": ("to chuc bo may", "bo may"),
    "5": ("cong vu",),
    "6": ("tai chinh cong",),
    "7": ("chinh phu dien tu", "chinh phu so", "chinh quyen dien tu", "chinh quyen so"),
    "8": ("tac dong",),
}
_NUMBERED = re.compile(r"^(?:linh vuc|lv|chi so thanh phan|cstp|tp)\s*(\d)$")


@dataclass
class PublishedImport:
    status: str = "rejected"  # created | updated | unchanged | rejected
    year: int | None = None
    provinces: int = 0
    components: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    table: PublishedTable | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _problem(code: str, *, file: str, sheet: str = "", row=None, column: str = "", **params) -> Problem:
    value = params.get("value", "")
    message = str(MESSAGES[code]).format(**{"value": value, **params})
    return Problem(
        code=code, message=message, file=file, sheet=sheet, row=row, column=column, value=str(value)
    )


def header_columns(row: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for j, cell in enumerate(row):
        key = match_key(cell)
        if not key:
            continue
        numbered = _NUMBERED.match(key)
        if numbered:
            columns.setdefault(f"c{numbered.group(1)}", j)
        elif "sipas" in key or "hai long" in key:
            columns.setdefault("sipas", j)
        elif "xep hang" in key or "thu hang" in key or key in ("hang", "thu tu"):
            columns.setdefault("rank", j)
        elif "dan so" in key:
            columns.setdefault("population", j)
        elif "par index" in key or key in ("chi so cchc", "chi so", "diem") or "chi so cai cach" in key:
            columns.setdefault("index", j)
        elif key.startswith(("tinh", "dia phuong", "ten tinh", "don vi")) or key in ("tinh thanh pho",):
            columns.setdefault("province", j)
        else:
            for code, words in DOMAIN_WORDS.items():
                if any(word in key for word in words):
                    columns.setdefault(f"c{code}", j)
                    break
    return columns


def _number(raw) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, int | float):
        return Decimal(repr(float(raw))).quantize(Decimal("0.0001"))
    text = clean_text(raw).replace("%", "").replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def import_published_results(
    *, path: Path, file_name: str, year: int, source: str, illustrative: bool = False, user=None
) -> PublishedImport:
    result = PublishedImport(year=year)
    try:
        sheets = read_sheets(path, file_name=file_name, max_bytes=MAX_BYTES, max_rows=2000)
    except UnreadableFile as exc:
        result.errors.append(_problem(exc.code, file=file_name, detail=exc.detail))
        return result
    found = None
    for sheet in sheets:
        for index, row in enumerate(sheet.rows[:20]):
            columns = header_columns(row)
            if "province" in columns and "index" in columns:
                found = (sheet, index, columns)
                break
        if found:
            break
    if not found:
        result.errors.append(_problem("no_header", file=file_name))
        return result
    sheet, header, columns = found
    rows: list[NationalRow] = []
    first: dict[str, int] = {}
    for i in range(header + 1, len(sheet.rows)):
        cells = sheet.rows[i]

        def cell(name, cells=cells):
            j = columns.get(name)
            return cells[j] if j is not None and j < len(cells) else None

        name = clean_text(cell("province"))
        if not name and not clean_text(cell("index")):
            continue
        at = {"file": file_name, "sheet": sheet.name, "row": i + 1}
        if not name:
            result.errors.append(
                _problem("province_missing", **at, column=column_letter(columns["province"]))
            )
            continue
        if match_key(name).startswith(("trung binh", "ca nuoc", "tong")):
            continue  # the national mean or a total row
        values = {}
        for key in ["index", "sipas"] + [f"c{d}" for d in range(1, 9)]:
            if key not in columns:
                continue
            raw = cell(key)
            if raw is None or clean_text(raw) == "":
                if key == "index":
                    result.errors.append(
                        _problem("not_a_number", **at, column=column_letter(columns[key]), value="")
                    )
                continue
            value = _number(raw)
            if value is None:
                result.errors.append(
                    _problem("not_a_number", **at, column=column_letter(columns[key]), value=clean_text(raw))
                )
            elif not 0 <= value <= 100:
                result.errors.append(
                    _problem("out_of_range", **at, column=column_letter(columns[key]), value=value)
                )
            else:
                values[key] = value.quantize(Decimal("0.01"))
        rank = _number(cell("rank")) if "rank" in columns else None
        population = _number(cell("population")) if "population" in columns else None
        key = province_key(name)
        if key in first:
            result.errors.append(
                _problem(
                    "duplicate_province",
                    **at,
                    column=column_letter(columns["province"]),
                    value=name,
                    detail=first[key],
                )
            )
            continue
        first[key] = i + 1
        if "index" in values:
            rows.append(
                NationalRow(
                    province=unicodedata.normalize("NFC", name),
                    index=values["index"],
                    components={k[1:]: v for k, v in values.items() if k.startswith("c")},
                    sipas=values.get("sipas"),
                    rank=int(rank) if rank is not None else None,
                    population=int(population) if population is not None else None,
                )
            )
    if not rows and not result.errors:
        result.errors.append(_problem("no_rows", file=file_name, sheet=sheet.name, row=header + 1))
    result.components = sorted(k[1:] for k in columns if re.fullmatch(r"c\d", k))
    if result.errors:
        return result
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        existing = PublishedTable.objects.select_for_update().filter(year=year).first()
        if existing and existing.sha256 == digest and existing.source == source:
            result.status, result.table, result.provinces = "unchanged", existing, existing.results.count()
            return result
        result.status = "updated" if existing else "created"
        table = existing or PublishedTable(year=year)
        table.source, table.illustrative, table.file_name, table.sha256 = (
            source,
            illustrative,
            file_name,
            digest,
        )
        table.imported_by = user
        table.save()
        table.results.all().delete()
        PublishedResult.objects.bulk_create(
            PublishedResult(
                table=table,
                province=r.province,
                name_key=r.key,
                index=r.index,
                components={k: str(v) for k, v in r.components.items()},
                sipas=r.sipas,
                rank=r.rank,
                population=r.population,
            )
            for r in rows
        )
    result.table, result.provinces = table, len(rows)
    return result


def national_tables() -> list[NationalTable]:
    """Every loaded table as plain data (two queries)."""
    tables = {t.pk: NationalTable(t.year, t.source, t.illustrative, []) for t in PublishedTable.objects.all()}
    for r in PublishedResult.objects.all().order_by("table_id", "pk"):
        tables[r.table_id].rows.append(
            NationalRow(
                province=r.province,
                index=r.index,
                components={k: Decimal(v) for k, v in r.components.items()},
                sipas=r.sipas,
                rank=r.rank,
                population=r.population,
            )
        )
    return sorted(tables.values(), key=lambda t: t.year)


def mergers() -> dict:
    """{"from_year": 2025, "provinces": {key: [predecessor names]}, "source": …} from the data file."""
    data = yaml.safe_load(MERGERS_FILE.read_text(encoding="utf-8"))
    return {
        "from_year": data["from_year"],
        "source": data["source"],
        "provinces": {province_key(name): list(parts) for name, parts in data["provinces"].items()},
    }
