"""Finding the header row of a unit's sheet and recognising its columns, with or without diacritics."""

from dataclasses import dataclass

from kit.text import match_key

HEADER_SEARCH_ROWS = 20
FIELDS = ("stt", "full_name", "position", "unit", "group", "phone", "email")
REQUIRED_FOR_HEADER = 3  # the name column and at least two others

_STT = {"stt", "tt", "so tt", "so thu tu", "no", "n0", "sl"}
_NAME_EXACT = {"ten", "name", "full name", "ho ten", "ho va ten", "hoten", "ho va ten dem"}
_POSITION_EXACT = {"position", "title", "job title"}
_UNIT_EXACT = {"unit", "organisation", "organization", "agency", "department", "to chuc"}
_GROUP_EXACT = {"group", "thanh phan", "loai"}
_PHONE_EXACT = {"sdt", "dt", "dtdd", "so dt", "phone", "mobile", "tel", "telephone", "di dong", "dd"}


def classify_header(text: object) -> str | None:
    """The field a header cell names, or None. Order matters: 'Địa chỉ email' is an e-mail column."""
    key = match_key(text)
    if not key:
        return None
    words = set(key.split())
    if key in _STT:
        return "stt"
    if "email" in words or "e mail" in key or "thu dien tu" in key or key == "mail":
        return "email"
    if (
        "dien thoai" in key
        or key in _PHONE_EXACT
        or words & {"sdt", "dtdd", "phone", "mobile"}
        or key.startswith(("so dt", "dt ", "dd "))
        or "di dong" in key
    ):
        return "phone"
    if "ho va ten" in key or "ho ten" in key or key in _NAME_EXACT:
        return "full_name"
    if "chuc vu" in key or "chuc danh" in key or key in _POSITION_EXACT:
        return "position"
    if "nhom" in words or "doi tuong" in key or key in _GROUP_EXACT:
        return "group"
    if "don vi" in key or "co quan" in key or "noi cong tac" in key or key in _UNIT_EXACT:
        return "unit"
    if key.startswith("ten "):  # after the unit test: "Tên đơn vị" is a unit column
        return "full_name"
    return None


@dataclass
class Header:
    row: int  # 0-based index of the last header row; data starts on the next row
    columns: dict[str, list[int]]  # field -> column indexes (0-based), phone mobiles first
    labels: dict[int, str]  # column index -> header text as written

    def first(self, field: str) -> int | None:
        cols = self.columns.get(field)
        return cols[0] if cols else None


def find_header(rows: list[list[object]]) -> Header | None:
    """The best header among the first rows; a two-row header (merged group titles) is combined."""
    best: tuple[int, int, Header] | None = None
    limit = min(HEADER_SEARCH_ROWS, len(rows))
    for r in range(limit):
        for span in (1, 2):
            if r + span > len(rows):
                continue
            header = _header_from(rows[r : r + span], r + span - 1)
            score = len(header.columns)
            if "full_name" not in header.columns or score < REQUIRED_FOR_HEADER:
                continue
            # Prefer more recognised columns; on a tie, the single-row reading.
            if best is None or (score, -span) > (best[0], -best[1]):
                best = (score, span, header)
        if best is not None and r > best[2].row + 1:
            break
    return best[2] if best else None


def _header_from(block: list[list[object]], last_row: int) -> Header:
    width = max(len(row) for row in block)
    columns: dict[str, list[int]] = {}
    labels: dict[int, str] = {}
    for col in range(width):
        texts = [str(row[col]).strip() for row in block if col < len(row) and str(row[col]).strip()]
        field = None
        for text in reversed(texts):  # the lower row of a two-row header is the specific one
            field = classify_header(text)
            if field:
                break
        if field:
            columns.setdefault(field, []).append(col)
            labels[col] = " / ".join(texts)
    if len(columns.get("phone", [])) > 1:
        columns["phone"].sort(key=lambda c: 0 if _is_mobile_label(labels[c]) else 1)
    return Header(row=last_row, columns=columns, labels=labels)


def _is_mobile_label(label: str) -> bool:
    key = match_key(label)
    return "di dong" in key or "dd" in key.split() or "mobile" in key
