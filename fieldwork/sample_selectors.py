"""Read queries of the sample: an enumerator's work list, the design with its drawn units, and the
outcome rates (AAPOR, fieldwork/dispositions.py) per area and team for the supervisor."""

from collections import defaultdict
from collections.abc import Collection

from django.db.models import Prefetch

from respondents.models import Campaign

from .access import keyable_assignments
from .dispositions import PENDING, final_disposition, outcome_rates
from .models import ContactAttempt, DesignStratum, DrawnUnit, FieldRecord, ReviewState, SampleDesign


def _units_with_attempts(units):
    return units.select_related(
        "frame_entry", "parent__parent__unit", "assignment__team", "replaces__frame_entry"
    ).prefetch_related(
        Prefetch("attempts", queryset=ContactAttempt.objects.order_by("attempted_at", "pk")),
    )


def _interviewed(unit_ids) -> set[int]:
    """Units with an interview not rejected in review (a rejected one is to be done again)."""
    return set(
        FieldRecord.objects.filter(drawn_unit_id__in=list(unit_ids))
        .exclude(review_state=ReviewState.REJECTED)
        .values_list("drawn_unit_id", flat=True)
    )


def work_list(user, *, assignment_id: int | None = None) -> list[dict]:
    """The households/people the user may interview (its assignments' main units and released reserves),
    with their attempts and disposition; open ones first, then by commune, village and name."""
    units = DrawnUnit.objects.filter(stage=DrawnUnit.Stage.FINAL, assignment__in=keyable_assignments(user))
    if assignment_id is not None:
        units = units.filter(assignment_id=assignment_id)
    units = [u for u in _units_with_attempts(units) if u.in_work_list]
    done = _interviewed(u.pk for u in units)
    replaced = set(
        DrawnUnit.objects.filter(replaces__in=[u.pk for u in units]).values_list("replaces_id", flat=True)
    )
    rows = []
    for unit in units:
        attempts = list(unit.attempts.all())
        outcomes = [a.outcome for a in attempts]
        disposition = final_disposition(outcomes, interviewed=unit.pk in done)
        rows.append(
            {
                "unit": unit,
                "entry": unit.frame_entry,
                "commune": unit.parent.parent.unit,
                "village": unit.parent.name,
                "attempts": attempts,
                "last": attempts[-1] if attempts else None,
                "interviewed": unit.pk in done,
                "replaced": unit.pk in replaced,
                "disposition": disposition,
                "open": unit.pk not in done and unit.pk not in replaced,
            }
        )
    return sorted(
        rows,
        key=lambda r: (not r["open"], r["commune"].name, r["village"], r["entry"].name if r["entry"] else ""),
    )


def design_summary(campaign: Campaign) -> dict | None:
    """The campaign's design with its strata, drawn communes and villages (counts of households)."""
    design = SampleDesign.objects.filter(campaign=campaign).select_related("drawn_by").first()
    if design is None:
        return None
    strata = list(DesignStratum.objects.filter(design=design))
    psus = list(
        DrawnUnit.objects.filter(design=design, stage=DrawnUnit.Stage.PSU).select_related("stratum", "unit")
    )
    ssus = defaultdict(list)
    for ssu in DrawnUnit.objects.filter(design=design, stage=DrawnUnit.Stage.SSU).order_by("code"):
        ssus[ssu.parent_id].append(ssu)
    finals = DrawnUnit.objects.filter(design=design, stage=DrawnUnit.Stage.FINAL)
    return {
        "design": design,
        "strata": strata,
        "psus": [{"unit": p, "villages": ssus[p.pk]} for p in psus],
        "main": finals.filter(reserve=False).count(),
        "reserves": finals.filter(reserve=True).count(),
        "released": finals.filter(reserve=True, released_at__isnull=False).count(),
    }


def contact_rates(campaign: Campaign, team_ids: Collection[int] | None) -> dict:
    """AAPOR outcome rates of the fielded units (main units and released reserves): overall, per commune
    and per team (the team of the unit's assignment)."""
    units = DrawnUnit.objects.filter(design__campaign=campaign, stage=DrawnUnit.Stage.FINAL)
    if team_ids is not None:
        units = units.filter(assignment__team_id__in=team_ids)
    units = [u for u in _units_with_attempts(units) if u.in_work_list]
    done = _interviewed(u.pk for u in units)
    by_area: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    by_team: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    overall: dict = defaultdict(int)
    for unit in units:
        disposition = final_disposition([a.outcome for a in unit.attempts.all()], interviewed=unit.pk in done)
        area = unit.parent.parent.unit.name if unit.parent.parent.unit else unit.parent.parent.code
        team = unit.assignment.team.name if unit.assignment else "—"
        for counts in (overall, by_area[area], by_team[team]):
            counts[disposition] += 1

    def rates(counts):
        return outcome_rates(
            {k: v for k, v in counts.items() if k != PENDING}, pending=counts.get(PENDING, 0)
        )

    return {
        "overall": rates(overall),
        "by_area": [(name, rates(c)) for name, c in sorted(by_area.items())],
        "by_team": [(name, rates(c)) for name, c in sorted(by_team.items())],
        "units": len(units),
    }
