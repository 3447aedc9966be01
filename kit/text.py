"""Text as people type it, made comparable and safe to show: NFC, invisible, direction-override and control
characters removed, whitespace collapsed (`clean_text`, one line; `clean_multiline`, line breaks kept),
every string of a structure made so (`nfc`), and a lower-case ASCII key without diacritics (`match_key`).

Policy: docs/guides/lists.md; facts: docs/methodology.md §11.1; which characters go: docs/decisions.md D50.
"""

import re
import unicodedata

# Characters that change nothing a reader should see but break comparisons, or (the bidirectional ones) make
# text display in another order than it is stored ("Trojan source" spoofing of a name in a list or export):
# zero-width space, non-joiner, joiner, word joiner, BOM, soft hyphen; the left-to-right, right-to-left and
# Arabic letter marks; the embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069.
# A regex, not str.translate: translate is ten times slower on non-ASCII text, and this runs for every cell.
INVISIBLE_CHARACTERS = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width and soft hyphen
    "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"  # bidirectional marks, embeddings, overrides, isolates
)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Control characters other than tab and line breaks: never meant, and PostgreSQL refuses NUL in text/JSON.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str:
    """NFC text on one line, invisible characters removed and whitespace collapsed ('' for empty cells)."""
    if type(value) is str:  # most cells: skip the checks for the other types
        text = value
    elif value is None:
        return ""
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if not text.isascii():  # ASCII text is already NFC and has no invisible characters
        text = unicodedata.normalize("NFC", text)
        if INVISIBLE_CHARACTERS.search(text):  # rare, and searching is cheaper than substituting nothing
            text = INVISIBLE_CHARACTERS.sub("", text)
    if CONTROL_CHARACTERS.search(text):
        text = CONTROL_CHARACTERS.sub(" ", text)
    # str.split() splits on exactly what the regex \s matches: this collapses and trims in one pass.
    return " ".join(text.split())


def clean_multiline(value: object) -> str:
    """Free text (an answer, an explanation): NFC, invisible and control characters removed, line breaks and
    inner spacing kept, surrounding whitespace trimmed."""
    text = "" if value is None else str(value)
    if CONTROL_CHARACTERS.search(text):
        text = CONTROL_CHARACTERS.sub("", text)
    return _visible(text).strip()


def match_key(value: object) -> str:
    """Lower-case ASCII words: 'Sở Tư pháp ' and 'SO TU PHAP' give the same key 'so tu phap'."""
    text = clean_text(value)
    if not text.isascii():  # ASCII text has no accents to strip and is its own NFKD form
        text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def nfc[T](value: T) -> T:
    """Every string of a structure NFC-normalised with invisible characters removed (mapping keys too),
    whatever produced the structure; other values unchanged."""
    if isinstance(value, str):
        return _visible(value)  # type: ignore[return-value]  # a str in, a str out
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [nfc(v) for v in value]  # type: ignore[return-value]
    return value


def _visible(text: str) -> str:
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    return INVISIBLE_CHARACTERS.sub("", text) if INVISIBLE_CHARACTERS.search(text) else text


_WHOLE = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+|\d+")


def whole_number(value: object) -> int | None:
    """A positive whole number as a spreadsheet gives it: 24000, 24000.0, '24.000', '24,000', '24 000'."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and value > 0 else None
    text = clean_text(value).replace("\u00a0", " ")
    if text.endswith(".0"):
        text = text[:-2]
    if not _WHOLE.fullmatch(text):
        return None
    number = int(re.sub(r"\D", "", text))
    return number if number > 0 else None
