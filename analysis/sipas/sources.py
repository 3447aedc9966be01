"""Where the campaign pipeline gets the interviews that count and their sample design.

Field work (issue 16) owns both: `fieldwork.selectors.counting_responses(*, campaign)` (not rejected in
review where the campaign reviews, not test responses) and `fieldwork.selectors.design_frame(*, campaign)`
(response_id, stratum, psu, ssu, design_weight = 1/(π₁·π₂·π₃), NaN without a design). Until they are on
main this module stands in for them with the same signatures and shapes: every submitted response counts
and no interview has a design weight. `explicit_design_frame` builds the same frame from given rows (tests,
and a province that computed its weights elsewhere).
"""

import numpy as np
import pandas as pd
from django.db.models import QuerySet

from fieldwork import selectors as field_selectors
from respondents.models import Campaign
from surveys.models import Response

DESIGN_COLUMNS = ["response_id", "stratum", "psu", "ssu", "design_weight"]


def counting_responses(*, campaign: Campaign) -> QuerySet[Response]:
    """fieldwork.selectors.counting_responses once it exists; meanwhile the campaign's submitted responses."""
    selector = getattr(field_selectors, "counting_responses", None)
    if selector is None:
        return Response.objects.filter(campaign=campaign, status=Response.Status.SUBMITTED)
    found: QuerySet[Response] = selector(campaign=campaign)
    return found


def design_frame(*, campaign: Campaign) -> pd.DataFrame:
    """fieldwork.selectors.design_frame once it exists; meanwhile no design: NaN design weights."""
    selector = getattr(field_selectors, "design_frame", None)
    if selector is None:
        ids = list(counting_responses(campaign=campaign).values_list("id", flat=True))
        return explicit_design_frame([(pk, None, None, None, np.nan) for pk in ids])
    frame: pd.DataFrame = selector(campaign=campaign)
    return frame


def explicit_design_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """(response_id, stratum, psu, ssu, design_weight) rows as the frame design_frame returns."""
    frame = pd.DataFrame(rows, columns=DESIGN_COLUMNS)
    frame["design_weight"] = pd.to_numeric(frame["design_weight"], errors="coerce").astype(float)
    return frame
