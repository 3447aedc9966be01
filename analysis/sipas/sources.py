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

from respondents.models import Campaign
from surveys.models import Response

DESIGN_COLUMNS = ["response_id", "stratum", "psu", "ssu", "design_weight"]


def counting_responses(*, campaign: Campaign) -> QuerySet[Response]:
    """Stand-in for fieldwork.selectors.counting_responses: the campaign's submitted responses."""
    try:
        from fieldwork.selectors import counting_responses as selector
    except ImportError:
        return Response.objects.filter(campaign=campaign, status=Response.Status.SUBMITTED)
    return selector(campaign=campaign)


def design_frame(*, campaign: Campaign) -> pd.DataFrame:
    """Stand-in for fieldwork.selectors.design_frame: no design stored, so NaN design weights."""
    try:
        from fieldwork.selectors import design_frame as selector
    except ImportError:
        ids = list(counting_responses(campaign=campaign).values_list("id", flat=True))
        return explicit_design_frame([(pk, None, None, None, np.nan) for pk in ids])
    return selector(campaign=campaign)


def explicit_design_frame(rows: list[tuple]) -> pd.DataFrame:
    """(response_id, stratum, psu, ssu, design_weight) rows as the frame design_frame returns."""
    frame = pd.DataFrame(rows, columns=DESIGN_COLUMNS)
    frame["design_weight"] = pd.to_numeric(frame["design_weight"], errors="coerce").astype(float)
    return frame
