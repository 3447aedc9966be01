"""Reading a large xlsx sheet row by row in little memory: the sheet's XML streamed through expat.

calamine (workbook.py) parses a whole sheet into memory before it hands out a row: ~260 MB for 80,000 rows of
30 columns. This reader decompresses and parses the sheet part in 64 KiB pieces and yields each row as it
ends, with the values calamine gives for the same cells (python-calamine's `to_python`): shared and inline
strings (rich-text runs joined, phonetic runs left out, `_x00HH_` escapes decoded, text trimmed unless
xml:space="preserve"), floats, booleans, errors as "", cached values of formulas, and numbers in a date or
duration style as date, datetime, time or timedelta by calamine's rules. A row stops at its last non-empty
cell (calamine pads every row to the sheet's width; the walker reads both alike), gaps between rows are
empty rows, so that a row's index is its Excel row number - 1. tests/kit/test_xlsx_stream.py checks that
both readers give the same rows. Used above a size (workbook.STREAM_ABOVE_BYTES): docs/decisions.md D459.
"""

import datetime as dt
import math
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

_CHUNK = 1 << 16
_REL_WORKSHEET = "/worksheet"
_ESCAPE = re.compile(r"_x00(\+[0-9A-Fa-f]|[0-9A-Fa-f]{2})_")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Za-z]+\d+)(?::([A-Za-z]+\d+))?\"")
_EPOCH = dt.datetime(1899, 12, 30)
_DAY_MS = 86_400_000.0
_TRIM = " \t\r\n"
# Built-in number formats that calamine reads as dates (and [h]:mm:ss, as a duration).
_BUILTIN_DATES = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47}
_BUILTIN_DURATION = 46
OTHER, DATETIME, DURATION = 0, 1, 2


class XlsxError(Exception):
    """The workbook's XML is not what an xlsx holds (calamine refuses the same files)."""


@dataclass
class SheetPart:
    name: str
    part: str  # path of the sheet's XML in the zip


@dataclass
class Book:
    sheets: list[SheetPart]  # the visible worksheets, in the workbook's order
    strings: list[str]
    formats: list[int]  # cell style index -> OTHER, DATETIME or DURATION
    is_1904: bool


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _parse_part(archive: zipfile.ZipFile, part: str, start: Callable[[str, dict[str, str]], None],
                end: Callable[[str], None] | None = None,
                text: Callable[[str], None] | None = None) -> None:  # fmt: skip
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target part) of a part's relationships."""
    folder, base = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels_part not in archive.NameToInfo:
        return found

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attrs:
            target = attrs.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attrs["Id"]] = (attrs.get("Type", ""), path)

    _parse_part(archive, rels_part, start)
    return found


def open_book(archive: zipfile.ZipFile) -> Book:
    """The workbook's visible worksheets, shared strings and date styles."""
    root = _rels(archive, "")
    workbook = next((p for t, p in root.values() if t.endswith("/officeDocument")), "xl/workbook.xml")
    rels = _rels(archive, workbook)
    sheets: list[SheetPart] = []
    is_1904 = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal is_1904
        local = _local(name)
        if local == "sheet":
            rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            typ, part = rels.get(rid, ("", ""))
            if typ.endswith(_REL_WORKSHEET) and attrs.get("state", "visible") == "visible":
                sheets.append(SheetPart(attrs.get("name", ""), part))
        elif local == "workbookPr":
            is_1904 = attrs.get("date1904") in ("1", "true")

    _parse_part(archive, workbook, start)
    strings_part = next((p for t, p in rels.values() if t.endswith("/sharedStrings")), "")
    styles_part = next((p for t, p in rels.values() if t.endswith("/styles")), "")
    strings = _shared_strings(archive, strings_part) if strings_part in archive.NameToInfo else []
    formats = _formats(archive, styles_part) if styles_part in archive.NameToInfo else []
    return Book(sheets, strings, formats, is_1904)


class _Text:
    """The text of an <si> or <is> element as calamine reads it."""

    __slots__ = ("buf", "depth_phonetic", "in_t", "parts", "preserve")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.depth_phonetic = 0
        self.in_t = False
        self.preserve = False
        self.buf: list[str] = []

    def start(self, local: str, attrs: dict[str, str]) -> None:
        if local == "t" and not self.depth_phonetic:
            self.in_t, self.buf = True, []
            self.preserve = attrs.get("xml:space") == "preserve"
        elif local == "rPh":
            self.depth_phonetic += 1

    def end(self, local: str) -> None:
        if local == "t" and self.in_t:
            self.in_t = False
            value = "".join(self.buf)
            if not self.preserve:
                value = value.strip(_TRIM)
            self.parts.append(_unescape(value))
        elif local == "rPh":
            self.depth_phonetic -= 1

    def value(self) -> str:
        return "".join(self.parts)


def _unescape(text: str) -> str:
    if "_x00" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _shared_strings(archive: zipfile.ZipFile, part: str) -> list[str]:
    strings: list[str] = []
    text = _Text()
    inside = False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal inside
        local = _local(name)
        if local == "si":
            inside = True
            text.reset()
        elif inside:
            text.start(local, attrs)

    def end(name: str) -> None:
        nonlocal inside
        local = _local(name)
        if local == "si":
            inside = False
            strings.append(text.value())
        elif inside:
            text.end(local)

    def chars(data: str) -> None:
        if text.in_t:
            text.buf.append(data)

    _parse_part(archive, part, start, end, chars)
    return strings


def _formats(archive: zipfile.ZipFile, part: str) -> list[int]:
    codes: dict[str, str] = {}
    formats: list[int] = []
    where = [""]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local in ("numFmts", "cellXfs", "cellStyleXfs", "dxfs"):
            where[0] = local
        elif local == "numFmt" and where[0] == "numFmts":
            if "numFmtId" in attrs and "formatCode" in attrs:
                codes[attrs["numFmtId"]] = attrs["formatCode"]
        elif local == "xf" and where[0] == "cellXfs":
            fmt = attrs.get("numFmtId")
            if fmt is None:
                formats.append(OTHER)
            elif fmt in codes:
                formats.append(custom_format(codes[fmt]))
            else:
                formats.append(_builtin(fmt))

    def end(name: str) -> None:
        if _local(name) == where[0]:
            where[0] = ""

    _parse_part(archive, part, start, end)
    return formats


def _builtin(fmt: str) -> int:
    number = int(fmt) if fmt.isdigit() else -1
    if number in _BUILTIN_DATES:
        return DATETIME
    return DURATION if number == _BUILTIN_DURATION else OTHER


def custom_format(code: str) -> int:
    """calamine's detect_custom_number_format: is a number format a date, a duration or neither."""
    escaped = is_quote = hms = ap = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif is_quote:
            if s == '"':
                is_quote = False
        elif s == '"':
            is_quote = True
        elif s == ";":
            return OTHER
        elif s == "[":
            brackets = min(brackets + 1, 255)
        elif s == "]" and brackets == 1 and hms:
            return DURATION
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif brackets == 0 and ((ap and s in "pm/PM") or (not ap and s in "dmhysDMHYS")):
            return DATETIME
        elif hms and s.lower() == prev.lower():
            pass
        else:
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return OTHER


def _round_ms(value: float) -> int:
    ms = value * _DAY_MS
    return math.floor(ms + 0.5) if ms >= 0 else -math.floor(-ms + 0.5)  # Rust's round(): half away from 0


def excel_date(value: float, kind: int, is_1904: bool) -> object:
    """python-calamine's value for a number in a date (or duration) style."""
    try:
        if kind == DURATION:
            return dt.timedelta(milliseconds=_round_ms(value))
        serial = value + 1462.0 if is_1904 else value
        serial = serial if serial >= 60.0 else serial + 1.0
        moment = _EPOCH + dt.timedelta(milliseconds=_round_ms(serial))
    except (OverflowError, ValueError):  # out of Python's range (calamine: the number itself)
        return value
    if value < 1.0:
        return moment.time()
    if value == float(int(value)):
        return moment.date()
    return moment


def _iso(text: str) -> object:
    """A t="d" cell (ISO 8601 text) as python-calamine gives it."""
    try:
        if "T" in text:
            return dt.datetime.fromisoformat(text)
        if ":" in text:
            return dt.time.fromisoformat(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        return text


def _column(ref: str) -> int:
    col = 0
    for ch in ref:
        o = ord(ch)
        if 65 <= o <= 90:
            col = col * 26 + o - 64
        elif 97 <= o <= 122:
            col = col * 26 + o - 96
        else:
            break
    return col - 1


def _row_of(ref: str) -> int:
    digits = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return int(digits) - 1


def merged_ranges(archive: zipfile.ZipFile, part: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """The merged cells of a sheet (they follow its rows in the XML): a first pass over the raw bytes."""
    found: list[tuple[tuple[int, int], tuple[int, int]]] = []
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut < 0:
                cut = len(data)
            body, tail = data[:cut], data[cut:]
            if b"ergeCell" in body:
                for m in _MERGE.finditer(body):
                    first = m.group(1).decode()
                    last = (m.group(2) or m.group(1)).decode()
                    found.append(((_row_of(first), _column(first)), (_row_of(last), _column(last))))
    if tail and b"ergeCell" in tail:
        for m in _MERGE.finditer(tail):
            first = m.group(1).decode()
            last = (m.group(2) or m.group(1)).decode()
            found.append(((_row_of(first), _column(first)), (_row_of(last), _column(last))))
    return found


def iter_rows(path: Path, book: Book, part: str) -> Iterator[list[object]]:
    """The rows of one sheet, from row 1, each as a list of its cells' values up to the last non-empty one.
    The file is opened here and closed when the rows end (or the iterator is dropped)."""
    strings, formats, is_1904 = book.strings, book.formats, book.is_1904
    ready: list[list[object]] = []  # rows ended since the last piece was parsed
    row: list[object] = []
    row_index = 0  # 0-based index of the current <row>
    next_index = 0  # index the next yielded row will have
    col = 0
    cell_type: str | None = None
    cell_style: str | None = None
    value: object = None  # None: the cell has no value
    buf: list[str] = []
    collecting = False
    in_is = False
    text = _Text()
    names: dict[str, str] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal row, row_index, col, cell_type, cell_style, value, collecting, buf, in_is
        local = names.get(name)
        if local is None:
            local = names[name] = _local(name)
        if local == "c":
            ref = attrs.get("r")
            if ref is not None:
                col = _column(ref)
            cell_type = attrs.get("t")
            cell_style = attrs.get("s")
            value = None
        elif local == "v":
            collecting, buf = True, []
        elif in_is:
            text.start(local, attrs)
        elif local == "is":
            in_is = True
            text.reset()
        elif local == "row":
            r = attrs.get("r")
            if r is not None:
                row_index = int(r) - 1
            row = []

    def end(name: str) -> None:
        nonlocal row, row_index, col, value, collecting, in_is, next_index
        local = names.get(name) or _local(name)
        if local == "v":
            collecting = False
            if cell_type in ("inlineStr", "is"):
                return
            raw = "".join(buf)
            value = _value(raw, cell_type, cell_style)
        elif in_is:
            if local == "is":
                in_is = False
                value = text.value()
            else:
                text.end(local)
        elif local == "c":
            if value is not None:
                n = len(row)
                if col == n:
                    row.append(value)
                elif col > n:
                    row.extend([""] * (col - n))
                    row.append(value)
                else:
                    row[col] = value
            col += 1
        elif local == "row":
            if row:
                if row_index < next_index:  # rows out of order: calamine sorts them; not met in practice
                    raise XlsxError("rows out of order")
                ready.extend([] for _ in range(row_index - next_index))
                ready.append(row)
                next_index = row_index + 1
            row_index += 1
            col = 0
            row = []

    def chars(data: str) -> None:
        if collecting:
            buf.append(data)
        elif in_is and text.in_t:
            text.buf.append(data)

    def _value(raw: str, typ: str | None, style: str | None) -> object:
        if typ is None or typ == "n":
            if not raw:
                return None
            try:
                if "_" in raw or raw.strip() != raw:  # what Python reads and calamine's parser does not
                    raise ValueError(raw)
                number = float(raw)
            except ValueError:
                if typ is None:
                    return raw
                raise XlsxError(f"not a number: {raw!r}") from None
            if style is None:
                return number
            index = int(style) if style.isdigit() else 0  # calamine reads a bad style as style 0
            kind = formats[index] if index < len(formats) else OTHER
            return excel_date(number, kind, is_1904) if kind else number
        if typ == "s":
            if not raw:
                return None
            try:
                return strings[int(raw)]
            except (ValueError, IndexError):
                raise XlsxError("shared string not found") from None
        if typ == "str":
            return raw
        if typ == "b":
            return raw != "0" if raw else None
        if typ == "e":
            return ""
        if typ == "d":
            return _iso(raw)
        raise XlsxError(f"unknown cell type {typ!r}")

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
                if ready:
                    yield from ready
                    ready.clear()
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise XlsxError(str(exc)) from exc
    yield from ready
