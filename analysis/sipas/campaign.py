"""SIPAS of a campaign: its citizen/organisation responses that count (fieldwork.selectors.counting_responses:
submitted, and for field interviews let through by review) read with values_list into a DataFrame
(stratum columns `unit` = the unit code of the interview, `area` = answer to screening.area), then the same
computation as the CSV path (analysis.sipas.compute)."""

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.statistics import Margin
from fieldwork.selectors import counting_responses
from respondents.models import Campaign
from surveys.models import Questionnaire

from .compute import SipasInputError, SipasResult, compute_sipas
from .inputs import elements_of_definition, read_margins_csv
from .methods import DEFAULT_METHOD, get_method

SIPAS_GROUPS = {"citizen", "organisation"}
AREA_QUESTION = "screening.area"


def sipas_questionnaires(campaign: Campaign) -> list[tuple[int, dict[str, Any]]]:
    """(id, definition) of the campaign's SIPAS questionnaires, current version first."""
    rows = Questionnaire.objects.filter(campaign=campaign).order_by("-is_current", "-version")
    return [
        (pk, definition)
        for pk, definition in rows.values_list("id", "definition")
        if SIPAS_GROUPS & set(definition.get("groups", [])) or elements_of_definition(definition)
    ]


def campaign_frame(campaign: Campaign, questionnaire_ids: list[int], items: list[str]) -> pd.DataFrame:
    """One row per counting response (index = response id), one column per item, plus unit and area; a
    field interview rejected in review (or not yet approved, by the campaign's setting) is left out."""
    rows = (
        counting_responses(campaign=campaign)
        .filter(questionnaire_id__in=questionnaire_ids)
        .values_list("id", "unit__code", "answers")
    )
    ids, units, answers = zip(*rows, strict=True) if rows else ((), (), ())
    frame = pd.DataFrame.from_records(list(answers), index=pd.Index(ids, name="response"))
    frame = frame.reindex(columns=list(dict.fromkeys([*items, *frame.columns])))
    frame["unit"] = pd.Series(units, index=frame.index, dtype="object")
    frame["area"] = frame[AREA_QUESTION] if AREA_QUESTION in frame.columns else None
    return frame


def campaign_sipas(
    campaign: Campaign,
    *,
    by: str | list[str] | None = None,
    margins: Path | str | list[Margin] | None = None,
    method: str = DEFAULT_METHOD,
    stratum: str | None = None,
) -> SipasResult:
    """SIPAS for a campaign; `by` names breakdown columns (unit, area or any question code), `margins` is a
    margins CSV (variable,category,population) or a list of Margin, `stratum` an optional stratum column."""
    chosen = get_method(method)
    questionnaires = sipas_questionnaires(campaign)
    elements: dict[str, list[str]] = {}
    for _, definition in questionnaires:
        for element, codes in elements_of_definition(definition).items():
            known = elements.setdefault(element, [])
            known.extend(code for code in codes if code not in known)
    if not questionnaires:
        raise SipasInputError(f"campaign {campaign.slug}: no SIPAS questionnaire")
    items = [code for codes in elements.values() for code in codes]
    frame = campaign_frame(campaign, [pk for pk, _ in questionnaires], items)
    if frame.empty:
        raise SipasInputError(f"campaign {campaign.slug}: no submitted SIPAS response yet")
    margins_source = "margins"
    if isinstance(margins, str | Path):
        margins_source = str(margins)
        margins = read_margins_csv(Path(margins))
    by_columns = [by] if isinstance(by, str) else list(by or [])
    return compute_sipas(
        frame,
        elements=elements,
        method=chosen,
        by=by_columns,
        margins=margins,
        weight=None,
        stratum=stratum,
        psu=None,
        source=f"campaign {campaign.slug} (row = response id)",
        margins_source=margins_source,
    )
