"""The index of a campaign: self-assessed and appraised points (scoring), the officials' survey points
(analysis.officials), the SIPAS points of domain 8 and the socio-economic indicators, joined into domain
scores, the 0–100 index, its band, rank, change against last year and the points lost (scoring.totals).

Queries read answers with values_list and hand DataFrames to the pure modules; no formula lives here.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from respondents.models import Campaign
from scoring import totals
from scoring.models import Assessment
from scoring.rules import survey
from scoring.selectors import ScoreSheet, final_scores, score_sheet, tree_nodes
from scoring.survey_points import SurveyPoints
from surveys.models import Questionnaire, Response

from . import officials
from .models import IndexSettings
from .sipas import SipasInputError, SipasResult
from .sipas.campaign import SIPAS_GROUPS, campaign_sipas, sipas_questionnaires
from .sipas.methods import DEFAULT_METHOD as DEFAULT_SIPAS_METHOD

ZERO = Decimal(0)


@dataclass
class SurveyInputs:
    """What the surveys of one campaign give the index: points per survey item, with their sources."""

    points: dict[str, Decimal]
    officials: officials.OfficialsResult | None
    sipas: SipasResult | None
    sipas_campaign: Campaign | None
    sipas_points: dict[str, Decimal]
    notes: list[str] = field(default_factory=list)
    method: officials.OfficialsMethod | None = None  # the officials' conversion used


@dataclass
class DomainRow:
    code: str
    name: str
    max_points: Decimal
    self_points: Decimal | None  # entered by lead departments (computed indicators included)
    appraised: Decimal | None  # the council's points where it appraised
    survey: Decimal | None  # officials' survey and SIPAS points
    final: Decimal  # appraised else self, plus survey points

    @property
    def share(self) -> Decimal:
        """Points over maximum in percent: the domain's component index (docs/methodology.md §1.5)."""
        if not self.max_points:
            return ZERO
        return (self.final / self.max_points * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class AssessmentIndex:
    assessment: Assessment
    name: str
    index: Decimal
    points: Decimal
    max_points: Decimal
    band: str
    domains: list[DomainRow]
    points_lost: list[totals.PointsLost]
    final_points: dict[str, Decimal | None]
    sheet: ScoreSheet  # what the index was computed from (the report's domain sheets show it)
    rank: int | None = None
    rank_of: int = 0
    previous_index: Decimal | None = None
    previous_year: int | None = None
    change: Decimal | None = None
    history: list[tuple[int, Decimal]] = field(default_factory=list)  # (year, index), oldest first
    history_basis: dict[int, str] = field(default_factory=dict)  # year → decision and tree version
    change_across_trees: bool = False  # last year was scored under another criteria set


@dataclass
class CampaignIndices:
    campaign: Campaign
    surveys: SurveyInputs
    province: AssessmentIndex | None
    units: list[AssessmentIndex]  # departments and districts (the province's own index), ranked
    standing: object = None  # analysis.standing.Standing, or None without a published table

    @property
    def main(self) -> AssessmentIndex | None:
        return self.province or (self.units[0] if self.units else None)


# --- surveys ---------------------------------------------------------------------------------------------


def officials_frame(campaign: Campaign, questionnaire_ids: list[int]) -> pd.DataFrame:
    """One row per submitted response of the officials: `group`, `questionnaire`, then `<id>:<question>`
    columns (question codes are prefixed by the questionnaire id since two files may share codes)."""
    rows = list(
        Response.objects.filter(
            campaign=campaign, questionnaire_id__in=questionnaire_ids, status=Response.Status.SUBMITTED
        ).values_list("questionnaire_id", "invitation__respondent__group__code", "answers")
    )
    if not rows:
        return pd.DataFrame(columns=[officials.GROUP_COLUMN, "questionnaire"])
    frames = []
    table = pd.DataFrame(rows, columns=["questionnaire", officials.GROUP_COLUMN, "answers"])
    for qid, part in table.groupby("questionnaire", sort=True):
        answers = pd.DataFrame.from_records(list(part["answers"]), index=part.index).add_prefix(f"{qid}:")
        frames.append(pd.concat([part[["questionnaire", officials.GROUP_COLUMN]], answers], axis=1))
    frame = pd.concat(frames)
    frame[officials.GROUP_COLUMN] = frame[officials.GROUP_COLUMN].fillna("")
    return frame


def officials_survey(
    campaign: Campaign, domains: list[totals.Node], method: officials.OfficialsMethod
) -> officials.OfficialsResult | None:
    """The officials' survey points of a campaign (None when it has no officials' questionnaire)."""
    definitions = [
        (pk, definition)
        for pk, definition in Questionnaire.objects.filter(campaign=campaign).values_list("id", "definition")
        if not SIPAS_GROUPS & set(definition.get("groups", []))
    ]
    if not definitions:
        return None
    mapping: dict[str, list[str]] = {}
    bounds: dict = {}
    problems: list[officials.FeedsProblem] = []
    seen_problems = set()
    for pk, definition in definitions:
        found, found_problems = officials.resolve_feeds(definition, domains, method)
        mapping |= {f"{pk}:{q}": items for q, items in found.items()}
        bounds |= {f"{pk}:{q}": b for q, b in officials.scale_bounds(definition).items()}
        for p in found_problems:  # versions of one file repeat their problems: report each once
            key = (p.questionnaire, p.question, p.feeds)
            if key not in seen_problems:
                seen_problems.add(key)
                problems.append(p)
    frame = officials_frame(campaign, [pk for pk, _ in definitions])
    return officials.officials_points(
        frame,
        question_items=mapping,
        bounds=bounds,
        items=officials.officials_items(domains, method),
        method=method,
        problems=problems,
    )


def sipas_campaign_for(campaign: Campaign) -> Campaign | None:
    """The campaign whose SIPAS feeds this one: itself when it has a SIPAS questionnaire, else the SIPAS
    campaign of the same province and year (docs/decisions.md D25: field work runs as its own campaign)."""
    if campaign.kind == Campaign.Kind.SIPAS_CITIZENS or sipas_questionnaires(campaign):
        return campaign
    return (
        Campaign.objects.filter(
            province_id=campaign.province_id, year=campaign.year, kind=Campaign.Kind.SIPAS_CITIZENS
        )
        .order_by("slug")
        .first()
    )


def sipas_points(sipas_share: float | None, items: list[totals.Node]) -> dict[str, Decimal]:
    """SIPAS enters domain 8 in proportion to its percentage (docs/methodology.md §3.4: 91.17% of 10 → 9.12):
    points = item maximum × SIPAS share, each SIPAS item of the tree (scoring.rules.survey)."""
    if sipas_share is None:
        return {}
    percent = Decimal(repr(float(sipas_share))) * 100
    return {item.code: survey(max_points=item.max_points, share=percent, places=2) for item in items}


def campaign_officials_method(campaign: Campaign) -> str:
    """The conversion of the officials' answers the campaign chose (index settings), else the default."""
    chosen = (
        IndexSettings.objects.filter(campaign=campaign).values_list("officials_method", flat=True).first()
    )
    return chosen if chosen in officials.METHODS else officials.DEFAULT_METHOD


def survey_inputs(
    campaign: Campaign,
    domains: list[totals.Node],
    *,
    officials_method: str | None = None,
    sipas_method: str = DEFAULT_SIPAS_METHOD,
    sipas_by: list[str] | None = None,
) -> SurveyInputs:
    """The survey points of a campaign's province assessment: the one computation behind the dashboard, the
    report, compute_indices and the scoring overview (docs/decisions.md D159)."""
    method = officials.get_method(officials_method or campaign_officials_method(campaign))
    notes = []
    result = officials_survey(campaign, domains, method)
    if result is None:
        notes.append("no officials' questionnaire in the campaign")
    sipas_campaign = sipas_campaign_for(campaign)
    sipas = None
    if sipas_campaign is None:
        notes.append("no SIPAS campaign for this province and year")
    else:
        try:
            sipas = campaign_sipas(sipas_campaign, method=sipas_method, by=sipas_by)
        except SipasInputError as exc:
            notes.append(str(exc))
    sipas_items = [n for n in totals.leaves(domains) if n.scored_by == "survey" and n.survey == "sipas"]
    from_sipas = sipas_points(overall_sipas(sipas), sipas_items)
    points = (result.points() if result else {}) | from_sipas
    return SurveyInputs(points, result, sipas, sipas_campaign, from_sipas, notes, method)


def assessment_survey_points(assessment: Assessment) -> SurveyPoints:
    """The survey points of one assessment, for scoring's pages (registered in analysis/apps.py)."""
    if assessment.unit_id is not None:
        return SurveyPoints()
    inputs = survey_inputs(assessment.campaign, tree_nodes(assessment.tree))
    return SurveyPoints(
        points=inputs.points,
        officials_method=inputs.method.name,
        sipas_method=inputs.sipas.method.name if inputs.sipas else DEFAULT_SIPAS_METHOD,
        notes=inputs.notes,
    )


def overall_sipas(sipas: SipasResult | None) -> float | None:
    if sipas is None:
        return None
    whole = sipas.sipas[sipas.sipas["by"].isna()]
    if whole.empty or bool(whole.iloc[0]["suppressed"]) or pd.isna(whole.iloc[0]["estimate"]):
        return None
    return float(whole.iloc[0]["estimate"])


# --- totals ----------------------------------------------------------------------------------------------


def assessment_index(assessment: Assessment, survey_points: dict[str, Decimal]) -> AssessmentIndex:
    """Domain rows, index, band and points lost of one assessment; survey items take `survey_points`."""
    domains = tree_nodes(assessment.tree)
    sheet = score_sheet(assessment)
    final = final_scores(sheet, survey_points)
    tree_total = totals.tree_totals(domains, final)
    rows = []
    for group, node in zip(sheet.domains, tree_total.domains, strict=True):
        surveyed = [
            survey_points[i.code] for i in group.items if i.source == "survey" and i.code in survey_points
        ]
        rows.append(
            DomainRow(
                code=group.code,
                name=group.name,
                max_points=group.max_points,
                self_points=group.self_total,
                appraised=group.appraised_total,
                survey=sum(surveyed, ZERO) if surveyed else None,
                final=node.points,
            )
        )
    return AssessmentIndex(
        assessment=assessment,
        name=assessment.assessed_name,
        index=tree_total.index,
        points=tree_total.points,
        max_points=tree_total.max_points,
        band=totals.band(tree_total.index, assessment.tree.bands) if assessment.tree.bands else "",
        domains=rows,
        points_lost=totals.points_lost(domains, final),
        final_points=final,
        sheet=sheet,
    )


def campaign_indices(
    campaign: Campaign,
    *,
    officials_method: str | None = None,
    sipas_method: str = DEFAULT_SIPAS_METHOD,
    sipas_by: list[str] | None = None,
    with_history: bool = True,
) -> CampaignIndices:
    """Every current assessment of a campaign with its index (assessments replaced by a newer version of
    their tree are left out); departments and districts ranked among the campaign's own; the province's
    standing among all provinces from the Ministry's published tables (analysis.standing); change and
    history from earlier campaigns of the same province and kind, each year with its criteria set."""
    assessments = list(
        Assessment.objects.filter(campaign=campaign, replaced_by__isnull=True).select_related(
            "tree", "unit", "campaign__province"
        )
    )
    province_assessment = next((a for a in assessments if a.unit_id is None), None)
    domains = tree_nodes(province_assessment.tree) if province_assessment else []
    inputs = survey_inputs(
        campaign, domains, officials_method=officials_method, sipas_method=sipas_method, sipas_by=sipas_by
    )
    # Decided: the surveys describe the province, so only the province's assessment takes survey points.
    province = assessment_index(province_assessment, inputs.points) if province_assessment else None
    units = [assessment_index(a, {}) for a in assessments if a.unit_id is not None]
    methods = {"officials_method": inputs.method.name, "sipas_method": sipas_method}
    ranks = totals.rank({u.assessment.pk: u.index for u in units})
    for unit in units:
        unit.rank, unit.rank_of = ranks[unit.assessment.pk], len(units)
    units.sort(key=lambda u: (u.rank or 0, u.name))
    if with_history:
        for found in ([province] if province else []) + units:
            _history(found, methods)
    result = CampaignIndices(campaign=campaign, surveys=inputs, province=province, units=units)
    result.standing = province_standing(result)
    return result


def province_standing(result: CampaignIndices):
    """Where the province stands among all provinces (None without a published table for its year)."""
    from .published import mergers, national_tables
    from .standing import province_key, standing

    tables = national_tables()
    if not tables or result.province is None:
        return None
    merged = mergers()
    name = result.campaign.province.name
    return standing(
        tables=tables,
        campaign_year=result.campaign.year,
        name=name,
        computed=result.province.index,
        components={d.code: d.share for d in result.province.domains},
        predecessors=merged["provinces"].get(province_key(name), []),
        merged_from_year=merged["from_year"],
    )


def _index_with_surveys(assessment: Assessment, methods: dict) -> Decimal:
    points = {}
    if assessment.unit_id is None:
        points = survey_inputs(
            assessment.campaign,
            tree_nodes(assessment.tree),
            officials_method=campaign_officials_method(assessment.campaign),
            sipas_method=methods["sipas_method"],
        ).points
    return assessment_index(assessment, points).index


def _history(found: AssessmentIndex, methods: dict) -> None:
    """Indices of the same province (or unit) in earlier campaigns of the same kind, each computed with its
    own campaign's criteria set and conversion; change = against the latest earlier year with an assessment
    (docs/methodology.md §8.2: merged units have no earlier one). A change across criteria sets is flagged."""
    this = found.assessment
    earlier = (
        Assessment.objects.filter(
            campaign__province_id=this.campaign.province_id,
            campaign__kind=this.campaign.kind,
            campaign__year__lt=this.campaign.year,
            unit_id=this.unit_id,
            tree__level=this.tree.level,
            replaced_by__isnull=True,
        )
        .select_related("tree", "campaign__province", "unit")
        .order_by("campaign__year")
    )
    history = {}
    for assessment in earlier:
        history[assessment.campaign.year] = (_index_with_surveys(assessment, methods), assessment.tree)
    found.history = [*((y, i) for y, (i, _t) in sorted(history.items())), (this.campaign.year, found.index)]
    found.history_basis = {y: t.basis for y, (_i, t) in history.items()} | {
        this.campaign.year: this.tree.basis
    }
    if history:
        found.previous_year = max(history)
        found.previous_index, previous_tree = history[found.previous_year]
        found.change = totals.change(found.index, found.previous_index)
        found.change_across_trees = previous_tree.code != this.tree.code


# --- plain data for the command, the dashboard and the workbook ---------------------------------------


def as_dict(result: CampaignIndices) -> dict:
    """The campaign's index as plain data (Decimals kept; the command turns them into JSON numbers)."""
    main = result.main
    data: dict = {"campaign": result.campaign.slug, "year": result.campaign.year}
    data |= _index_dict(main) if main else {"index": None, "band": "", "rank": None, "change": None}
    data["domains"] = [
        {
            "code": d.code,
            "name": d.name,
            "max": d.max_points,
            "self": d.self_points,
            "appraised": d.appraised,
            "survey": d.survey,
            "final": d.final,
            "share": d.share,
        }
        for d in (main.domains if main else [])
    ]
    data["survey"] = {
        "sipas": sipas_dict(result.surveys),
        "officials": result.surveys.officials.to_dict() if result.surveys.officials else None,
    }
    data["points_lost"] = [
        {"code": p.code, "name": p.name, "max": p.max_points, "points": p.points, "lost": p.lost}
        for p in (main.points_lost if main else [])
    ]
    data["units"] = [_index_dict(u) for u in result.units if u is not main]
    data["notes"] = result.surveys.notes
    data["basis"] = basis_dict(result)
    data["standing"] = standing_dict(result.standing)
    if main is result.province and main is not None:
        # The province's rank is its standing among all provinces, never among the assessments stored here.
        standing = result.standing
        data["rank"], data["rank_of"] = (standing.rank, standing.provinces) if standing else (None, 0)
    return data


def basis_dict(result: CampaignIndices) -> dict:
    """What every figure of the campaign rests on: the decision, the criteria set and its version, and the
    named conversions of the surveys (printed on the dashboard, the report and the command's output)."""
    main = result.main
    tree = main.assessment.tree if main else None
    method = result.surveys.method
    sipas = result.surveys.sipas
    return {
        "decision": tree.decision if tree else "",
        "tree": tree.code if tree else "",
        "tree_version": tree.version if tree else None,
        "tree_title": tree.title if tree else "",
        "tree_label": tree.basis if tree else "",
        "confirmed": not tree.nodes.filter(confirmed=False).exists() if tree else None,
        "officials_method": method.name if method else "",
        "officials_description": method.description if method else "",
        "sipas_method": sipas.method.name if sipas else "",
    }


def standing_dict(standing) -> dict | None:
    if standing is None:
        return None
    return {
        "year": standing.table_year,
        "source": standing.source,
        "illustrative": standing.illustrative,
        "official": standing.official,
        "index": standing.figure,
        "computed": standing.computed,
        "rank": standing.rank,
        "provinces": standing.provinces,
        "mean": standing.mean,
        "leader": standing.leader,
        "leader_index": standing.leader_index,
        "to_leader": standing.to_leader,
        "group_a": standing.in_group_a,
        "to_group_a": standing.to_group_a,
        "previous": {
            "year": standing.previous_year,
            "index": standing.previous,
            "source": standing.previous_source,
            "combined_from": standing.previous_combined,
            "weights": standing.combined_weights,
        }
        if standing.previous is not None
        else None,
        "change": standing.change,
        "merged": bool(standing.merged_note),
        "components": [{"code": g.code, "own": g.own, "mean": g.mean, "gap": g.gap} for g in standing.gaps],
        "losses": [{"code": g.code, "own": g.own, "mean": g.mean, "gap": g.gap} for g in standing.losses[:3]],
    }


def _index_dict(found: AssessmentIndex) -> dict:
    return {
        "assessed": found.name,
        "unit": found.assessment.unit.code if found.assessment.unit else None,
        "tree": found.assessment.tree.code,
        "tree_version": found.assessment.tree.version,
        "basis": found.assessment.tree.basis,
        "index": found.index,
        "points": found.points,
        "max": found.max_points,
        "band": found.band,
        "rank": found.rank,
        "rank_of": found.rank_of,
        "change": found.change,
        "previous": {
            "year": found.previous_year,
            "index": found.previous_index,
            "basis": found.history_basis.get(found.previous_year, ""),
            "across_trees": found.change_across_trees,
        }
        if found.previous_year
        else None,
        "history": [
            {"year": year, "index": index, "basis": found.history_basis.get(year, "")}
            for year, index in found.history
        ],
    }


def _percent_or_none(value) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value) * 100, 2)


def _cells(table: pd.DataFrame, extra: list[str]) -> list[dict]:
    return [
        {
            **{key: row[key] for key in extra},
            "estimate": _percent_or_none(row["estimate"]),
            "ci_low": _percent_or_none(row["ci_low"]),
            "ci_high": _percent_or_none(row["ci_high"]),
            "n": int(row["n"]),
            "suppressed": bool(row["suppressed"]),
        }
        for row in table.astype(object).where(table.notna(), None).to_dict("records")
    ]


def sipas_dict(inputs: SurveyInputs) -> dict | None:
    """SIPAS in percent with 95% intervals: overall, per element, per breakdown cell (suppressed below the
    method's minimum respondents), and the points it gives domain 8."""
    sipas = inputs.sipas
    if sipas is None:
        return None
    whole = sipas.sipas[sipas.sipas["by"].isna()]
    overall = _cells(whole, [])[0] if len(whole) else {}
    elements = sipas.elements[sipas.elements["by"].isna()]
    return {
        "campaign": inputs.sipas_campaign.slug if inputs.sipas_campaign else None,
        "method": sipas.method.name,
        "respondents": sipas.respondents,
        "index": overall.get("estimate"),
        "ci_low": overall.get("ci_low"),
        "ci_high": overall.get("ci_high"),
        "elements": _cells(elements, ["element"]),
        "breakdowns": _cells(sipas.sipas[sipas.sipas["by"].notna()], ["by", "group"]),
        "points": inputs.sipas_points,
    }
