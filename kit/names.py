"""Names as units type them: NFC, single spaces, no 'Đ/c' prefix, capitals put in title case."""

import re
from dataclasses import dataclass

from .text import clean_text

_HONORIFIC = re.compile(r"^(đ/c|đc|đồng chí)\s*[:.]?\s+", re.IGNORECASE)


@dataclass(frozen=True)
class NameResult:
    value: str
    recased: bool = False


def normalise_name(raw: object) -> NameResult:
    """NFC, single spaces, no 'Đ/c' prefix; a name typed in capitals becomes title case."""
    name = _HONORIFIC.sub("", clean_text(raw))
    if not name.isupper():  # then some letter is lower-case or none has a case: not typed in capitals
        return NameResult(name)
    letters = [ch for ch in name if ch.isalpha()]
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return NameResult(" ".join(word[:1].upper() + word[1:].lower() for word in name.split(" ")), True)
    return NameResult(name)
