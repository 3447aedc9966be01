"""SIPAS by locality against the latest earlier year, on comparable units (methodology.md §6,
docs/decisions.md D210): a commune or ward that continues former units (respondents.UnitSuccession, e.g.
the districts abolished on 1 July 2025, or the units of a province merged into this one) is compared with
its predecessors' figures, population-weighted when it has several, and says so."""

from dataclasses import dataclass, field

import pandas as pd

from respondents.models import Campaign, Province, Unit, UnitSuccession
from surveys.models import Response

from .campaign import campaign_sipas
from .compute import SipasInputError, SipasResult


@dataclass
class Previous:
    year: int
    estimate: float | None  # proportion
    sources: list[str] = field(default_factory=list)  # names of the units the figure comes from
    combined: bool = False  # from several predecessors, population-weighted
    weights_missing: bool = False  # some predecessor had no population: equal weights


def predecessor_provinces(province: Province) -> list[Province]:
    """Provinces whose units were continued by this province's units (merged into it)."""
    ids = (
        UnitSuccession.objects.filter(new__province=province)
        .exclude(former__province=province)
        .values_list("former__province", flat=True)
    )
    return list(Province.objects.filter(pk__in=set(ids)))


def _earlier_campaigns(campaign: Campaign) -> tuple[int | None, list[Campaign]]:
    provinces = [campaign.province, *predecessor_provinces(campaign.province)]
    earlier = Campaign.objects.filter(
        province__in=provinces, kind=Campaign.Kind.SIPAS_CITIZENS, year__lt=campaign.year
    ).filter(pk__in=Response.objects.filter(status=Response.Status.SUBMITTED).values("campaign_id"))
    year = earlier.order_by("-year").values_list("year", flat=True).first()
    return year, list(earlier.filter(year=year).select_related("province")) if year else []


def _by_locality(result: SipasResult) -> dict[str, float]:
    table = result.sipas[(result.sipas["by"] == "locality") & ~result.sipas["suppressed"].astype(bool)]
    return {
        str(row["group"]): float(row["estimate"]) for _, row in table.iterrows() if pd.notna(row["estimate"])
    }


def previous_by_locality(campaign: Campaign, result: SipasResult) -> dict[str, Previous]:
    """{locality code of this campaign: its figure in the latest earlier year} for the localities it has."""
    current = result.sipas[result.sipas["by"] == "locality"]["group"].dropna().astype(str).tolist()
    year, campaigns = _earlier_campaigns(campaign)
    if not current or year is None:
        return {}
    figures: dict[int, dict[str, float]] = {}
    for earlier in campaigns:
        try:
            earlier_result = campaign_sipas(earlier, by=["locality"], unweighted=False)
        except SipasInputError:
            continue
        figures.setdefault(earlier.province_id, {}).update(_by_locality(earlier_result))
    units = {u.code: u for u in Unit.objects.filter(province=campaign.province, code__in=current)}
    successions = UnitSuccession.objects.filter(new__in=units.values()).select_related("former", "new")
    predecessors: dict[int, list[UnitSuccession]] = {}
    for succession in successions:
        predecessors.setdefault(succession.new_id, []).append(succession)
    own = figures.get(campaign.province_id, {})
    found: dict[str, Previous] = {}
    for code, unit in units.items():
        if code in own:
            found[code] = Previous(year, own[code], [unit.name])
            continue
        rows: list[tuple[UnitSuccession, float]] = []
        for succession in predecessors.get(unit.pk, []):
            value = figures.get(succession.former.province_id, {}).get(succession.former.code)
            if value is not None:
                rows.append((succession, value))
        if not rows:
            continue
        missing = any(s.population is None for s, _ in rows)
        weights = [1.0 if s.population is None or missing else float(s.population) for s, _ in rows]
        estimate = sum(w * v for w, (_, v) in zip(weights, rows, strict=True)) / sum(weights)
        found[code] = Previous(
            year,
            estimate,
            [s.former.name for s, _ in rows],
            combined=len(rows) > 1,
            weights_missing=missing and len(rows) > 1,
        )
    return found
