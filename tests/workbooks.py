"""Building the kinds of workbook units send, for tests and benchmarks."""

import unicodedata
from pathlib import Path

from openpyxl import Workbook

STANDARD_HEADER = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Nhóm đối tượng", "Số điện thoại", "Email"]


def write_xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """sheets: sheet name -> rows (lists of cell values, None for empty); merges: sheet -> ['A1:G1', ...]."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for cell_range in (merges or {}).get(name, []):
            ws.merge_cells(cell_range)
    workbook.save(path)
    return Path(path)


def person(n: int, *, unit: str = "Sở Tư pháp", group: str = "Lãnh đạo sở", position: str = "Phó Giám đốc"):
    """One clean row in the standard shape; n makes the e-mail and phone unique."""
    return [
        n,
        f"Nguyễn Văn {chr(65 + n % 26)}{n}",
        position,
        unit,
        group,
        f"091{n:07d}",
        f"nguoi{n}@laocai.gov.vn",
    ]


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # the five tones; Windows-1258 writes them as combining marks


def cp1258(text: str) -> bytes:
    """Text as a Windows-1258 CSV holds it: letters with ^, ˘, ' precomposed and the tone mark after them."""
    chars = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in parts if c not in _TONE_MARKS)
        chars.append(unicodedata.normalize("NFC", base) + "".join(c for c in parts if c in _TONE_MARKS))
    return "".join(chars).encode("cp1258")
