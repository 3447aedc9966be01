"""What the index dashboard and the SIPAS campaign page show: the figures (analysis.indices.as_dict,
sipas_summary) with chart geometry and readable labels for SIPAS parts, policy groups, service elements,
localities (communes/wards or districts, as the campaign's units are) and service areas."""

from django.utils.translation import gettext_lazy as _

from kit.charts import bars as charts
from respondents.models import Campaign, RespondentGroup, Unit
from surveys.models import Questionnaire

from .indices import CampaignIndices, as_dict
from .models import MarginSet
from .sipas.campaign import AREA_QUESTION, area_level, sipas_questionnaires
from .sipas.labels import method_description

LOCALITY_TITLES = {
    Unit.Kind.DISTRICT: _("By district"),
    Unit.Kind.COMMUNE: _("By commune or ward"),
}


def problem_text(problem: dict) -> str:
    """Why a question of the officials' survey is not scored, for people."""
    if problem.get("domain"):
        return _("Domain %(domain)s has no item scored by the officials' survey.") % {
            "domain": problem["domain"]
        }
    return _("“%(code)s” is not a code of the criteria tree.") % {"code": problem["feeds"]}


def labels(result: CampaignIndices) -> dict:
    """Names for the codes of the results: breakdowns (units, localities, service areas) and groups."""
    campaign = result.surveys.sipas_campaign
    level = area_level(campaign) if campaign else None
    return {
        "units": unit_names(result.campaign),
        "areas": area_names(campaign) if campaign else {},
        "groups": dict(RespondentGroup.objects.values_list("code", "name")),
        "by": {
            "unit": str(_("Unit")),
            "locality": str(LOCALITY_TITLES.get(level, _("By unit"))),
            "area": str(_("Service area")),
        },
    }


def unit_names(campaign: Campaign) -> dict[str, str]:
    return dict(Unit.objects.filter(province_id=campaign.province_id).values_list("code", "name"))


def area_names(campaign: Campaign) -> dict[str, str]:
    """{value: label} of the service areas the campaign's questionnaires ask about."""
    areas: dict[str, str] = {}
    for definition in Questionnaire.objects.filter(campaign=campaign).values_list("definition", flat=True):
        for section in definition["sections"]:
            for question in section["questions"]:
                if question["code"] == AREA_QUESTION:
                    areas |= {str(o["value"]): o["label"] for o in question["options"]}
    return areas


def dashboard_context(result: CampaignIndices) -> dict:
    data = as_dict(result)
    sipas = data["survey"]["sipas"]
    context = {
        "campaign": result.campaign,
        "data": data,
        "domain_chart": charts.score_bars(
            [(f"{d['code']}. {d['name']}", float(d["final"]), float(d["max"])) for d in data["domains"]]
        ),
        "trend_chart": charts.trend_line([(h["year"], float(h["index"])) for h in data.get("history", [])]),
        "sipas": sipas,
        "officials": data["survey"]["officials"],
        "group_names": dict(RespondentGroup.objects.values_list("code", "name")),
        "linked_explicitly": bool(result.campaign.sipas_campaign_id),
        "problems": [
            {**p, "reason": problem_text(p)} for p in (data["survey"]["officials"] or {}).get("problems", [])
        ],
    }
    if sipas and result.surveys.sipas_campaign:
        context |= sipas_context(sipas, result.surveys.sipas_campaign)
    return context


def sipas_context(sipas: dict, campaign: Campaign) -> dict:
    """Charts and labelled rows of one SIPAS summary (analysis.indices.sipas_summary) of `campaign`."""
    elements = sipas["elements"]
    policy = [e for e in elements if e["part"] == "policy"]
    service = [e for e in elements if e["part"] != "policy"]
    level = area_level(campaign)
    breakdowns = _breakdowns(campaign, sipas["breakdowns"])
    labels = _question_labels(campaign)
    sipas["method_label"] = method_description(sipas["method"], sipas.get("method_description", ""))
    margins = (sipas.get("weighting") or {}).get("margins") or {}
    if margins.get("calibration") in MarginSet.Calibration.values:
        sipas["calibration_label"] = MarginSet.Calibration(margins["calibration"]).label
    return {
        "sipas_campaign": campaign,
        "policy_elements": policy,
        "service_elements": service,
        "policy_chart": charts.percent_bars(policy),
        "element_chart": charts.percent_bars(service),
        "breakdowns": breakdowns,
        "breakdown_charts": {by: charts.percent_bars(rows) for by, rows in breakdowns.items()},
        "locality_title": LOCALITY_TITLES.get(level, _("By unit")),
        "perceptions": _labelled(sipas["perceptions"], labels),
        "needs": _labelled(sipas["needs"], labels),
    }


def _question_labels(campaign: Campaign) -> dict:
    """{question code: text} and {(question code, option value): label} of the SIPAS questionnaires."""
    labels: dict = {}
    for _pk, definition in sipas_questionnaires(campaign):
        for section in definition["sections"]:
            for question in section["questions"]:
                labels.setdefault(question["code"], question["text"])
                for option in question.get("options", []):
                    labels.setdefault((question["code"], str(option["value"])), option["label"])
    return labels


def _labelled(cells: list[dict], labels: dict) -> list[dict]:
    """Share cells grouped by question: [{question, text, options: [cell + label]}]."""
    grouped: dict[str, dict] = {}
    for cell in cells:
        code = cell["question"]
        entry = grouped.setdefault(code, {"question": code, "text": labels.get(code, code), "options": []})
        entry["options"].append({**cell, "label": labels.get((code, str(cell["option"])), cell["option"])})
    return list(grouped.values())


def _breakdowns(campaign: Campaign, cells: list[dict]) -> dict[str, list[dict]]:
    """SIPAS by locality (commune/ward or district of the interview) or unit, and by service area."""
    units, areas = unit_names(campaign), area_names(campaign)
    found: dict[str, list[dict]] = {}
    for cell in cells:
        names = units if cell["by"] in ("unit", "locality") else areas
        label = names.get(str(cell["group"]), str(cell["group"]) if cell["group"] is not None else "–")
        found.setdefault(cell["by"], []).append({**cell, "label": label})
    return found
