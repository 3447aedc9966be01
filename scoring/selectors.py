"""Read API of the scoring app (queries only; pure arithmetic lives in scoring/totals.py).

For the next layers (officials' survey points, the domain-8 join with SIPAS, compute_indices, dashboard,
Excel report):

- `current_tree(code) -> CriteriaTree | None`: the current version of a tree (e.g. "par-province-876").
- `tree_nodes(tree) -> list[Node]`: the tree as plain `scoring.totals.Node` objects (domain → criterion →
  sub-criterion; leaves are the scored items), ready for the pure functions of `scoring.totals`.
- `score_sheet(assessment) -> ScoreSheet`: per scored item its code, name, max, source (`self`, `survey`,
  `computed`), lead, self / appraised / final points (final = appraised if set, else self), explanation,
  reason, evidence count, nested under domains and criteria with their totals. Two queries.
- `final_scores(sheet, survey_points: dict[str, Decimal] | None = None) -> dict[str, Decimal | None]`:
  item code → final points of a score sheet; items whose source is `survey` take their points from
  `survey_points` (the officials' survey and SIPAS, computed elsewhere), never from entered scores.
- Permissions: `scorable_leads(user, assessment)`, `may_score_item(leads, item)`,
  `can_appraise(user, assessment)`, `can_view(user, assessment)`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, QuerySet

from respondents.models import Campaign, Unit
from respondents.selectors import is_coordinator
from respondents.selectors import visible_campaigns as registry_campaigns

from .models import Assessment, CampaignTree, CriteriaTree, Criterion, Score, ScoringRole
from .totals import Node


def current_tree(code: str) -> CriteriaTree | None:
    return CriteriaTree.objects.filter(code=code, is_current=True).first()


def trees_for_year(year: int, *, level: str = CriteriaTree.Level.PROVINCE) -> list[CriteriaTree]:
    """Current trees of a level valid for `year`, best default first (docs/decisions.md D152): a tree whose
    every node is confirmed (an official table) before a placeholder, then the latest first year, then the
    latest loaded."""
    trees = [
        t
        for t in CriteriaTree.objects.filter(is_current=True, level=level, year_from__lte=year)
        if t.covers(year)
    ]
    unconfirmed = set(
        Criterion.objects.filter(tree__in=trees, confirmed=False).values_list("tree_id", flat=True)
    )
    return sorted(trees, key=lambda t: (t.pk in unconfirmed, -t.year_from, -t.pk))


def campaign_tree(campaign: Campaign) -> CriteriaTree | None:
    """The tree a campaign's province assessment is scored against: the coordinator's choice (its current
    version), else the best province tree valid for the campaign's year; None for SIPAS campaigns."""
    if campaign.kind != Campaign.Kind.PAR_OFFICIALS:
        return None
    choice = CampaignTree.objects.filter(campaign=campaign).values_list("tree_code", flat=True).first()
    if choice:
        return current_tree(choice)
    found = trees_for_year(campaign.year)
    return found[0] if found else None


def province_assessment(campaign: Campaign) -> Assessment | None:
    """The campaign's current assessment of the province itself (not one replaced by a newer version)."""
    return (
        Assessment.objects.filter(campaign=campaign, unit__isnull=True, replaced_by__isnull=True)
        .select_related("tree", "campaign__province")
        .first()
    )


def tree_nodes(tree: CriteriaTree) -> list[Node]:
    """The tree's domains as plain Nodes (one query)."""
    rows = list(
        tree.nodes.order_by("order").values(
            "id", "parent_id", "code", "name", "kind", "max_points", "scored_by", "survey", "lead"
        )
    )
    by_id = {
        r["id"]: Node(
            r["code"],
            r["name"],
            r["kind"],
            r["max_points"],
            scored_by=r["scored_by"],
            lead=r["lead"],
            survey=r["survey"],
        )
        for r in rows
    }
    domains = []
    for r in rows:
        if r["parent_id"] is None:
            domains.append(by_id[r["id"]])
        else:
            by_id[r["parent_id"]].children.append(by_id[r["id"]])
    return domains


@dataclass
class SheetItem:
    """One scored item (a sub-criterion, or a criterion without any) of an assessment."""

    code: str
    name: str
    domain_code: str
    criterion_code: str
    max_points: Decimal
    source: str  # self | survey | computed
    lead: str
    rule: dict
    confirmed: bool
    reference: str
    criterion_id: int
    score_id: int | None = None
    self_points: Decimal | None = None
    appraised_points: Decimal | None = None
    explanation: str = ""
    appraisal_reason: str = ""
    figures: dict = field(default_factory=dict)
    evidence_count: int = 0

    @property
    def final_points(self) -> Decimal | None:
        return self.appraised_points if self.appraised_points is not None else self.self_points

    @property
    def appraisal_differs(self) -> bool:
        return self.appraised_points is not None and self.appraised_points != self.self_points

    @property
    def over_max(self) -> bool:
        """Carried points above a lowered maximum: to be re-entered, never capped (docs/decisions.md D156)."""
        return any(p is not None and p > self.max_points for p in (self.self_points, self.appraised_points))


@dataclass
class SheetGroup:
    """A domain or a criterion with the items under it and their sums (None when nothing is scored)."""

    code: str
    name: str
    max_points: Decimal
    lead: str
    items: list[SheetItem] = field(default_factory=list)
    criteria: list["SheetGroup"] = field(default_factory=list)

    def _sum(self, attribute: str) -> Decimal | None:
        values = [getattr(i, attribute) for i in self.items if getattr(i, attribute) is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def self_total(self) -> Decimal | None:
        return self._sum("self_points")

    @property
    def appraised_total(self) -> Decimal | None:
        return self._sum("appraised_points")

    @property
    def final_total(self) -> Decimal | None:
        return self._sum("final_points")


@dataclass
class ScoreSheet:
    assessment: Assessment
    domains: list[SheetGroup]
    items: list[SheetItem]

    def item(self, code: str) -> SheetItem:
        return next(i for i in self.items if i.code == code)

    @property
    def over_max(self) -> list[SheetItem]:
        return [i for i in self.items if i.over_max]


def score_sheet(assessment: Assessment) -> ScoreSheet:
    """Every scored item of an assessment with its scores, under its domain and criterion (two queries)."""
    nodes = list(
        Criterion.objects.filter(tree_id=assessment.tree_id)
        .order_by("order")
        .values(
            "id",
            "parent_id",
            "code",
            "name",
            "kind",
            "max_points",
            "is_leaf",
            "scored_by",
            "lead",
            "rule",
            "confirmed",
            "reference",
        )
    )
    scores = {
        s.criterion_id: s
        for s in Score.objects.filter(assessment=assessment).annotate(evidence_count=Count("evidence"))
    }
    by_id = {n["id"]: n for n in nodes}
    domains: dict[int, SheetGroup] = {}
    criteria: dict[int, SheetGroup] = {}
    items = []
    for n in nodes:
        group = SheetGroup(n["code"], n["name"], n["max_points"], n["lead"])
        if n["kind"] == "domain":
            domains[n["id"]] = group
            continue
        if n["kind"] == "criterion":
            criteria[n["id"]] = group
            domains[n["parent_id"]].criteria.append(group)
        if not n["is_leaf"]:
            continue
        criterion = n if n["kind"] == "criterion" else by_id[n["parent_id"]]
        item = _item(n, by_id[criterion["parent_id"]]["code"], criterion["code"], scores.get(n["id"]))
        items.append(item)
        criteria[criterion["id"]].items.append(item)
        domains[criterion["parent_id"]].items.append(item)
    return ScoreSheet(assessment=assessment, domains=list(domains.values()), items=items)


def _item(node: dict, domain_code: str, criterion_code: str, score: Score | None) -> SheetItem:
    item = SheetItem(
        code=node["code"],
        name=node["name"],
        domain_code=domain_code,
        criterion_code=criterion_code,
        max_points=node["max_points"],
        source=node["scored_by"],
        lead=node["lead"],
        rule=node["rule"],
        confirmed=node["confirmed"],
        reference=node["reference"],
        criterion_id=node["id"],
    )
    if score is not None:
        item.score_id = score.pk
        item.self_points = score.self_points
        item.appraised_points = score.appraised_points
        item.explanation = score.explanation
        item.appraisal_reason = score.appraisal_reason
        item.evidence_count = score.evidence_count
        item.figures = {
            key: getattr(score, key)
            for key in ("value_current", "value_previous", "target", "achieved")
            if getattr(score, key) is not None
        }
    return item


def final_scores(
    sheet: ScoreSheet, survey_points: dict[str, Decimal] | None = None
) -> dict[str, Decimal | None]:
    """Item code → final points: appraised if set, else self-assessed; survey items from `survey_points`."""
    survey_points = survey_points or {}
    return {
        item.code: survey_points.get(item.code) if item.source == "survey" else item.final_points
        for item in sheet.items
    }


# --- permissions -------------------------------------------------------------------------------------


def lead_units(assessment: Assessment) -> dict[str, int]:
    """Lead key → unit id in the campaign's province, by the unit codes the tree names (one query)."""
    leads = assessment.tree.leads
    units = dict(
        Unit.objects.filter(
            province_id=assessment.campaign.province_id,
            code__in=[lead["unit_code"] for lead in leads.values()],
        ).values_list("code", "id")
    )
    return {key: units[lead["unit_code"]] for key, lead in leads.items() if lead["unit_code"] in units}


def scorer_unit_ids(user: User | AnonymousUser, province_id: int) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        ScoringRole.objects.filter(
            user=user, role=ScoringRole.Role.SCORER, province_id=province_id
        ).values_list("unit_id", flat=True)
    )


def is_council(user: User | AnonymousUser, province_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return ScoringRole.objects.filter(
        user=user, role=ScoringRole.Role.COUNCIL, province_id=province_id
    ).exists()


def scorable_leads(user: User | AnonymousUser, assessment: Assessment) -> set[str] | None:
    """The lead keys whose items this user self-assesses; None means every item (the assessed unit's own
    scorer in a department or district assessment)."""
    units = scorer_unit_ids(user, assessment.campaign.province_id)
    if not units:
        return set()
    if assessment.unit_id is not None:
        return None if assessment.unit_id in units else set()
    return {key for key, unit_id in lead_units(assessment).items() if unit_id in units}


def may_score_item(leads: set[str] | None, item: SheetItem) -> bool:
    """Survey items are never entered by hand: their points come from the surveys."""
    return item.source != "survey" and (leads is None or item.lead in leads)


def can_appraise(user: User | AnonymousUser, assessment: Assessment) -> bool:
    return is_council(user, assessment.campaign.province_id)


def can_view(user: User | AnonymousUser, assessment: Assessment) -> bool:
    province_id = assessment.campaign.province_id
    return (
        is_council(user, province_id)
        or is_coordinator(user, province_id)
        or scorable_leads(user, assessment) != set()
    )


def visible_assessments(user: User | AnonymousUser, campaign: Campaign) -> list[Assessment]:
    """Current assessments first, then those replaced by a newer version of their tree (read-only)."""
    assessments = (
        Assessment.objects.filter(campaign=campaign)
        .select_related("tree", "unit", "campaign__province", "replaced_by__tree")
        .order_by(F("replaced_by").asc(nulls_first=True), "unit__name", "-tree__version")
    )
    return [a for a in assessments if can_view(user, a)]


def may_open_scoring(user: User | AnonymousUser, campaign: Campaign) -> bool:
    """The campaign's scoring page: whoever sees one of its assessments, and the appraisal council (which
    sees the page even before an assessment is opened). The navigation asks the same."""
    return is_council(user, campaign.province_id) or bool(visible_assessments(user, campaign))


def visible_campaigns(user: User | AnonymousUser) -> QuerySet[Campaign]:
    """Campaigns of the provinces where the user coordinates, is a focal point, or has a scoring role."""
    if not user.is_authenticated:
        return Campaign.objects.none()
    scoring_provinces = ScoringRole.objects.filter(user=user).values("province_id")
    return (registry_campaigns(user) | Campaign.objects.filter(province_id__in=scoring_provinces)).distinct()
