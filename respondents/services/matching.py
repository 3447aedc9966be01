"""Matching the free text units type to a campaign's units and groups, ignoring case and diacritics."""

from dataclasses import dataclass

from kit.text import match_key

# Words in front of a unit's name that units often leave out or add ("Sở Tư pháp" / "Tư pháp").
_UNIT_PREFIXES = (
    "uy ban nhan dan ",
    "so ",
    "ban ",
    "huyen ",
    "thanh pho ",
    "thi xa ",
    "xa ",
    "phuong ",
    "thi tran ",
)


# Abbreviations in unit names, written out before comparing ("HĐND tỉnh", "TX Sa Pa", "UBND TP Lào Cai").
_ABBREVIATIONS = {"hdnd": "hoi dong nhan dan", "ubnd": "uy ban nhan dan", "tx": "thi xa", "tp": "thanh pho"}


def unit_key(text: object) -> str:
    return " ".join(_ABBREVIATIONS.get(word, word) for word in match_key(text).split())


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class GroupRef:
    code: str
    name: str
    labels: tuple[str, ...] = ()
    default_for_unit_kind: str = ""


def _strip_prefixes(key: str) -> str:
    changed = True
    while changed:
        changed = False
        for prefix in _UNIT_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key, changed = key[len(prefix) :], True
    return key


class UnitMatcher:
    def __init__(self, units: list[UnitRef], province_name: str = "") -> None:
        self.units = units
        self._province_tail = f" tinh {match_key(province_name)}" if province_name else ""
        self._exact: dict[str, UnitRef] = {}
        stripped: dict[str, list[UnitRef]] = {}
        for unit in units:
            self._exact.setdefault(match_key(unit.code), unit)
            self._exact.setdefault(unit_key(unit.name), unit)
            stripped.setdefault(_strip_prefixes(unit_key(unit.name)), []).append(unit)
        self._stripped = {key: refs[0] for key, refs in stripped.items() if len(refs) == 1}
        self._answers: dict[str, UnitRef | None] = {}

    def match(self, text: object) -> UnitRef | None:
        # A list names the same few units thousands of times: each distinct text is matched once.
        if not isinstance(text, str):
            return self._match(text)
        if text not in self._answers:
            self._answers[text] = self._match(text)
        return self._answers[text]

    def _match(self, text: object) -> UnitRef | None:
        key = match_key(text)
        if not key:
            return None
        if key in self._exact:  # a unit code
            return self._exact[key]
        key = unit_key(key)
        if key in self._exact:
            return self._exact[key]
        if self._province_tail and key.endswith(self._province_tail):
            key = key[: -len(self._province_tail)].strip()
            if key in self._exact:
                return self._exact[key]
            if f"{key} tinh" in self._exact:  # "Hội đồng nhân dân tỉnh Lào Cai": "tỉnh" is in the name
                return self._exact[f"{key} tinh"]
        return self._stripped.get(_strip_prefixes(key))


class GroupMatcher:
    """Exact label match first; otherwise the longest known label contained in the text, if unambiguous."""

    def __init__(self, groups: list[GroupRef]) -> None:
        self.groups = groups
        self._labels: dict[str, GroupRef | None] = {}
        for group in groups:
            for label in (group.code, group.name, *group.labels):
                key = match_key(label)
                if key:
                    existing = self._labels.get(key, group)
                    self._labels[key] = group if existing is group else None  # None: ambiguous label
        self._answers: dict[str, GroupRef | None] = {}

    def match(self, text: object) -> GroupRef | None:
        # As for units: the same few group labels on every row, each matched once.
        if not isinstance(text, str):
            return self._match(text)
        if text not in self._answers:
            self._answers[text] = self._match(text)
        return self._answers[text]

    def _match(self, text: object) -> GroupRef | None:
        key = match_key(text)
        if not key:
            return None
        if key in self._labels:
            return self._labels[key]
        padded = f" {key} "
        hits = [(len(label), ref) for label, ref in self._labels.items() if ref and f" {label} " in padded]
        if not hits:
            return None
        hits.sort(key=lambda hit: hit[0], reverse=True)
        if len(hits) > 1 and hits[0][0] == hits[1][0] and hits[0][1] is not hits[1][1]:
            return None
        return hits[0][1]

    def for_unit_kind(self, kind: str) -> GroupRef | None:
        return next((g for g in self.groups if kind and g.default_for_unit_kind == kind), None)

    def choices(self) -> str:
        return ", ".join(g.name for g in self.groups)
