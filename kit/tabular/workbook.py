"""Safe reading of uploaded lists (xlsx, xls, ods, csv) into plain rows, rejecting hostile files cleanly."""

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast
from xml.parsers import expat

import python_calamine
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import xlsx_stream

# Decompressed size allowed per compressed byte, and in total: a zip bomb stops here, before parsing.
MAX_COMPRESSION_RATIO = 100
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


class UnreadableFile(Exception):
    """The file as a whole cannot be imported; `code` is file_unreadable or file_too_large."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class Sheet:
    name: str
    rows: list[list[object]]  # rows[i][j] is Excel cell (row i + 1, column j + 1); a streamed sheet: its head
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based, inclusive
    # A streamed sheet (read_sheets' stream_above): the rows after `rows`, read as they are iterated, once.
    stream: Iterator[list[object]] | None = None

    def head(self, count: int) -> list[list[object]]:
        """The first `count` rows (fewer when the sheet has fewer), read from the stream if need be."""
        while self.stream is not None and len(self.rows) < count:
            row = next(self.stream, None)
            if row is None:
                self.stream = None
            else:
                self.rows.append(row)
        return self.rows[:count]

    def iter_rows(self) -> Iterator[list[object]]:
        """Every row from the first; a streamed sheet's rows past its head are given once, not kept."""
        yield from self.rows
        stream, self.stream = self.stream, None
        if stream is not None:
            yield from stream


# Above this many bytes decompressed, an xlsx is read row by row (xlsx_stream) rather than by calamine, which
# holds the whole sheet: ~260 MB for 80,000 rows x 30 columns (185 MB of XML). D459.
STREAM_ABOVE_BYTES = 32 * 1024 * 1024


def read_sheets(
    path: Path, *, file_name: str, max_bytes: int, max_rows: int, stream_above: int | None = None
) -> list[Sheet]:
    """The visible sheets of a workbook or the rows of a CSV file. With `stream_above`, an xlsx whose parts
    expand to more bytes is streamed: its sheets' rows are read as they are iterated, and a damaged sheet
    or one with more than `max_rows` rows raises UnreadableFile then."""
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableFile(
            "file_too_large",
            _("%(size).1f MB, more than %(max).0f MB") % {"size": size / 1e6, "max": max_bytes / 1e6},
        )
    if size == 0:
        raise UnreadableFile("file_unreadable", _("empty file"))
    with path.open("rb") as fh:
        head = fh.read(8)
    suffix = Path(file_name).suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        names, expanded = _check_zip(path)
        if stream_above is not None and expanded > stream_above and "xl/workbook.xml" in names:
            return _read_streaming(path, max_rows)
        return _read_with_calamine(path, max_rows)
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in path.read_bytes():
            raise UnreadableFile(
                "file_unreadable", _("the workbook is protected by a password; remove it and upload again")
            )
        return _read_with_calamine(path, max_rows)  # legacy .xls
    if suffix in (".csv", ".txt"):
        return [_read_csv(path, file_name, max_rows)]
    if _looks_like_text(path):
        raise UnreadableFile(
            "file_unreadable",
            _("the file is text (CSV), not an Excel workbook: save it as .xlsx or name it .csv"),
        )
    raise UnreadableFile("file_unreadable", _("not an Excel (.xlsx, .xls, .ods) or CSV file"))


def _check_zip(path: Path) -> tuple[set[str], int]:
    """The names of the archive's members and their decompressed size, once it is known to be safe."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if any(m.flag_bits & 0x1 for m in members):
                raise UnreadableFile("file_unreadable", _("the workbook is encrypted"))
            total = sum(m.file_size for m in members)
            worst = max((m.file_size / max(m.compress_size, 1) for m in members), default=0)
    except zipfile.BadZipFile as exc:
        raise UnreadableFile("file_unreadable", _("the file is damaged (not a valid zip container)")) from exc
    if total > MAX_UNCOMPRESSED_BYTES or worst > MAX_COMPRESSION_RATIO:
        raise UnreadableFile(
            "file_too_large", _("the workbook expands to an implausible size when decompressed")
        )
    if "xl/workbook.xml" not in names and "content.xml" not in names and "xl/workbook.bin" not in names:
        raise UnreadableFile("file_unreadable", _("the zip file is not a spreadsheet"))
    return names, total


_DAMAGED = gettext_noop("the workbook is damaged or in an unsupported format")
_STREAM_ERRORS = (
    xlsx_stream.XlsxError,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    ValueError,
    OSError,
    EOFError,
)


def _read_streaming(path: Path, max_rows: int) -> list[Sheet]:
    """The visible worksheets of an xlsx, each streamed (xlsx_stream); the merged cells are read first."""
    try:
        with zipfile.ZipFile(path) as archive:
            book = xlsx_stream.open_book(archive)
            merged = [xlsx_stream.merged_ranges(archive, sheet.part) for sheet in book.sheets]
    except (*_STREAM_ERRORS, expat.ExpatError) as exc:
        raise UnreadableFile("file_unreadable", _(_DAMAGED)) from exc
    count = [0]  # rows given, over every sheet: calamine's limit counts them all
    return [
        Sheet(
            name=sheet.name, rows=[], merged=ranges, stream=_counted(path, book, sheet.part, count, max_rows)
        )
        for sheet, ranges in zip(book.sheets, merged, strict=True)
    ]


def _counted(
    path: Path, book: "xlsx_stream.Book", part: str, count: list[int], max_rows: int
) -> Iterator[list[object]]:
    try:
        for row in xlsx_stream.iter_rows(path, book, part):
            count[0] += 1
            if count[0] > max_rows:
                raise UnreadableFile("file_too_large", _("more than %(max)s rows") % {"max": max_rows})
            yield row
    except _STREAM_ERRORS as exc:
        raise UnreadableFile("file_unreadable", _(_DAMAGED)) from exc


def _read_with_calamine(path: Path, max_rows: int) -> list[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        metas = [m for m in workbook.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        visible = [m.name for m in metas if m.visible == python_calamine.SheetVisibleEnum.Visible]
        handles = [workbook.get_sheet_by_name(name) for name in visible]
        total = sum(sheet.total_height + 1 for sheet in handles if sheet.end)  # last row index, 0-based
        if total > max_rows:
            raise UnreadableFile(
                "file_too_large", _("%(rows)s rows, more than %(max)s") % {"rows": total, "max": max_rows}
            )
        return [
            Sheet(
                name=sheet.name,
                rows=cast(list[list[object]], sheet.to_python(skip_empty_area=False)),
                merged=_merged(sheet),
            )
            for sheet in handles
        ]
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises several types for corrupt content
        raise UnreadableFile("file_unreadable", _(_DAMAGED)) from exc


def _merged(sheet: python_calamine.CalamineSheet) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    try:
        return list(sheet.merged_cell_ranges or [])
    except Exception:  # not available for every format
        return []


def _read_csv(path: Path, file_name: str, max_rows: int) -> Sheet:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("file_unreadable", _("unknown text encoding (save the CSV as UTF-8)"))
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        # A title line above the table defeats the sniffer: take the most frequent candidate (";" in files
        # written with decimal commas).
        delimiter = max(",;\t", key=text[:4096].count)
    # Strict, so that a quotation mark never closed is an error naming its line, not the rest of the file
    # read into one cell (docs/decisions.md D56). Only the delimiter is sniffed: quoting is Excel's.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    rows: list[list[object]] = []
    line = 0  # the last line of the last record read
    try:
        for record in reader:
            rows.append(cast(list[object], record))
            line = reader.line_num
            if len(rows) > max_rows:
                raise UnreadableFile("file_too_large", _("more than %(max)s rows") % {"max": max_rows})
    except csv.Error as exc:
        raise UnreadableFile("file_unreadable", _csv_error(str(exc), line + 1)) from exc
    return Sheet(name=Path(file_name).stem, rows=rows)


def _csv_error(reason: str, line: int) -> str:
    if "end of data" in reason:
        detail = _('a quotation mark (") opens a cell that is never closed')
    elif "field limit" in reason:
        detail = _(
            'a cell is longer than %(n)s characters, often because a quotation mark (") is never closed'
        ) % {"n": csv.field_size_limit()}
    else:
        detail = _('text follows the quotation mark (") that closes a cell')
    return _("line %(line)s: %(detail)s") % {"line": line, "detail": detail}


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as fh:
        sample = fh.read(4096)
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
