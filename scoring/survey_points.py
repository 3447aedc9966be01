"""The survey points of an assessment, from one place (docs/decisions.md D159).

The officials' survey and SIPAS are computed by analysis, which sits above scoring; the scoring overview
must show the same survey points as the indices dashboard. analysis registers its function here when the
app is ready (analysis/apps.py); scoring's pages call `survey_points(assessment)` and never compute them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class SurveyPoints:
    points: dict[str, Decimal] = field(default_factory=dict)  # item code → points
    officials_method: str = ""
    sipas_method: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.points.values(), Decimal(0))


_provider: Callable[..., SurveyPoints] | None = None


def register(provider: Callable[..., SurveyPoints]) -> None:
    global _provider
    _provider = provider


def survey_points(assessment) -> SurveyPoints:
    """The survey points the index gives this assessment (none for a department or district)."""
    if _provider is None or assessment.unit_id is not None:
        return SurveyPoints(notes=["survey points are computed by the analysis app, which is not installed"])
    return _provider(assessment)
