"""What the index dashboard shows: the campaign's figures (analysis.indices.as_dict) with chart geometry
and readable labels for SIPAS elements, units and service areas."""

from django.utils.translation import gettext_lazy as _

from kit.charts import bars as charts
from respondents.models import RespondentGroup, Unit
from surveys.models import Questionnaire

from .indices import CampaignIndices, as_dict

ELEMENTS = {
    "access": _("Access to services"),
    "procedure": _("Administrative procedures"),
    "staff": _("Civil servants handling the case"),
    "result": _("Results of the service"),
    "feedback": _("Feedback and complaints handling"),
    "overall": _("Overall satisfaction"),
}
AREA_QUESTION = "screening.area"


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
    }
    if sipas:
        elements = [{**e, "label": str(ELEMENTS.get(e["element"], e["element"]))} for e in sipas["elements"]]
        context["elements"] = elements
        context["element_chart"] = charts.percent_bars(elements)
        breakdowns = _breakdowns(result, sipas["breakdowns"])
        context["breakdowns"] = breakdowns
        context["breakdown_charts"] = {by: charts.percent_bars(rows) for by, rows in breakdowns.items()}
    return context


def _breakdowns(result: CampaignIndices, cells: list[dict]) -> dict[str, list[dict]]:
    """SIPAS by unit (district or department of the interview) and by service area, with names."""
    units = dict(Unit.objects.filter(province_id=result.campaign.province_id).values_list("code", "name"))
    areas = {}
    if result.surveys.sipas_campaign:
        for definition in Questionnaire.objects.filter(campaign=result.surveys.sipas_campaign).values_list(
            "definition", flat=True
        ):
            for section in definition["sections"]:
                for question in section["questions"]:
                    if question["code"] == AREA_QUESTION:
                        areas |= {str(o["value"]): o["label"] for o in question["options"]}
    found: dict[str, list[dict]] = {}
    for cell in cells:
        names = units if cell["by"] == "unit" else areas
        label = names.get(str(cell["group"]), str(cell["group"]))
        found.setdefault(cell["by"], []).append({**cell, "label": label})
    return found
