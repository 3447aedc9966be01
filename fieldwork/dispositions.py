"""Final dispositions of the drawn households/people and the outcome rates of AAPOR's Standard Definitions
(pure, no ORM). docs/decisions.md D355; docs/reference/field-sample.md gives the formulas and the source.

Categories (AAPOR, in-person household surveys): I complete interview (1.1), P partial (1.2), R refusal
and break-off (2.10), NC non-contact (2.20), O other eligible non-interview (2.30), UH unknown eligibility
(3.10/3.20), NE not eligible (4.x). A unit's final disposition is its interview when one was stored, else
the outcome of its last contact attempt; a unit never attempted is "pending" and stays out of the rates
until the field closes (then it is UH).
"""

from dataclasses import dataclass

# Contact attempt outcome (ContactAttempt.Outcome) → AAPOR category and code.
CATEGORY = {
    "interviewed": "I",
    "partial": "P",
    "refused": "R",
    "not_at_home": "NC",
    "other": "O",
    "not_found": "UH",
    "moved": "NE",
    "ineligible": "NE",
}
AAPOR_CODE = {
    "interviewed": "1.1",
    "partial": "1.2",
    "refused": "2.10",
    "not_at_home": "2.20",
    "other": "2.30",
    "not_found": "3.17",
    "moved": "4.10",
    "ineligible": "4.70",
}
CATEGORIES = ("I", "P", "R", "NC", "O", "UH", "NE")
# An attempt with one of these outcomes is a failed one (the replacement rule counts them).
FAILED = frozenset({"refused", "not_at_home", "moved", "ineligible", "not_found", "other"})
PENDING = "pending"


def final_disposition(outcomes: list[str], *, interviewed: bool) -> str:
    """A category of CATEGORIES, or "pending" for a unit with neither interview nor attempt."""
    if interviewed:
        return "I"
    if not outcomes:
        return PENDING
    return CATEGORY[outcomes[-1]]


@dataclass(frozen=True)
class Rates:
    """Counts by category and the rates (None when a denominator is 0), as fractions of 1."""

    counts: dict
    pending: int
    e: float | None
    rr1: float | None
    rr3: float | None
    ref1: float | None
    con1: float | None
    coop1: float | None


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom > 0 else None


def outcome_rates(counts: dict, *, pending: int = 0, e: float | None = None) -> Rates:
    """AAPOR rates from counts by category (missing categories count 0).

    e, the share of unknown-eligibility cases estimated eligible, defaults to the share among the cases
    whose eligibility is known: (I+P+R+NC+O) / (I+P+R+NC+O+NE) ("proportional allocation").
        RR1   = I / (I+P + R+NC+O + UH)
        RR3   = I / (I+P + R+NC+O + e·UH)
        REF1  = R / (I+P + R+NC+O + UH)
        CON1  = (I+P + R+O) / (I+P + R+NC+O + UH)
        COOP1 = I / (I+P + R+O)
    """
    c = {k: int(counts.get(k, 0)) for k in CATEGORIES}
    eligible = c["I"] + c["P"] + c["R"] + c["NC"] + c["O"]
    if e is None:
        e = _ratio(eligible, eligible + c["NE"])
    unknown = c["UH"]
    return Rates(
        counts=c,
        pending=pending,
        e=e,
        rr1=_ratio(c["I"], eligible + unknown),
        rr3=_ratio(c["I"], eligible + (e or 0.0) * unknown) if e is not None or not unknown else None,
        ref1=_ratio(c["R"], eligible + unknown),
        con1=_ratio(c["I"] + c["P"] + c["R"] + c["O"], eligible + unknown),
        coop1=_ratio(c["I"], c["I"] + c["P"] + c["R"] + c["O"]),
    )


def replacement_due(outcomes: list[str], *, after_attempts: int, at_once: set[str]) -> bool:
    """The replacement rule: a replacement is released once the unit's last attempt has an outcome that
    is replaced at once (by default refused, moved, not eligible), or once it has `after_attempts` failed
    attempts (default 3). An interviewed or partly interviewed unit is never replaced."""
    if not outcomes or outcomes[-1] in ("interviewed", "partial"):
        return False
    if outcomes[-1] in at_once:
        return True
    return sum(1 for outcome in outcomes if outcome in FAILED) >= after_attempts
