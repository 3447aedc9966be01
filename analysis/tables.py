"""Weighted tables of a campaign's questions, pure (no ORM): frequencies and percentages with 95 % intervals,
numeric summaries (weighted mean, quartiles), and the masking of contact details in free-text answers.

Intervals (docs/decisions.md D328): Wilson's score interval for the weighted share p, with Kish's effective
sample size n_eff = (Σw)² / Σw² in place of n; with equal weights n_eff = n and it is the plain Wilson
interval. Quantiles: the weighted inverted CDF, the smallest answer whose cumulative weight share reaches q
(numpy's `method="inverted_cdf"` with weights; statsmodels' DescrStatsW.quantile agrees except when a
cumulative share falls exactly on q, where it averages the two neighbouring answers).
"""

import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

Z95 = 1.959963984540054  # the 97.5 % point of the standard normal
OTHER = "__other__"  # answers outside the question's options (an older version's, a typed value)


@dataclass(frozen=True)
class Share:
    value: str
    label: str
    n: int  # respondents (unweighted) who gave this answer
    weighted: float  # their weight
    percent: float | None  # weighted share of the base, 0–100; None when suppressed
    low: float | None  # 95 % interval, 0–100
    high: float | None


@dataclass(frozen=True)
class FrequencyTable:
    key: str  # the breakdown's value ("" for everyone)
    label: str
    n: int  # respondents who answered (the base)
    weighted_n: float
    effective_n: float  # Kish
    rows: list[Share] = field(default_factory=list)
    suppressed: bool = False  # fewer than min_cell respondents: shares hidden


@dataclass(frozen=True)
class NumericSummary:
    key: str
    label: str
    n: int
    weighted_n: float
    mean: float | None
    q1: float | None
    median: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None
    suppressed: bool = False


def kish_effective_n(weights: Sequence[float]) -> float:
    """(Σw)² / Σw²: the number of equally weighted answers that would give the same variance."""
    total = math.fsum(weights)
    squares = math.fsum(w * w for w in weights)
    return total * total / squares if squares > 0 else 0.0


def wilson_interval(p: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion p observed on n (here Kish's effective n)."""
    if n <= 0:
        return (0.0, 1.0)
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(max(p * (1 - p), 0.0) / n + z2 / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def _answered(answer: object) -> bool:
    return answer is not None and answer != "" and answer != []


def _chosen(answer: object, *, multiple: bool) -> list[str]:
    if multiple:
        items = answer if isinstance(answer, list | tuple) else str(answer).split()
        return [str(item) for item in items]
    return [str(answer)]


def frequencies(
    answers: Sequence[object],
    weights: Sequence[float],
    options: Sequence[tuple[str, str]],
    *,
    multiple: bool = False,
    missing: Collection[str] = (),
    min_cell: int = 0,
    key: str = "",
    label: str = "",
    other_label: str = "Khác / không có trong danh sách",
) -> FrequencyTable:
    """Weighted frequencies of one question over the respondents who answered it (weight > 0). For a
    multiple-choice question each option's share is of respondents, so shares may add up to more than 100.
    `missing` options ("don't know") are counted but left out of the base, as the SIPAS shares do
    (analysis/sipas/shares.py); their rows have no percentage. `min_cell`: a base of 1 to min_cell - 1
    respondents is suppressed (docs/decisions.md D31)."""
    known = {str(value) for value, _ in options}
    absent = {str(value) for value in missing}
    counts: dict[str, tuple[int, float]] = {}
    base: list[float] = []
    for answer, weight in zip(answers, weights, strict=True):
        if not _answered(answer) or weight <= 0:
            continue
        chosen = list(dict.fromkeys(_chosen(answer, multiple=multiple)))
        for value in chosen:
            slot = value if value in known else OTHER
            count, weighted = counts.get(slot, (0, 0.0))
            counts[slot] = (count + 1, weighted + float(weight))
        if any(value not in absent for value in chosen):
            base.append(float(weight))
    n = len(base)
    total = math.fsum(base)
    effective = kish_effective_n(base)
    suppressed = 0 < n < min_cell
    listed = [(str(value), option_label) for value, option_label in options]
    if OTHER in counts:
        listed.append((OTHER, other_label))
    rows = []
    for value, option_label in listed:
        count, weighted = counts.get(value, (0, 0.0))
        if suppressed or total <= 0 or value in absent:
            rows.append(Share(value, option_label, count, weighted, None, None, None))
            continue
        p = weighted / total
        low, high = wilson_interval(p, effective)
        rows.append(Share(value, option_label, count, weighted, 100 * p, 100 * low, 100 * high))
    return FrequencyTable(key, label, n, total, effective, rows, suppressed)


def weighted_quantile(values: Sequence[float], weights: Sequence[float], q: float) -> float:
    """The smallest value whose cumulative weight share is at least q (weighted inverted CDF)."""
    pairs = sorted((float(v), float(w)) for v, w in zip(values, weights, strict=True) if w > 0)
    if not pairs:
        raise ValueError("no value with a positive weight")
    total = math.fsum(w for _, w in pairs)
    cumulative = 0.0
    for value, weight in pairs:
        cumulative += weight
        if cumulative / total >= q - 1e-12:
            return value
    return pairs[-1][0]


def as_number(answer: object) -> float | None:
    """A numeric answer as a float; None for no answer or anything not a finite number."""
    if isinstance(answer, bool) or not _answered(answer):
        return None
    try:
        number = float(str(answer).replace(",", ".")) if isinstance(answer, str) else float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def numeric_summary(
    answers: Sequence[object], weights: Sequence[float], *, min_cell: int = 0, key: str = "", label: str = ""
) -> NumericSummary:
    pairs = [
        (x, float(w))
        for a, w in zip(answers, weights, strict=True)
        if (x := as_number(a)) is not None and w > 0
    ]
    n = len(pairs)
    total = math.fsum(w for _, w in pairs)
    if not pairs or 0 < n < min_cell:
        return NumericSummary(key, label, n, total, None, None, None, None, None, None, suppressed=n > 0)
    values, ws = [x for x, _ in pairs], [w for _, w in pairs]
    mean = math.fsum(x * w for x, w in pairs) / total
    q1, median, q3 = (weighted_quantile(values, ws, q) for q in (0.25, 0.5, 0.75))
    return NumericSummary(key, label, n, total, mean, q1, median, q3, min(values), max(values))


def groups_of(keys: Sequence[object]) -> list[str]:
    """The distinct breakdown values in order of first appearance, no answer ("") last."""
    seen = dict.fromkeys(str(k) if _answered(k) else "" for k in keys)
    return [k for k in seen if k] + ([""] if "" in seen else [])


def select(items: Sequence[object], keys: Sequence[object], key: str) -> list[object]:
    return [item for item, k in zip(items, keys, strict=True) if (str(k) if _answered(k) else "") == key]


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine or more digits, allowing spaces, dots and dashes between them and a leading +84 (phone numbers).
_PHONE = re.compile(r"(?<!\w)(?:\+?84|0)(?:[\s.-]?\d){8,10}(?!\w)")


# A citizen identity card number (căn cước công dân): 12 digits.
_ID_NUMBER = re.compile(r"(?<!\w)\d{12}(?!\w)")
_WORD = re.compile(r"\w+")
NAME_PLACEHOLDER = "[họ tên]"


def mask_contacts(text: str, names: Sequence[str] = (), known: "KnownNames | None" = None) -> str:
    """Free text for analysts: e-mail addresses, phone numbers, identity card numbers, the given names (the
    respondent's own) and any full name of `known` (everyone on the campaign's lists) replaced by
    placeholders. A name typed in a way the lists do not hold (a given name alone, a nickname) cannot be
    recognised (D329)."""
    masked = _EMAIL.sub("[e-mail]", text)
    masked = _PHONE.sub("[số điện thoại]", masked)
    masked = _ID_NUMBER.sub("[số giấy tờ]", masked)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) > 2}, key=len, reverse=True):
        masked = re.sub(re.escape(name), NAME_PLACEHOLDER, masked, flags=re.IGNORECASE)
    return known.mask(masked) if known is not None else masked


def _name_key(words: Sequence[str]) -> str:
    return " ".join(unicodedata.normalize("NFC", w).casefold() for w in words)


class KnownNames:
    """The full names of a campaign's lists, found in a text word by word (whole words, any case, any
    spacing): "Lê Văn An" is masked in "ông lê văn an nói", not in "Lê Văn Anh". Names of one word are left
    out (they would mask ordinary words). Looking up the 2- to 6-word runs of a text in a set keeps it
    linear in the text, whatever the number of names."""

    def __init__(self, names: Iterable[str]) -> None:
        keys = {_name_key(_WORD.findall(n)) for n in names if n}
        self.keys = {k for k in keys if " " in k}
        self.longest = max((k.count(" ") + 1 for k in self.keys), default=0)

    def mask(self, text: str) -> str:
        if not self.keys:
            return text
        words = list(_WORD.finditer(text))
        out: list[str] = []
        position = i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 1, -1):
                if _name_key([w.group() for w in words[i : i + n]]) in self.keys:
                    out += [text[position : words[i].start()], NAME_PLACEHOLDER]
                    position = words[i + n - 1].end()
                    i += n
                    break
            else:
                i += 1
        out.append(text[position:])
        return "".join(out)
