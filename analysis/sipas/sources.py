"""Where the campaign pipeline gets the interviews that count and their sample design: field work's
`fieldwork.selectors.counting_responses(*, campaign)` (submitted, not test answers, field interviews in a
review state the campaign counts) and `design_frame(*, campaign)` (response_id, stratum, psu, ssu,
design_weight = 1/(π₁·π₂·π₃), NaN without a drawn unit). `explicit_design_frame` builds the same frame
from given rows (tests, and a province that computed its weights elsewhere); docs/decisions.md D212.
"""

import pandas as pd
from django.db.models import QuerySet

from fieldwork import selectors as field_selectors
from respondents.models import Campaign
from surveys.models import Response

DESIGN_COLUMNS = ["response_id", "stratum", "psu", "ssu", "design_weight"]


def counting_responses(*, campaign: Campaign) -> QuerySet[Response]:
    """The campaign's interviews that count (fieldwork.selectors.counting_responses)."""
    return field_selectors.counting_responses(campaign=campaign)


def design_frame(*, campaign: Campaign) -> pd.DataFrame:
    """Each counting interview's stratum, PSU, SSU and design weight (fieldwork.selectors.design_frame)."""
    frame: pd.DataFrame = field_selectors.design_frame(campaign=campaign)
    return frame


def explicit_design_frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """(response_id, stratum, psu, ssu, design_weight) rows as the frame design_frame returns."""
    frame = pd.DataFrame(rows, columns=DESIGN_COLUMNS)
    frame["design_weight"] = pd.to_numeric(frame["design_weight"], errors="coerce").astype(float)
    return frame
