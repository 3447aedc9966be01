"""Text as units type it, made comparable: NFC, invisible and control characters removed, whitespace
collapsed (`clean_text`), and a lower-case ASCII key without diacritics for matching (`match_key`).

Policy: docs/guides/lists.md; facts: docs/methodology.md §11.1.
"""

import re
import unicodedata
from typing import Any

# A regex, not str.translate: translate is ten times slower on non-ASCII text, and this runs for every cell.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Control characters other than tab and line breaks: never meant, and PostgreSQL refuses NUL in text/JSON.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: object) -> str:
    """NFC text with invisible characters removed and whitespace collapsed ('' for empty cells)."""
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
        if _INVISIBLE.search(text):  # rare, and searching is cheaper than substituting nothing
            text = _INVISIBLE.sub("", text)
    if CONTROL_CHARACTERS.search(text):
        text = CONTROL_CHARACTERS.sub(" ", text)
    # str.split() splits on exactly what the regex \s matches: this collapses and trims in one pass.
    return " ".join(text.split())


def match_key(value: object) -> str:
    """Lower-case ASCII words: 'Sở Tư pháp ' and 'SO TU PHAP' give the same key 'so tu phap'."""
    text = clean_text(value)
    if not text.isascii():  # ASCII text has no accents to strip and is its own NFKD form
        text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", text.lower()).strip()


def nfc(value: Any) -> Any:  # noqa: ANN401 (any structure: a YAML or JSON document)
    """Every string of a structure NFC-normalised (mapping keys too), whatever produced the structure."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc(v) for v in value]
    return value
