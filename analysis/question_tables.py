"""Tables of every question of a campaign: reads the responses and their weights, filters them, and hands
plain lists to the pure analysis/tables.py. The page (tables_views.py) and the workbook (tables_xlsx.py)
both draw from campaign_tables(), so they show the same figures. docs/decisions.md D328–D329."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from respondents.models import Campaign, RespondentGroup, Unit
from respondents.services.privacy import MIN_CELL, pseudonym
from surveys.models import Questionnaire, Response
from surveys.services.definitions import questions as definition_questions

from .selectors import person_names
from .sipas import sources
from .sipas.campaign import response_weights
from .tables import (
    FrequencyTable,
    KnownNames,
    NumericSummary,
    frequencies,
    groups_of,
    mask_contacts,
    numeric_summary,
    select,
)

CHOICE_TYPES = {"single", "scale", "multiple"}
WEIGHTING_LABELS = {
    "calibrated": gettext_lazy("Design weights calibrated to the population margins"),
    "design": gettext_lazy("Design weights of the sample"),
    "equal": gettext_lazy("No weights (every response counts 1)"),
}
NO_ANSWER = gettext_lazy("(no answer)")


@dataclass(frozen=True)
class TextAnswer:
    who: str  # a pseudonym for analysts, the name for those who see personal data
    text: str


@dataclass
class QuestionTables:
    code: str
    text: str
    type: str
    section: str
    overall: FrequencyTable | NumericSummary | None = None
    breakdown: list[FrequencyTable] | list[NumericSummary] = field(default_factory=list)
    texts: list[TextAnswer] = field(default_factory=list)
    texts_hidden: bool = False  # fewer answers than MIN_CELL: not listed for analysts

    @property
    def is_choice(self) -> bool:
        return self.type in CHOICE_TYPES


@dataclass
class CampaignTables:
    campaign: Campaign
    questionnaire: Questionnaire | None
    questionnaires: list[Questionnaire]
    breakdown: str
    breakdown_label: str
    breakdowns: list[tuple[str, str]]
    group: str
    groups: list[tuple[str, str]]
    weighting: str
    responses: int
    questions: list[QuestionTables] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suppress: bool = True

    @property
    def weighting_label(self) -> str:
        return str(WEIGHTING_LABELS[self.weighting])


def _options(question: dict[str, Any], scales: dict[str, Any]) -> list[tuple[str, str]]:
    choices = (
        scales.get(question.get("scale", ""), [])
        if question["type"] == "scale"
        else question.get("options", [])
    )
    return [(str(o["value"]), str(o.get("label", o["value"]))) for o in choices]


def _missing(question: dict[str, Any], scales: dict[str, Any]) -> set[str]:
    choices = (
        scales.get(question.get("scale", ""), [])
        if question["type"] == "scale"
        else question.get("options", [])
    )
    return {str(o["value"]) for o in choices if o.get("missing")}


def _responses(campaign: Campaign):
    if campaign.kind == Campaign.Kind.SIPAS_CITIZENS:
        return sources.counting_responses(campaign=campaign)
    return Response.objects.filter(campaign=campaign, status=Response.Status.SUBMITTED)


def campaign_tables(
    *,
    campaign: Campaign,
    questionnaire_id: int | None = None,
    breakdown: str = "",
    group: str = "",
    personal: bool = False,
    suppress: bool = True,
) -> CampaignTables:
    """Every question of one questionnaire of the campaign (the current one unless asked), over its counting
    responses, weighted as the SIPAS pipeline weights them (weight 1 without one), optionally for one
    respondent group and broken down by unit, group, mode or a single-choice question. `suppress` hides
    cells of fewer than MIN_CELL respondents; without `personal` free text is masked and pseudonymised."""
    questionnaires = list(
        Questionnaire.objects.filter(campaign=campaign).order_by("-is_current", "code", "-version")
    )
    questionnaire = next((q for q in questionnaires if q.pk == questionnaire_id), None) or (
        questionnaires[0] if questionnaires else None
    )
    groups = sorted(
        RespondentGroup.objects.filter(respondents__campaign=campaign).distinct().values_list("code", "name")
    )
    result = CampaignTables(
        campaign,
        questionnaire,
        questionnaires,
        "",
        "",
        [],
        group if group in dict(groups) else "",
        groups,
        "equal",
        0,
    )
    result.suppress = suppress
    if questionnaire is None:
        return result
    definition = questionnaire.definition
    scales = definition.get("scales", {})
    asked = [
        q for q in definition_questions(definition) if q.get("type") in CHOICE_TYPES | {"number", "text"}
    ]
    section_of = {q["code"]: s.get("title", "") for s in definition["sections"] for q in s["questions"]}
    result.breakdowns = [
        ("", _("No breakdown")),
        ("unit", _("Unit or area")),
        ("mode", _("Mode of answering")),
    ]
    if groups:
        result.breakdowns.append(("group", _("Respondent group")))
    result.breakdowns += [
        (f"q:{q['code']}", q.get("text", q["code"])) for q in asked if q["type"] in {"single"}
    ]
    result.breakdown = breakdown if breakdown in dict(result.breakdowns) else ""
    result.breakdown_label = dict(result.breakdowns)[result.breakdown]

    rows = _responses(campaign).filter(questionnaire=questionnaire).order_by("pk")
    if result.group:
        rows = rows.filter(invitation__respondent__group__code=result.group)
    records = list(
        rows.values_list(
            "pk",
            "answers",
            "unit__code",
            "mode",
            "invitation__respondent__group__code",
            "invitation__respondent_id",
            "invitation__respondent__full_name",
        )
    )
    weights_by_id, result.weighting = (
        response_weights(campaign) if campaign.kind == Campaign.Kind.SIPAS_CITIZENS else (None, "equal")
    )
    if weights_by_id is not None:
        left_out = sum(1 for r in records if r[0] not in weights_by_id.index)
        if left_out:
            result.notes.append(
                _("%(n)s responses have no design weight (outside the drawn sample) and are left out.")
                % {"n": left_out}
            )
        records = [r for r in records if r[0] in weights_by_id.index]
        weights = [float(weights_by_id[r[0]]) for r in records]
    else:
        weights = [1.0] * len(records)
    result.responses = len(records)
    answers = [r[1] or {} for r in records]

    unit_names = dict(Unit.objects.filter(province_id=campaign.province_id).values_list("code", "name"))
    modes = dict(Response.Mode.choices)
    keys, labels = _breakdown_keys(
        result.breakdown, records, answers, asked, scales, unit_names, modes, dict(groups)
    )
    min_cell = MIN_CELL if suppress else 0
    known: KnownNames | None = None  # read once, when the first free-text answers are shown to an analyst
    for question in asked:
        code, kind = question["code"], question["type"]
        values = [a.get(code) for a in answers]
        table = QuestionTables(code, question.get("text", code), kind, section_of.get(code, ""))
        if kind in CHOICE_TYPES:
            options = _options(question, scales)
            missing = _missing(question, scales)
            multiple = kind == "multiple"
            table.overall = frequencies(
                values, weights, options, multiple=multiple, missing=missing, min_cell=min_cell
            )
            if keys is not None:
                table.breakdown = [
                    frequencies(
                        select(values, keys, key),
                        select(weights, keys, key),  # type: ignore[arg-type]
                        options,
                        multiple=multiple,
                        missing=missing,
                        min_cell=min_cell,
                        key=key,
                        label=labels.get(key, key) or str(NO_ANSWER),
                    )
                    for key in groups_of(keys)
                ]
        elif kind == "number":
            table.overall = numeric_summary(values, weights, min_cell=min_cell)
            if keys is not None:
                table.breakdown = [
                    numeric_summary(
                        select(values, keys, key),
                        select(weights, keys, key),  # type: ignore[arg-type]
                        min_cell=min_cell,
                        key=key,
                        label=labels.get(key, key) or str(NO_ANSWER),
                    )
                    for key in groups_of(keys)
                ]
        else:
            given = [
                (r, str(v).strip()) for r, v in zip(records, values, strict=True) if v and str(v).strip()
            ]
            table.texts_hidden = suppress and 0 < len(given) < MIN_CELL
            if not table.texts_hidden:
                if given and not personal and known is None:
                    known = KnownNames(person_names(campaign))
                table.texts = [_text_answer(r, text, personal=personal, known=known) for r, text in given]
        result.questions.append(table)
    return result


def _text_answer(record: tuple, text: str, *, personal: bool, known: KnownNames | None) -> TextAnswer:
    pk, _answers, _unit, _mode, _group, respondent_id, full_name = record
    if personal:
        return TextAnswer(full_name or f"#{pk}", text)
    who = pseudonym(respondent_id) if respondent_id else f"P-{pk}"
    return TextAnswer(who, mask_contacts(text, [full_name] if full_name else [], known=known))


def _breakdown_keys(
    breakdown: str,
    records: list[tuple],
    answers: list[dict],
    asked: list[dict],
    scales: dict,
    unit_names: dict[str, str],
    modes: dict[str, str],
    group_names: dict[str, str],
) -> tuple[list[object] | None, dict[str, str]]:
    if not breakdown:
        return None, {}
    if breakdown == "unit":
        return [r[2] for r in records], unit_names
    if breakdown == "mode":
        return [r[3] for r in records], {k: str(v) for k, v in modes.items()}
    if breakdown == "group":
        return [r[4] for r in records], group_names
    code = breakdown.removeprefix("q:")
    question = next(q for q in asked if q["code"] == code)
    return [a.get(code) for a in answers], dict(_options(question, scales))
