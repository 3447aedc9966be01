"""Scoring rules as data: a rule kind plus parameters (from the tree file) turns figures into points.

Pure functions on Decimals, no ORM. The kinds are those seen in practice (docs/methodology.md §3,
Lào Cai 2021 plan): proportional, threshold_or_zero, tiered, survey,
and manual (self-assessed, nothing to compute).
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

RULE_KINDS = ("manual", "proportional", "threshold_or_zero", "tiered", "survey")
DEFAULT_PLACES = 4  # the published Lào Cai figures carry four decimals (1.4628, 0.9623)

Number = Decimal | int | str


class RuleInputMissing(ValueError):
    """The figures a rule needs were not given (e.g. no previous-year value)."""


def dec(value: Number | float | None) -> Decimal | None:
    """A Decimal from a number or text, exact for floats' shortest repr; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def _given(value: Number | float) -> Decimal:
    """`dec` of a value a rule cannot do without; its callers never pass None or "" (TypeError, as the
    arithmetic on None would raise)."""
    number = dec(value)
    if number is None:
        raise TypeError(f"a number is needed, not {value!r}")
    return number


def quantize(value: Decimal, places: int = DEFAULT_PLACES) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def proportional(
    *,
    max_points: Number,
    rate: Number | None = None,
    achieved: Number | None = None,
    total: Number | None = None,
    places: int = DEFAULT_PLACES,
) -> Decimal:
    """max × achieved rate, capped at max. `rate` in percent, or `achieved`/`total` counts.

    Methodology §1: on-time files 180,840/185,443 of max 1.5 → 1.4628; disbursement 96.23% of 1 → 0.9623.
    """
    share = _share(rate=rate, achieved=achieved, total=total)
    points = _given(max_points) * min(max(share, Decimal(0)), Decimal(1))
    return quantize(points, places)


def threshold_or_zero(
    *, max_points: Number, current: Number | None, previous: Number | None, places: int = DEFAULT_PLACES
) -> Decimal:
    """max when this year's value is higher than the previous year's, else 0 (docs/methodology.md §3.2:
    investment attraction 77.6% of the previous year → 0/1; GRDP growth 6.55% vs 10.32% → 0/1)."""
    current, previous = dec(current), dec(previous)
    if current is None or previous is None:
        raise RuleInputMissing("this year's and the previous year's values are needed")
    return quantize(_given(max_points) if current > previous else Decimal(0), places)


def tiered(
    *,
    max_points: Number,
    tiers: list[Mapping[str, Number]],
    rate: Number | None = None,
    achieved: Number | None = None,
    total: Number | None = None,
    places: int = DEFAULT_PLACES,
) -> Decimal:
    """The points of the highest tier whose `min` (a rate in percent) the value reaches; 0 below all.

    Methodology §1: 23 of 24 socio-economic targets met (95.83%) → 0.5/1 with tiers 100% → 1, 90% → 0.5.
    """
    value = _share(rate=rate, achieved=achieved, total=total) * 100
    reached = [_given(t["points"]) for t in tiers if value >= _given(t["min"])]
    points = max(reached) if reached else Decimal(0)
    return quantize(min(points, _given(max_points)), places)


def survey(*, max_points: Number, share: Number | None, places: int = DEFAULT_PLACES) -> Decimal:
    """max × the survey result share (percent), e.g. SIPAS 91.17% of max 10 → 9.12 at two places
    (docs/methodology.md §3.4)."""
    if share is None:
        raise RuleInputMissing("the survey result is needed")
    return proportional(max_points=max_points, rate=share, places=places)


def apply_rule(
    rule: Mapping[str, Any], *, max_points: Number, figures: Mapping[str, Number | None]
) -> Decimal | None:
    """Points from a rule (as written in the tree file) and the figures entered or measured.

    `figures` may hold `current`, `previous`, `target`, `achieved`, `rate`, `share`. Manual rules return
    None: their points are entered, not computed.
    """
    kind = rule.get("kind", "manual")
    places = int(rule.get("places", DEFAULT_PLACES))
    if kind == "manual":
        return None
    if kind == "proportional":
        return proportional(max_points=max_points, places=places, **_rate_figures(figures))
    if kind == "threshold_or_zero":
        return threshold_or_zero(
            max_points=max_points,
            current=figures.get("current"),
            previous=figures.get("previous"),
            places=places,
        )
    if kind == "tiered":
        return tiered(max_points=max_points, tiers=rule["tiers"], places=places, **_rate_figures(figures))
    if kind == "survey":
        return survey(max_points=max_points, share=figures.get("share", figures.get("rate")), places=places)
    raise ValueError(f"unknown rule kind {kind!r}")


def _rate_figures(figures: Mapping[str, Number | None]) -> dict[str, Number | None]:
    """A rate in percent, or counts: achieved of target (or this year's value of the previous year's)."""
    if figures.get("rate") is not None:
        return {"rate": figures["rate"]}
    if figures.get("achieved") is not None and figures.get("target") is not None:
        return {"achieved": figures["achieved"], "total": figures["target"]}
    if figures.get("current") is not None and figures.get("previous") is not None:
        return {"achieved": figures["current"], "total": figures["previous"]}
    raise RuleInputMissing("a rate, or achieved and target counts, are needed")


def _share(*, rate: Number | None, achieved: Number | None, total: Number | None) -> Decimal:
    if rate is not None:
        return _given(rate) / 100
    if achieved is None or total is None:
        raise RuleInputMissing("a rate, or achieved and total counts, are needed")
    whole = _given(total)
    if whole == 0:
        raise RuleInputMissing("the total is zero")
    return _given(achieved) / whole
