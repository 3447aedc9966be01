"""Drawing a campaign's sample from its imported frame: communes/wards (stage 1), villages or residential
groups (stage 2), households or people (stage 3), by the methods of the design, seeded and reproducible,
with reserves in order at the last stage. The probabilities stored are those of the design weights.

Reproducible: the same frame (units by code, villages by name, entries in import order) and the same
seed give the same sample; one numpy Generator is consumed in that fixed order (fieldwork/draws.py).
A sample already in the field (an interview or contact attempt on it) is never drawn again.
docs/decisions.md D352–D354; docs/reference/field-sample.md.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from audit.services import Action
from kit.text import match_key
from respondents.models import Campaign, Unit

from ..models import (
    Assignment,
    ContactAttempt,
    DesignStratum,
    DrawnUnit,
    FieldRecord,
    SampleDesign,
    SamplingFrameEntry,
)

if TYPE_CHECKING:  # imported where used: importing this module must stay cheap (D401)
    import numpy as np

    from .. import draws

WHOLE_COMMUNE = "-"  # the one SSU of a commune whose frame names no village (π₂ = 1)
ALL_STRATA = "all"


@dataclass
class DrawSettings:
    psu_count: int = 6
    ssu_per_psu: int = 3
    units_per_ssu: int = 30
    reserves_per_ssu: int = 5
    psu_method: str = SampleDesign.Method.PPS
    ssu_method: str = SampleDesign.Method.PPS
    final_method: str = SampleDesign.Method.SRS
    stratify_by: str = SampleDesign.Strata.NONE
    seed: int | None = None


@dataclass
class DrawReport:
    ok: bool
    design: SampleDesign | None = None
    errors: list[str] = field(default_factory=list)
    strata: int = 0
    psus: int = 0
    ssus: int = 0
    units: int = 0
    reserves: int = 0


@dataclass
class _Village:
    key: str
    name: str
    entries: list[SamplingFrameEntry] = field(default_factory=list)


@dataclass
class _Commune:
    unit: Unit
    villages: dict[str, _Village] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(v.entries) for v in self.villages.values())


def in_the_field(design: SampleDesign) -> bool:
    """Whether fieldwork has used the sample (an interview or a contact attempt on one of its units)."""
    units = DrawnUnit.objects.filter(design=design)
    return (
        FieldRecord.objects.filter(drawn_unit__in=units).exists()
        or FieldRecord.objects.filter(drawn_village__in=units).exists()
        or ContactAttempt.objects.filter(drawn_unit__in=units).exists()
    )


def _frame(
    campaign: Campaign, stratify_by: str
) -> tuple[dict[str, dict[int, _Commune]], dict[str, str], list]:
    """Strata (code → communes by unit id) in the frame, their names, and the entries without a commune."""
    strata: dict[str, dict[int, _Commune]] = defaultdict(dict)
    names: dict[str, str] = {}
    missing = []
    entries = (
        SamplingFrameEntry.objects.filter(campaign=campaign).select_related("area__parent").order_by("pk")
    )
    for entry in entries:
        if entry.area is None:
            missing.append(entry)
            continue
        if stratify_by == SampleDesign.Strata.DISTRICT and entry.area.parent is not None:
            code, name = entry.area.parent.code, entry.area.parent.name
        else:
            code, name = ALL_STRATA, campaign.province.name
        names[code] = name
        commune = strata[code].setdefault(entry.area_id, _Commune(entry.area))
        village_key = match_key(entry.village) or WHOLE_COMMUNE
        village = commune.villages.setdefault(
            village_key, _Village(village_key, entry.village.strip() or _("(whole commune)"))
        )
        village.entries.append(entry)
    return strata, names, missing


def _checksum(strata: dict[str, dict[int, _Commune]]) -> str:
    digest = hashlib.sha256()
    for code in sorted(strata):
        for commune in sorted(strata[code].values(), key=lambda c: c.unit.code):
            for key in sorted(commune.villages):
                ids = ",".join(str(e.pk) for e in commune.villages[key].entries)
                digest.update(f"{code}|{commune.unit.code}|{key}|{ids}\n".encode())
    return digest.hexdigest()


def _assignment_for(unit: Unit, entry: SamplingFrameEntry, assignments: list[Assignment]) -> int | None:
    """The work list a household goes to: its frame entry's assignment, else the first assignment of the
    campaign whose area is its commune, else its commune's district (docs/decisions.md D354)."""
    if entry.assignment_id:
        return entry.assignment_id
    for area_id in (unit.pk, unit.parent_id):
        for assignment in assignments:
            if area_id is not None and assignment.area_id == area_id:
                return assignment.pk
    return None


def draw_sample(*, campaign: Campaign, user: User | None, settings: DrawSettings) -> DrawReport:
    """Draw (or draw again, while nothing is in the field) the campaign's sample from its frame."""
    import numpy as np

    from .. import draws

    strata, names, missing = _frame(campaign, settings.stratify_by)
    if missing:
        rows = ", ".join(str(e.source_row or e.pk) for e in missing[:10])
        return DrawReport(
            ok=False, errors=[_("Frame entries without a commune (rows %(rows)s).") % {"rows": rows}]
        )
    if not strata:
        return DrawReport(ok=False, errors=[_("The sampling frame of this campaign is empty.")])
    seed = settings.seed if settings.seed is not None else secrets.randbits(62)
    rng = np.random.default_rng(seed)
    report = DrawReport(ok=True)
    assignments = list(Assignment.objects.filter(campaign=campaign).order_by("pk"))
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        existing = SampleDesign.objects.filter(campaign=campaign).first()
        if existing is not None:
            if in_the_field(existing):
                return DrawReport(
                    ok=False, errors=[_("The sample is already in the field: it cannot be drawn again.")]
                )
            existing.delete()
        design = SampleDesign.objects.create(
            campaign=campaign,
            source=SampleDesign.Source.DRAWN,
            stratify_by=settings.stratify_by,
            psu_method=settings.psu_method,
            ssu_method=settings.ssu_method,
            final_method=settings.final_method,
            psu_count=settings.psu_count,
            ssu_per_psu=settings.ssu_per_psu,
            units_per_ssu=settings.units_per_ssu,
            reserves_per_ssu=settings.reserves_per_ssu,
            seed=seed,
            frame_checksum=_checksum(strata),
            drawn_at=timezone.now(),
            drawn_by=user,
        )
        codes = sorted(strata)
        sizes = [sum(c.size for c in strata[code].values()) for code in codes]
        counts = [len(strata[code]) for code in codes]
        allocation = draws.allocate(sizes, settings.psu_count, counts)
        for code, size, count, n_h in zip(codes, sizes, counts, allocation, strict=True):
            stratum = DesignStratum.objects.create(
                design=design, code=code, name=names[code], psu_frame=count, size=size, psu_drawn=n_h
            )
            report.strata += 1
            communes = sorted(strata[code].values(), key=lambda c: c.unit.code)
            stage1 = draws.draw_stage(settings.psu_method, [c.size for c in communes], n_h, rng)
            for index in stage1.selected:
                commune = communes[index]
                _draw_commune(design, stratum, commune, stage1, index, settings, rng, assignments, report)
        audit.record(
            actor=user,
            action=Action.FIELD_SAMPLE_DRAWN,
            obj=design,
            campaign=campaign,
            actor_name="" if user else "manage.py",
            detail={
                "seed": seed,
                "frame_checksum": design.frame_checksum,
                "strata": report.strata,
                "psus": report.psus,
                "ssus": report.ssus,
                "units": report.units,
                "reserves": report.reserves,
            },
        )
    report.design = design
    return report


def _draw_commune(
    design: SampleDesign,
    stratum: DesignStratum,
    commune: _Commune,
    stage1: draws.StageDraw,
    index: int,
    settings: DrawSettings,
    rng: np.random.Generator,
    assignments: list[Assignment],
    report: DrawReport,
) -> None:
    import numpy as np

    from .. import draws

    villages = [commune.villages[key] for key in sorted(commune.villages)]
    psu = DrawnUnit.objects.create(
        design=design,
        stage=DrawnUnit.Stage.PSU,
        stratum=stratum,
        unit=commune.unit,
        code=commune.unit.code,
        name=commune.unit.name,
        size=commune.size,
        probability=float(stage1.probability[index]),
        certainty=bool(stage1.certainty[index]),
        frame_count=len(villages),
    )
    report.psus += 1
    whole = len(villages) == 1 and villages[0].key == WHOLE_COMMUNE
    method = SampleDesign.Method.ALL if whole else settings.ssu_method
    stage2 = draws.draw_stage(method, [len(v.entries) for v in villages], settings.ssu_per_psu, rng)
    psu.drawn_count = len(stage2.selected)
    psu.save(update_fields=["drawn_count"])
    for village_index in stage2.selected:
        village = villages[village_index]
        ssu = DrawnUnit.objects.create(
            design=design,
            stage=DrawnUnit.Stage.SSU,
            stratum=stratum,
            parent=psu,
            code=village.key[:100],
            name=village.name[:255],
            size=len(village.entries),
            probability=float(stage2.probability[village_index]),
            certainty=bool(stage2.certainty[village_index]),
            frame_count=len(village.entries),
        )
        report.ssus += 1
        entries = village.entries
        stage3 = draws.draw_stage(
            settings.final_method,
            np.ones(len(entries)),
            settings.units_per_ssu,
            rng,
            reserves=settings.reserves_per_ssu,
        )
        ssu.drawn_count = len(stage3.selected)
        ssu.save(update_fields=["drawn_count"])
        main = [(i, False, None) for i in stage3.selected]
        extra = [(i, True, order) for order, i in enumerate(stage3.reserves, start=1)]
        DrawnUnit.objects.bulk_create(
            DrawnUnit(
                design=design,
                stage=DrawnUnit.Stage.FINAL,
                stratum=stratum,
                parent=ssu,
                frame_entry=entries[i],
                assignment_id=_assignment_for(commune.unit, entries[i], assignments),
                code=str(entries[i].pk),
                name=entries[i].name[:255],
                size=1,
                # A reserve interviewed in place of a main unit stands for it: the stage's π (D353).
                probability=float(stage3.probability[i]),
                certainty=bool(stage3.certainty[i]),
                reserve=reserve,
                reserve_order=order,
            )
            for i, reserve, order in main + extra
        )
        report.units += len(main)
        report.reserves += len(extra)
