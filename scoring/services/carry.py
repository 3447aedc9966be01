"""Carrying scores to a new version of a tree (docs/decisions.md D156).

When a new version replaces a scored tree (typically the official table loaded over a placeholder), every
open assessment of the old version gets a twin on the new version: each score is copied to the item of the
same code with its explanation, figures, appraisal, evidence and a `carried` history event. A score above
the item's new maximum is copied as it is and flagged (Score.over_max) for the department to re-enter,
never capped. Scores of items the new version no longer has stay on the old assessment, which is kept,
read-only, with `replaced_by` pointing at its twin. Closed campaigns, and campaigns whose year the new
version does not cover, keep the old version.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from respondents.models import Campaign

from ..models import Assessment, CriteriaTree, Evidence, Score, ScoreEvent

COPIED = (
    "self_points",
    "explanation",
    "value_current",
    "value_previous",
    "target",
    "achieved",
    "self_by",
    "self_at",
    "appraised_points",
    "appraisal_reason",
    "appraised_by",
    "appraised_at",
)


@dataclass
class CarryReport:
    old: Assessment
    new: Assessment
    carried: int = 0
    not_carried: list[str] = field(default_factory=list)  # item codes the new version does not have
    over_max: list[dict] = field(default_factory=list)  # {code, points, max}
    now_by_survey: list[str] = field(default_factory=list)  # entered points that surveys now replace

    def as_dict(self) -> dict:
        return {
            "campaign": self.old.campaign.slug,
            "assessed": self.old.assessed_name,
            "from_version": self.old.tree.version,
            "to_version": self.new.tree.version,
            "carried": self.carried,
            "not_carried": self.not_carried,
            "over_max": self.over_max,
            "now_by_survey": self.now_by_survey,
        }


def carry_assessments(*, old: CriteriaTree, new: CriteriaTree) -> list[CarryReport]:
    """Carry every open assessment of `old` to `new` (runs inside the loader's transaction)."""
    assessments = (
        Assessment.objects.filter(tree=old, replaced_by__isnull=True)
        .exclude(campaign__status=Campaign.Status.CLOSED)
        .select_related("campaign__province", "unit", "tree")
        .order_by("pk")
    )
    return [_carry(a, new) for a in assessments if new.covers(a.campaign.year)]


def _carry(old: Assessment, tree: CriteriaTree) -> CarryReport:
    new = Assessment.objects.create(
        campaign=old.campaign,
        tree=tree,
        unit=old.unit,
        self_opens=old.self_opens,
        self_closes=old.self_closes,
        appraisal_opens=old.appraisal_opens,
        appraisal_closes=old.appraisal_closes,
    )
    report = CarryReport(old=old, new=new)
    items = {c.code: c for c in tree.nodes.filter(is_leaf=True)}
    note = f"v{old.tree.version} → v{tree.version}"
    for score in (
        Score.objects.filter(assessment=old).select_related("criterion").order_by("criterion__order")
    ):
        item = items.get(score.criterion.code)
        if item is None:
            report.not_carried.append(score.criterion.code)
            continue
        copy = Score(assessment=new, criterion=item, **{name: getattr(score, name) for name in COPIED})
        copy.save()
        ScoreEvent.objects.create(
            score=copy, kind=ScoreEvent.Kind.CARRIED, points=copy.final_points, text=note, figures={}
        )
        for evidence in Evidence.objects.filter(score=score):
            Evidence.objects.create(
                score=copy,
                file=evidence.file.name,  # the same stored file: evidence is never deleted
                original_name=evidence.original_name,
                size=evidence.size,
                sha256=evidence.sha256,
                uploaded_by=evidence.uploaded_by,
            )
        report.carried += 1
        if copy.over_max:
            points = max(p for p in (copy.self_points, copy.appraised_points) if p is not None)
            report.over_max.append(
                {"code": item.code, "points": _plain(points), "max": _plain(item.max_points)}
            )
        if item.scored_by == "survey" and score.criterion.scored_by != "survey":
            report.now_by_survey.append(item.code)
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    return report


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
