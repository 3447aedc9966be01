"""The index of a campaign: self-assessed and appraised points (scoring), the officials' survey points
(analysis.officials), the SIPAS points of domain 8 and the socio-economic indicators, joined into domain
scores, the 0–100 index, its band, rank, change against last year and the points lost (scoring.totals).

Queries read answers with values_list and hand DataFrames to the pure modules; no formula lives here.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from kit.text import match_key
from respondents.models import Campaign, Province, UnitSuccession
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
from .sipas.labels import element_label, part_label
from .sipas.methods import DEFAULT_METHOD as DEFAULT_SIPAS_METHOD
from .sipas.methods import part_of

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
    history_notes: list[str] = field(default_factory=list)  # years combined from merged predecessors
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
    campaign it is linked to (Campaign.sipas_campaign), else the SIPAS campaign of the same province and
    year (docs/decisions.md D207: SIPAS field work runs as its own campaign)."""
    if campaign.kind == Campaign.Kind.SIPAS_CITIZENS or sipas_questionnaires(campaign):
        return campaign
    if campaign.sipas_campaign_id:
        return campaign.sipas_campaign
    return (
        Campaign.objects.filter(
            province_id=campaign.province_id, year=campaign.year, kind=Campaign.Kind.SIPAS_CITIZENS
        )
        .order_by("slug")
        .first()
    )


def sipas_points(
    sipas_share: float | None,
    items: list[totals.Node],
    parts: dict[str, float] | None = None,
    item_parts: dict[str, str] | None = None,
) -> dict[str, Decimal]:
    """SIPAS enters domain 8 in proportion to its percentage (docs/methodology.md §3.4: 91.17% of 10 → 9.12):
    points = item maximum × share, each SIPAS item of the tree (scoring.rules.survey); the share is the
    weighted SIPAS part the item stands for (`item_parts`, docs/decisions.md D211), else the overall index."""
    parts, item_parts = parts or {}, item_parts or {}
    found = {}
    for item in items:
        share = parts.get(item_parts.get(item.code, ""), sipas_share)
        if share is None:
            continue
        percent = Decimal(repr(float(share))) * 100
        found[item.code] = survey(max_points=item.max_points, share=percent, places=2)
    return found


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
    sipas_method: str | None = None,
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
    item_parts = {n.code: part for n in sipas_items if (part := sipas_part_of_item(n.name))}
    from_sipas = sipas_points(overall_sipas(sipas), sipas_items, sipas_parts(sipas), item_parts)
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


def sipas_part_of_item(name: str) -> str | None:
    """The SIPAS part a tree item stands for, read from its name (docs/decisions.md D211): "chính sách"
    (policy) or "dịch vụ" (service delivery); None: the overall index."""
    key = match_key(name)
    if "chinh sach" in key:
        return "policy"
    if "dich vu" in key:
        return "service"
    return None


def sipas_parts(sipas: SipasResult | None) -> dict[str, float]:
    """{part: weighted estimate} of the whole sample (parts with an estimate only)."""
    if sipas is None or sipas.parts.empty:
        return {}
    whole = sipas.parts[sipas.parts["by"].isna() & ~sipas.parts["suppressed"].astype(bool)]
    return {row["part"]: float(row["estimate"]) for _, row in whole.iterrows() if pd.notna(row["estimate"])}


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
    sipas_method: str | None = None,
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
    if this.unit_id is None:
        for year, (index, tree) in list(history.items()):
            combined = _with_merged_predecessors(this, year, index, methods, found.history_notes)
            history[year] = (combined, tree)
    found.history = [*((y, i) for y, (i, _t) in sorted(history.items())), (this.campaign.year, found.index)]
    found.history_basis = {y: t.basis for y, (_i, t) in history.items()} | {
        this.campaign.year: this.tree.basis
    }
    if history:
        found.previous_year = max(history)
        found.previous_index, previous_tree = history[found.previous_year]
        found.change = totals.change(found.index, found.previous_index)
        found.change_across_trees = previous_tree.code != this.tree.code


def _with_merged_predecessors(
    this: Assessment, year: int, index: Decimal, methods: dict, notes: list
) -> Decimal:
    """A province's index of a year before a merger, made comparable: combined with the provinces merged
    into it later, weighted by the population their units brought (respondents.UnitSuccession), and said
    (docs/decisions.md D210); when a predecessor's index is not in the database, said too."""
    province = this.campaign.province
    after = datetime.date(year, 12, 31)
    rows = UnitSuccession.objects.filter(new__province=province, effective__gt=after).values_list(
        "former__province", "population"
    )
    populations: dict[int, int] = {}
    for former_province, population in rows:
        populations[former_province] = populations.get(former_province, 0) + (population or 0)
    others = {pk: people for pk, people in populations.items() if pk != province.pk}
    if not others:
        return index
    names = dict(Province.objects.filter(pk__in=others).values_list("pk", "name"))
    found, missing = [], []
    for pk, people in others.items():
        peer = (
            Assessment.objects.filter(
                unit__isnull=True, campaign__province_id=pk, campaign__year=year, tree__level=this.tree.level
            )
            .select_related("tree", "campaign__province")
            .first()
        )
        if peer is None or not people or not populations.get(province.pk):
            missing.append(names[pk])
        else:
            found.append((people, _index_with_surveys(peer, methods), names[pk]))
    if missing:
        notes.append(
            f"{year}: the index of the former {', '.join(sorted(missing))} (merged into {province.name} "
            f"later) "
            f"is not in the database; the {year} figure is the former {province.name}'s alone"
        )
    if not found:
        return index
    own = Decimal(populations[province.pk])
    total = own + sum(Decimal(p) for p, _, _ in found)
    combined = (own * index + sum(Decimal(p) * i for p, i, _ in found)) / total
    notes.append(
        f"{year}: combined with the former {', '.join(n for _, _, n in found)} (population-weighted), "
        f"as {province.name} is now"
    )
    return combined.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
    data["notes"] = result.surveys.notes + (main.history_notes if main else [])
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


def _number_or_none(value, places: int = 2) -> float | None:
    if value is None or pd.isna(value):
        return None
    return round(float(value), places)


def _cells(table: pd.DataFrame, extra: list[str]) -> list[dict]:
    """Cells in percent; `unweighted` (percent) and `deff` when the weighted result carries them."""
    cells = []
    for row in table.astype(object).where(table.notna(), None).to_dict("records"):
        cell = {
            **{key: row[key] for key in extra},
            "estimate": _percent_or_none(row["estimate"]),
            "se": _percent_or_none(row["se"]),
            "ci_low": _percent_or_none(row["ci_low"]),
            "ci_high": _percent_or_none(row["ci_high"]),
            "n": int(row["n"]),
            "suppressed": bool(row["suppressed"]),
        }
        if "unweighted" in row:
            cell["unweighted"] = _percent_or_none(row["unweighted"])
            cell["deff"] = _number_or_none(row["deff"])
        if "weighted_count" in row:
            cell["weighted_count"] = _number_or_none(row["weighted_count"], 0)
        cells.append(cell)
    return cells


def sipas_summary(sipas: SipasResult) -> dict:
    """A SIPAS result as plain data in percent: overall (with the method, and the other methods beside it),
    parts, policy groups, service elements (and the overall question), breakdown cells, perceptions and
    needs, and how it was weighted. Element codes are the `feeds:` codes without `sipas.`."""
    whole = sipas.sipas[sipas.sipas["by"].isna()]
    overall = _cells(whole, [])[0] if len(whole) else {}
    in_whole = {name: getattr(sipas, name) for name in ("parts", "elements", "alternatives", "shares")}
    in_whole = {name: t[t["by"].isna()] if len(t) else t for name, t in in_whole.items()}
    elements = _cells(in_whole["elements"], ["element"])
    for element in elements:
        element["part"] = part_of(element["element"])
        element["label"] = element_label(element["element"])
    parts = _cells(in_whole["parts"], ["part"]) if len(in_whole["parts"]) else []
    for part in parts:
        part["label"] = part_label(part["part"])
    shares = in_whole["shares"]
    return {
        "method": sipas.method.name,
        "method_description": sipas.method.description,
        "policy_weight": sipas.method.policy_weight,
        "respondents": sipas.respondents,
        "index": overall.get("estimate"),
        "se": overall.get("se"),
        "ci_low": overall.get("ci_low"),
        "ci_high": overall.get("ci_high"),
        "unweighted": overall.get("unweighted"),
        "deff": overall.get("deff"),
        "parts": parts,
        "elements": elements,
        "alternatives": _cells(in_whole["alternatives"], ["method"]) if len(in_whole["alternatives"]) else [],
        "breakdowns": _cells(sipas.sipas[sipas.sipas["by"].notna()], ["by", "group"]),
        "perceptions": _cells(shares[shares["kind"] == "perception"], ["question", "option"])
        if len(shares)
        else [],
        "needs": _cells(shares[shares["kind"] == "need"], ["question", "option"]) if len(shares) else [],
        "weighting": sipas.weighting,
        "notes": list(sipas.notes),
    }


def sipas_dict(inputs: SurveyInputs) -> dict | None:
    """SIPAS in percent with 95% intervals (sipas_summary), the campaign it comes from, and the points it
    gives domain 8."""
    sipas = inputs.sipas
    if sipas is None:
        return None
    linked = inputs.sipas_campaign
    return {
        "campaign": linked.slug if linked else None,
        "campaign_name": linked.name if linked else None,
        **sipas_summary(sipas),
        "points": inputs.sipas_points,
    }
