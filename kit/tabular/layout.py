"""What one kind of list looks like (respondents, sampling frame, field teams, units): the fields its columns
hold, the labels people give them, and which columns tell a data row from a heading. Pure data; the header
search (headers.py) and the sheet walker (walker.py) read it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from kit.text import match_key

_EXACT, _PREFIX, _CONTAINS, _SUFFIX = range(4)
type _Pattern = tuple[int, str]
_CACHE_LIMIT = 10_000


def _compile(label: str) -> _Pattern:
    """'ho va ten' the whole label; 'ten *' a label starting with those words; '*dien thoai*' a label with
    those words anywhere; '* ten' a label ending with them. Words are match_key words."""
    starts, ends = label.startswith("*"), label.endswith("*")
    words = match_key(label.strip("* "))
    if starts and ends:
        return (_CONTAINS, f" {words} ")
    if ends:
        return (_PREFIX, words)
    if starts:
        return (_SUFFIX, words)
    return (_EXACT, words)


def _matches(pattern: _Pattern, key: str) -> bool:
    mode, words = pattern
    if mode == _EXACT:
        return key == words
    if mode == _CONTAINS:
        return words in f" {key} "
    if mode == _PREFIX:
        return key == words or key.startswith(words + " ")
    return key == words or key.endswith(" " + words)


@dataclass(frozen=True)
class Layout:
    """The shape of one kind of list.

    `labels` maps each field to the label patterns of its column (see `_compile`), compared without case,
    diacritics or punctuation. Fields are tried in the map's order, so an earlier field wins: "Địa chỉ email"
    is an e-mail column when email comes before address. `fallback` patterns are tried only when no field of
    `labels` matched ("Tên …" is a name column, but "Tên đơn vị" was already found to be a unit).
    """

    labels: Mapping[str, Sequence[str]]
    # field -> the column's usual header, used in messages ("Column “Họ và tên” is missing").
    names: Mapping[str, str]
    # A header row names every `required` field and at least `min_fields` distinct fields.
    required: tuple[str, ...] = ()
    min_fields: int = 2
    fallback: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # Of several columns of one field, those whose label matches one of these patterns come first.
    preferred: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # The row-number field: a roman numeral or a letter in it numbers a section heading ("I", "a").
    numbering: str = "stt"
    # Text (other than a column number) in one of these makes a row a data row, never a heading or a
    # totals line: contact details, which no heading or signature has. Checked in this order, cheapest first.
    data_fields: tuple[str, ...] = ()
    # Vertically merged cells of these fields (one unit for five people) are copied into every row covered.
    fill_down: tuple[str, ...] = ()

    def classify(self, label: object) -> str | None:
        """The field a header cell names, or None."""
        key = match_key(label)
        if not key:
            return None
        cache = self._answers
        if key in cache:
            return cache[key]
        found = self._classify(key)
        if len(cache) < _CACHE_LIMIT:  # bounded: a server reads many files with made-up headers
            cache[key] = found
        return found

    def is_preferred(self, field_name: str, label: str) -> bool:
        key = match_key(label)
        return any(_matches(p, key) for p in self._preferred.get(field_name, ()))

    def _classify(self, key: str) -> str | None:
        for patterns in (self._labels, self._fallback):
            for name, compiled in patterns.items():
                if any(_matches(p, key) for p in compiled):
                    return name
        return None

    @cached_property
    def _labels(self) -> dict[str, list[_Pattern]]:
        return {name: [_compile(label) for label in labels] for name, labels in self.labels.items()}

    @cached_property
    def _fallback(self) -> dict[str, list[_Pattern]]:
        return {name: [_compile(label) for label in labels] for name, labels in self.fallback.items()}

    @cached_property
    def _preferred(self) -> dict[str, list[_Pattern]]:
        return {name: [_compile(label) for label in labels] for name, labels in self.preferred.items()}

    @cached_property
    def _answers(self) -> dict[str, str | None]:
        return {}
