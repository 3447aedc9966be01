"""Which interviews count, and their design: the two reads the analysis (SIPAS, domain 8, reports) takes
from field work. Re-exported by fieldwork/selectors.py, the names the analysis uses.

- counting_responses: submitted responses minus field interviews that review has not let through
  (docs/decisions.md D356): only approved ones, or, by the campaign's setting, every one not rejected.
  Responses without a field record (web answers through a personal link) have no field review and count.
- design_frame: one row per counting interview with its stratum, PSU, SSU and design weight
  1 / (π₁·π₂·π₃) from the drawn units (docs/reference/field-sample.md, docs/decisions.md D352).
"""

from django.db.models import Q, QuerySet

from respondents.models import Campaign
from surveys.models import Response

from .models import DrawnUnit, FieldRecord, FieldSettings, ReviewState

COUNTED_STATES = {
    FieldSettings.Counting.APPROVED: (ReviewState.APPROVED,),
    FieldSettings.Counting.NOT_REJECTED: (ReviewState.RECEIVED, ReviewState.APPROVED, ReviewState.ON_HOLD),
}
FRAME_COLUMNS = ["response_id", "stratum", "psu", "ssu", "design_weight"]


def field_settings(campaign: Campaign) -> FieldSettings:
    """The campaign's field-work rules: its row, or the defaults (unsaved) when it has none."""
    return FieldSettings.objects.filter(campaign=campaign).first() or FieldSettings(campaign=campaign)


def _has_test_flag() -> bool:
    # Another issue adds Response.is_test (test links); test answers never count once it exists.
    return any(f.name == "is_test" for f in Response._meta.get_fields())


def counting_responses(*, campaign: Campaign) -> QuerySet[Response]:
    """The campaign's responses that count: submitted, not test answers, and for field interviews in a
    review state the campaign counts (approved only by default)."""
    states = COUNTED_STATES[field_settings(campaign).counting]
    responses = Response.objects.filter(campaign=campaign, status=Response.Status.SUBMITTED).filter(
        Q(field_record__isnull=True) | Q(field_record__review_state__in=states)
    )
    if _has_test_flag():
        responses = responses.filter(is_test=False)
    return responses


def design_frame(*, campaign: Campaign):
    """pandas.DataFrame, one row per counting interview: response_id, stratum, psu, ssu, design_weight.

    design_weight = 1 / (π₁·π₂·π₃), each π the unit's inclusion probability within its stage given its
    parent (DrawnUnit.probability). An interview linked to a village of a design drawn on paper (no
    households listed) takes π₃ = n₃ / N₃ of that village (drawn over its size). NaN (and empty stratum,
    PSU, SSU) for an interview without a drawn unit."""
    import numpy as np
    import pandas as pd

    records = FieldRecord.objects.filter(
        response__in=counting_responses(campaign=campaign).filter(field_record__isnull=False)
    ).values_list("response_id", "drawn_unit_id", "drawn_village_id")
    frame = pd.DataFrame.from_records(list(records), columns=["response_id", "final", "village"])
    web = counting_responses(campaign=campaign).filter(field_record__isnull=True).values_list("pk", flat=True)
    frame = pd.concat(
        [frame, pd.DataFrame({"response_id": list(web), "final": None, "village": None})], ignore_index=True
    )
    units = pd.DataFrame.from_records(
        list(
            DrawnUnit.objects.filter(design__campaign=campaign).values_list(
                "pk",
                "stage",
                "parent_id",
                "probability",
                "stratum__code",
                "code",
                "frame_count",
                "drawn_count",
            )
        ),
        columns=["pk", "stage", "parent", "probability", "stratum", "code", "frame_count", "drawn_count"],
    ).set_index("pk")
    stratum, psu, ssu, weight = [], [], [], []
    for final, village in zip(frame["final"], frame["village"], strict=True):
        found = _design_of(units, final, village)
        stratum.append(found[0])
        psu.append(found[1])
        ssu.append(found[2])
        weight.append(found[3])
    frame["stratum"], frame["psu"], frame["ssu"] = stratum, psu, ssu
    frame["design_weight"] = np.asarray(weight, dtype=float)
    frame["response_id"] = frame["response_id"].astype("int64")
    return frame[FRAME_COLUMNS].sort_values("response_id", ignore_index=True)


def _design_of(units, final, village) -> tuple:
    """(stratum, psu, ssu, weight) of one interview from the drawn units (indexed by pk)."""
    nothing = (None, None, None, float("nan"))
    key = final if final is not None and final == final else village
    if key is None or key != key or int(key) not in units.index:
        return nothing
    unit = units.loc[int(key)]
    if unit["stage"] == DrawnUnit.Stage.FINAL:
        p3 = float(unit["probability"])
        ssu_key = int(unit["parent"])
    else:
        size = unit["frame_count"]
        p3 = float(unit["drawn_count"]) / float(size) if size else float("nan")
        ssu_key = int(key)
    ssu = units.loc[ssu_key]
    psu = units.loc[int(ssu["parent"])]
    pi = float(psu["probability"]) * float(ssu["probability"]) * p3
    weight = 1.0 / pi if pi > 0 else float("nan")
    return psu["stratum"], psu["code"], f"{psu['code']}/{ssu['code']}", weight
