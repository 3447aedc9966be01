"""Paper form numbers: gaps and duplicates in each enumerator's series (pure, no ORM).

Paper questionnaires are numbered in series (BD-TEAM1-0046, 0047, 0048 …); a number missing between two
keyed ones is a questionnaire lost until someone explains it, and a number keyed twice is either a typing
error or a form entered twice (docs/decisions.md D358).
"""

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

_NUMBERED = re.compile(r"^(.*?)(\d+)$")
# A hole wider than this is a new series or a typing error rather than lost forms: listed as one range.
MAX_LISTED_GAP = 20


@dataclass(frozen=True)
class Gap:
    enumerator_id: int
    prefix: str
    first: str  # the first missing form number, as it would be printed
    last: str  # the last one (== first for a single missing form)
    count: int
    after: str  # the keyed numbers around the hole
    before: str


@dataclass(frozen=True)
class Duplicate:
    enumerator_id: int
    form_number: str
    record_ids: tuple[int, ...]


def normalise(form_number: str) -> str:
    return re.sub(r"\s+", "", form_number or "").upper()


def split(form_number: str) -> tuple[str, int, int] | None:
    """(prefix, number, digits) of a form number ending in digits, else None."""
    found = _NUMBERED.match(normalise(form_number))
    if not found or not found.group(2):
        return None
    return found.group(1), int(found.group(2)), len(found.group(2))


def form_number_problems(rows: list[tuple[int, int, str]]) -> tuple[list[Gap], list[Duplicate]]:
    """rows: (record id, enumerator id, form number). Gaps within each (enumerator, prefix) series between
    its lowest and highest keyed number; duplicates of a normalised number of one enumerator."""
    series: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)  # number -> digits
    by_number: dict[tuple[int, str], list[int]] = defaultdict(list)
    for record_id, enumerator_id, form_number in rows:
        key = normalise(form_number)
        if not key:
            continue
        by_number[(enumerator_id, key)].append(record_id)
        parts = split(key)
        if parts:
            prefix, number, digits = parts
            series[(enumerator_id, prefix)][number] = max(
                digits, series[(enumerator_id, prefix)].get(number, 0)
            )
    gaps = []
    for (enumerator_id, prefix), numbers in sorted(series.items()):
        keyed = sorted(numbers)
        width = max(numbers.values())
        for low, high in itertools.pairwise(keyed):
            if high - low <= 1:
                continue
            text = _printer(prefix, width)
            gaps.append(
                Gap(
                    enumerator_id=enumerator_id,
                    prefix=prefix,
                    first=text(low + 1),
                    last=text(high - 1),
                    count=high - low - 1,
                    after=text(low),
                    before=text(high),
                )
            )
    duplicates = [
        Duplicate(enumerator_id=enumerator_id, form_number=number, record_ids=tuple(sorted(found)))
        for (enumerator_id, number), found in sorted(by_number.items())
        if len(found) > 1
    ]
    return gaps, duplicates


def _printer(prefix: str, width: int):
    return lambda n: f"{prefix}{n:0{width}d}"


def missing_numbers(gap: Gap) -> list[str]:
    """Every missing number of a gap (up to MAX_LISTED_GAP), to be explained one by one."""
    if gap.count > MAX_LISTED_GAP:
        return []
    low = split(gap.first)
    if low is None:
        return []
    prefix, first, digits = low
    return [f"{prefix}{n:0{digits}d}" for n in range(first, first + gap.count)]
