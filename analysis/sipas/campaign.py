"""SIPAS of a campaign: the interviews that count (analysis.sipas.sources), weighted from the sample design
and calibrated to the campaign's confirmed population margins, computed with the campaign's method; the
unweighted figures and design effects beside them. The same computation as the CSV path
(analysis.sipas.compute); only the reading of the ORM lives here.

Columns added to the answers: `unit` (code of the interview's unit), `area` (answer to screening.area),
`locality` (the interview's commune/ward or district, as the campaign's units have them).
"""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.models import MarginSet, SipasMethodChoice
from analysis.statistics import Margin
from respondents.models import Campaign, Unit
from surveys.models import Questionnaire

from . import sources
from .compute import SipasInputError, SipasResult, calibrated_weights, compute_sipas, with_unweighted
from .inputs import categorical_of_definition, elements_of_definition, read_margins_csv
from .methods import SipasMethod, default_method_for, get_method
from .shares import CategoricalQuestion

SIPAS_GROUPS = {"citizen", "organisation"}
AREA_QUESTION = "screening.area"
GENDER_QUESTION = "background.gender"
AGE_QUESTION = "background.age_group"
CELL_COLUMN = "_gender_age"


def sipas_questionnaires(campaign: Campaign) -> list[tuple[int, dict[str, Any]]]:
    """(id, definition) of the campaign's SIPAS questionnaires, current version first."""
    rows = Questionnaire.objects.filter(campaign=campaign).order_by("-is_current", "-version")
    return [
        (pk, definition)
        for pk, definition in rows.values_list("id", "definition")
        if SIPAS_GROUPS & set(definition.get("groups", [])) or elements_of_definition(definition)
    ]


def area_level(campaign: Campaign) -> str:
    """ "district" when the campaign's units have districts (before 1 July 2025), else "commune"."""
    kinds = set(campaign.units.values_list("kind", flat=True))
    return Unit.Kind.DISTRICT if Unit.Kind.DISTRICT in kinds else Unit.Kind.COMMUNE


def campaign_frame(campaign: Campaign, questionnaire_ids: list[int], items: list[str]) -> pd.DataFrame:
    """One row per counting response (index = response id), one column per item, plus unit, locality and
    area."""
    rows = (
        sources.counting_responses(campaign=campaign)
        .filter(questionnaire_id__in=questionnaire_ids)
        .order_by("pk")
        .values_list("id", "unit__code", "unit__kind", "unit__parent__code", "answers")
    )
    ids, units, kinds, parents, answers = zip(*rows, strict=True) if rows else ((), (), (), (), ())
    frame = pd.DataFrame.from_records(list(answers), index=pd.Index(ids, name="response"))
    frame = frame.reindex(columns=list(dict.fromkeys([*items, *frame.columns])))
    frame["unit"] = pd.Series(units, index=frame.index, dtype="object")
    district_level = area_level(campaign) == Unit.Kind.DISTRICT
    # A commune interview counts under its district in a campaign that still has districts.
    locality = [
        parent if district_level and kind == Unit.Kind.COMMUNE and parent else unit
        for unit, kind, parent in zip(units, kinds, parents, strict=True)
    ]
    frame["locality"] = pd.Series(locality, index=frame.index, dtype="object")
    frame["area"] = frame[AREA_QUESTION] if AREA_QUESTION in frame.columns else None
    return frame


def campaign_method(campaign: Campaign, elements: dict[str, list[str]]) -> tuple[SipasMethod, str]:
    """(method, where it comes from): the campaign's confirmed choice, else the default for its
    questionnaire (1001 with a policy part, sipas-2023 for the first version; docs/decisions.md D204)."""
    choice = (
        SipasMethodChoice.objects.filter(campaign=campaign, status=SipasMethodChoice.Status.CONFIRMED)
        .order_by("-decided_at", "-pk")
        .first()
    )
    if choice is None:
        return get_method(default_method_for(elements)), "default"
    weight = float(choice.policy_weight) if choice.policy_weight is not None else None
    return get_method(choice.method).with_parameters(policy_weight=weight), "campaign"


def confirmed_margins(campaign: Campaign) -> MarginSet | None:
    return (
        MarginSet.objects.filter(campaign=campaign, status=MarginSet.Status.CONFIRMED)
        .order_by("-decided_at", "-pk")
        .first()
    )


def calibration_margins(margin_set: MarginSet) -> list[Margin]:
    """The population totals calibrated to: gender × age-group cells summed over the table's areas
    (post-stratification), or the gender and the age-group totals (raking); docs/decisions.md D206."""
    cells = pd.DataFrame(
        margin_set.cells.values_list("gender", "age_group", "population"),
        columns=["gender", "age_group", "population"],
    )
    if margin_set.calibration == MarginSet.Calibration.RAKING:
        return [
            Margin(question, str(category), float(total))
            for question, column in ((GENDER_QUESTION, "gender"), (AGE_QUESTION, "age_group"))
            for category, total in cells.groupby(column)["population"].sum().items()
        ]
    totals = cells.groupby(["gender", "age_group"])["population"].sum()
    return [
        Margin(CELL_COLUMN, f"{gender}|{age}", float(total))
        for gender, age, total in zip(
            totals.index.get_level_values(0), totals.index.get_level_values(1), totals.to_numpy(), strict=True
        )
    ]


def _weights_from_design(
    frame: pd.DataFrame, design: pd.DataFrame, notes: list[str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The frame with weight / stratum / psu columns from the design, and what the design gave."""
    design = design.drop_duplicates("response_id").set_index("response_id")
    weights = design["design_weight"].reindex(frame.index)
    with_weight = weights.notna() & (weights > 0)
    # {"design": 1 when any interview has a design weight, "without_design_weight": how many have none}
    info = {"design": int(with_weight.any()), "without_design_weight": int((~with_weight).sum())}
    if not with_weight.any():
        return frame, info
    if (~with_weight).any():
        # docs/decisions.md D206: an interview outside the drawn sample has no probability; it is left out of
        # the weighted figures (kept in the unweighted ones) and named in a note.
        notes.append(
            f"{int((~with_weight).sum())} interviews have no design weight (not in the drawn sample) and are "
            "left out of the weighted figures"
        )
    kept = frame[with_weight.to_numpy()].copy()
    kept["weight"] = weights[with_weight]
    kept["stratum"] = design["stratum"].reindex(kept.index).fillna("").astype(str)
    kept["psu"] = design["psu"].reindex(kept.index).fillna("").astype(str)
    return kept, info


def campaign_sipas(
    campaign: Campaign,
    *,
    by: str | list[str] | None = None,
    margins: Path | str | list[Margin] | None = None,
    method: str | None = None,
    stratum: str | None = None,
    design: pd.DataFrame | None = None,
    unweighted: bool = True,
) -> SipasResult:
    """SIPAS for a campaign; `by` names breakdown columns (unit, locality, area or any question code);
    `method` overrides the campaign's method; `margins` (a margins CSV or Margins) overrides its confirmed
    margins; `design` overrides sources.design_frame (response_id, stratum, psu, ssu, design_weight).
    The result's `weighting` says how it was weighted; with `unweighted`, its tables carry the unweighted
    estimate and the design effect beside each weighted one."""
    questionnaires = sipas_questionnaires(campaign)
    if not questionnaires:
        raise SipasInputError(f"campaign {campaign.slug}: no SIPAS questionnaire")
    elements: dict[str, list[str]] = {}
    categorical: dict[str, CategoricalQuestion] = {}
    for _, definition in questionnaires:
        for element, codes in elements_of_definition(definition).items():
            known = elements.setdefault(element, [])
            known.extend(code for code in codes if code not in known)
        for question in categorical_of_definition(definition):
            categorical.setdefault(question.code, question)
    items = [code for codes in elements.values() for code in codes]
    frame = campaign_frame(campaign, [pk for pk, _ in questionnaires], items)
    if frame.empty:
        raise SipasInputError(f"campaign {campaign.slug}: no submitted SIPAS response yet")
    if method is None:
        chosen, method_source = campaign_method(campaign, elements)
    else:
        chosen, method_source = get_method(method), "asked"
    notes: list[str] = []
    weighted_frame, design_info = _weights_from_design(
        frame, sources.design_frame(campaign=campaign) if design is None else design, notes
    )
    margin_set, margins_source = None, "margins"
    strict = margins is not None  # margins asked for: their problems are errors, not notes
    if margins is None:
        margin_set = confirmed_margins(campaign)
        margins = calibration_margins(margin_set) if margin_set else None
    elif isinstance(margins, str | Path):
        margins_source = str(margins)
        margins = read_margins_csv(Path(margins))
    margins = _usable_margins(weighted_frame, margins, notes)
    by_columns = [by] if isinstance(by, str) else list(by or [])
    source = f"campaign {campaign.slug} (row = response id)"
    questions = list(categorical.values())
    calibration = "none"
    if margins:
        start = weighted_frame["weight"].to_numpy(dtype=float) if "weight" in weighted_frame else None
        try:
            calibrated, calibration = calibrated_weights(
                weighted_frame,
                np.ones(len(weighted_frame)) if start is None else start,
                margins,
                chosen,
                source,
                margins_source,
            )
        except SipasInputError as exc:
            if strict:
                raise
            notes.append(f"calibration not possible ({exc}); figures are design-weighted only")
            margins, margin_set = None, None
        else:
            weighted_frame = weighted_frame.assign(weight=calibrated)
    has_design = bool(design_info["design"])
    result = compute_sipas(
        weighted_frame,
        elements=elements,
        method=chosen,
        by=by_columns,
        source=source,
        categorical=questions,
        weight="weight",
        stratum="stratum" if has_design else stratum,
        psu="psu" if has_design else None,
    )
    result.calibration = calibration
    if unweighted:
        plain = compute_sipas(
            frame,
            elements=elements,
            method=chosen,
            by=by_columns,
            source=source,
            categorical=questions,
            weight=None,
            stratum=None,
            psu=None,
        )
        result = with_unweighted(result, plain)
    result.notes.extend(notes)
    result.weighting = {
        "weights": "calibrated" if margins else "design" if has_design else "equal",
        "calibration": result.calibration,
        "design": has_design,
        "without_design_weight": design_info["without_design_weight"],
        "margins": _margins_info(margin_set),
        "method_source": method_source,
        "interviews": len(frame),
    }
    return result


def _usable_margins(
    frame: pd.DataFrame, margins: list[Margin] | None, notes: list[str]
) -> list[Margin] | None:
    """The margins when every interview has the variables they need; else None with a note."""
    if not margins:
        return None
    if any(m.variable == CELL_COLUMN for m in margins):
        gender = frame.get(GENDER_QUESTION, pd.Series(index=frame.index, dtype=object))
        age = frame.get(AGE_QUESTION, pd.Series(index=frame.index, dtype=object))
        missing = gender.isna() | age.isna()
        frame[CELL_COLUMN] = gender.astype("string") + "|" + age.astype("string")
    else:
        needed = [m.variable for m in margins if m.variable in frame.columns]
        missing = frame[needed].isna().any(axis=1) if needed else pd.Series(False, index=frame.index)
    if missing.any():
        notes.append(
            f"{int(missing.sum())} interviews have no gender or age group; the margins cannot be used and "
            "figures are design-weighted only"
        )
        return None
    return margins


def _margins_info(margin_set: MarginSet | None) -> dict[str, object] | None:
    if margin_set is None:
        return None
    return {
        "id": margin_set.pk,
        "file": margin_set.file_name,
        "calibration": margin_set.calibration,
        "population": margin_set.population,
        "confirmed_at": margin_set.decided_at.isoformat() if margin_set.decided_at else None,
        "confirmed_by": margin_set.decided_by.get_username() if margin_set.decided_by else None,
        "proposed_by": margin_set.proposed_by.get_username() if margin_set.proposed_by else None,
    }


def unit_names(campaign: Campaign) -> dict[str, str]:
    return dict(Unit.objects.filter(province_id=campaign.province_id).values_list("code", "name"))


def response_weights(
    campaign: Campaign, *, design: pd.DataFrame | None = None
) -> tuple[pd.Series | None, str]:
    """The weight of each counting interview (index = response id), as campaign_sipas weights it: design
    weights, calibrated to the campaign's confirmed margins when they can be used; interviews without a
    design weight are left out (D206). (None, "equal") when there is neither a design nor usable margins.
    Used by the question tables (analysis/question_tables.py, docs/decisions.md D328); the steps are the
    ones of campaign_sipas above, and a test checks both give the same shares."""
    questionnaires = sipas_questionnaires(campaign)
    elements: dict[str, list[str]] = {}
    for _, definition in questionnaires:
        for element, codes in elements_of_definition(definition).items():
            known = elements.setdefault(element, [])
            known.extend(code for code in codes if code not in known)
    if not questionnaires:
        return None, "equal"
    items = [code for codes in elements.values() for code in codes]
    frame = campaign_frame(campaign, [pk for pk, _ in questionnaires], items)
    if frame.empty:
        return None, "equal"
    chosen, _source = campaign_method(campaign, elements)
    notes: list[str] = []
    weighted_frame, design_info = _weights_from_design(
        frame, sources.design_frame(campaign=campaign) if design is None else design, notes
    )
    margin_set = confirmed_margins(campaign)
    margins = _usable_margins(weighted_frame, calibration_margins(margin_set) if margin_set else None, notes)
    if margins:
        start = weighted_frame["weight"].to_numpy(dtype=float) if "weight" in weighted_frame else None
        try:
            calibrated, _calibration = calibrated_weights(
                weighted_frame,
                np.ones(len(weighted_frame)) if start is None else start,
                margins,
                chosen,
                f"campaign {campaign.slug} (row = response id)",
                "margins",
            )
        except SipasInputError:
            margins = None
        else:
            return pd.Series(calibrated, index=weighted_frame.index, dtype=float), "calibrated"
    if design_info["design"]:
        return weighted_frame["weight"].astype(float), "design"
    return None, "equal"


def campaign_weights(campaign: Campaign, *, answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """The weights the campaign's SIPAS figures use, per counting interview (index = response id):
    design_weight, weight (the final weight: calibrated to the confirmed margins when they can be used, else
    the design weight), stratum, psu, ssu; NaN / None for an interview the weighted figures leave out. The
    same steps as campaign_sipas with no override (docs/decisions.md D306: an export's `weight` column gives
    `compute_sipas --csv` the campaign's figures). Empty when the campaign has no SIPAS questionnaire or no
    counting interview. `answers`: the counting interviews' answers already read (index = response id,
    one column per question code), saving a second read of them."""
    empty = pd.DataFrame(columns=["design_weight", "weight", "stratum", "psu", "ssu"])
    questionnaires = sipas_questionnaires(campaign)
    if not questionnaires:
        return empty
    elements: dict[str, list[str]] = {}
    for _, definition in questionnaires:
        for element, codes in elements_of_definition(definition).items():
            known = elements.setdefault(element, [])
            known.extend(code for code in codes if code not in known)
    items = [code for codes in elements.values() for code in codes]
    if answers is None:
        frame = campaign_frame(campaign, [pk for pk, _ in questionnaires], items)
    else:
        frame = answers.reindex(columns=list(dict.fromkeys([*items, *answers.columns])))
    if frame.empty:
        return empty
    chosen, _ = campaign_method(campaign, elements)
    notes: list[str] = []
    design = sources.design_frame(campaign=campaign)
    weighted, info = _weights_from_design(frame, design, notes)
    result = pd.DataFrame(index=frame.index)
    indexed = design.drop_duplicates("response_id").set_index("response_id")
    result["design_weight"] = indexed["design_weight"].reindex(frame.index) if info["design"] else np.nan
    for column in ("stratum", "psu", "ssu"):
        values = indexed[column].reindex(frame.index) if info["design"] else None
        result[column] = values.where(values.notna(), None) if values is not None else None
    margin_set = confirmed_margins(campaign)
    margins = _usable_margins(weighted, calibration_margins(margin_set), notes) if margin_set else None
    final = weighted["weight"] if "weight" in weighted else pd.Series(np.nan, index=frame.index)
    if margins:
        start = weighted["weight"].to_numpy(dtype=float) if "weight" in weighted else np.ones(len(weighted))
        try:
            calibrated, _ = calibrated_weights(
                weighted, start, margins, chosen, f"campaign {campaign.slug}", "margins"
            )
        except SipasInputError:
            pass  # campaign_sipas notes it and shows design-weighted figures
        else:
            final = pd.Series(calibrated, index=weighted.index)
    result["weight"] = final.reindex(frame.index).astype(float)
    return result
