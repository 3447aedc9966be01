"""Geometry of the dashboard's charts, drawn by the template as inline SVG (no JS, no CDN): horizontal bars
against a maximum (domain scores), percentages with 95% whiskers (SIPAS elements and breakdowns), and the
index across years. Pure: numbers in, coordinates out; axis steps from kit.charts.timeline.nice_scale.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..numbers import format_number, format_typed
from .timeline import Tick, nice_scale

WIDTH = 640
ROW = 26
LABEL_WIDTH = 230
LABEL_CHARS = 36  # longer labels are cut with "…" (the full text is in the bar's tooltip)
MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 8, 26


def short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class HBar:
    label: str
    y: float
    height: float
    x: float
    width: float  # the value's bar
    max_width: float | None  # the maximum's (background) bar, when there is one
    value_label: str
    low_x: float | None = None  # whisker ends (95% interval)
    high_x: float | None = None
    suppressed: bool = False

    @property
    def short_label(self) -> str:
        return short(self.label)

    @property
    def middle(self) -> float:
        return round(self.y + self.height / 2, 1)

    @property
    def end_y(self) -> float:
        return round(self.y + self.height, 1)


@dataclass(frozen=True)
class BarsChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[HBar]
    x_ticks: list[Tick]


def _frame(count: int) -> tuple[float, float, float, float, int]:
    height = MARGIN_TOP + count * ROW + MARGIN_BOTTOM
    return LABEL_WIDTH, WIDTH - MARGIN_RIGHT, MARGIN_TOP, height - MARGIN_BOTTOM, height


def _ticks(
    left: float, right: float, top_value: float, step: float, fmt: Callable[[float], str]
) -> list[Tick]:
    count = round(top_value / step)
    return [
        Tick(round(left + (right - left) * i * step / top_value, 1), fmt(i * step)) for i in range(count + 1)
    ]


def score_bars(rows: list[tuple[str, float, float]]) -> BarsChart | None:
    """(label, points, maximum) per row: the maximum as a pale bar, the points over it."""
    if not rows:
        return None
    left, right, top, bottom, height = _frame(len(rows))
    top_value, step = nice_scale(math.ceil(max(m for _, _, m in rows)))
    scale = (right - left) / top_value
    bars = [
        HBar(
            label=label,
            y=round(top + i * ROW + 4, 1),
            height=ROW - 8,
            x=left,
            width=round(max(value, 0) * scale, 1),
            max_width=round(maximum * scale, 1),
            value_label=f"{format_number(value, 'points')}/{format_typed(maximum)}",
        )
        for i, (label, value, maximum) in enumerate(rows)
    ]
    return BarsChart(WIDTH, height, left, right, top, bottom, bars, _ticks(left, right, top_value, step, str))


def percent_bars(rows: list[dict[str, Any]]) -> BarsChart | None:
    """Rows {label, estimate, ci_low, ci_high, suppressed} in percent, on a 0–100 axis with whiskers;
    suppressed rows (too few respondents) get no bar, only their label."""
    if not rows:
        return None
    left, right, top, bottom, height = _frame(len(rows))
    scale = (right - left) / 100

    def x(value: float | None) -> float | None:
        return None if value is None else round(left + value * scale, 1)

    bars = []
    for i, row in enumerate(rows):
        shown = not row["suppressed"] and row["estimate"] is not None
        bars.append(
            HBar(
                label=row["label"],
                y=round(top + i * ROW + 4, 1),
                height=ROW - 8,
                x=left,
                width=round(row["estimate"] * scale, 1) if shown else 0,
                max_width=None,
                value_label=f"{format_number(row['estimate'], 'percent')}%" if shown else "",
                low_x=x(row["ci_low"]) if shown else None,
                high_x=x(row["ci_high"]) if shown else None,
                suppressed=not shown,
            )
        )
    return BarsChart(WIDTH, height, left, right, top, bottom, bars, _ticks(left, right, 100, 20, str))


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    year: int
    value: float


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: list[TrendPoint]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    polyline: str


def trend_line(points: list[tuple[int, float]], *, height: int = 220) -> TrendChart | None:
    """The index (0–100) by year; None with fewer than two years."""
    if len(points) < 2:
        return None
    left, right, top, bottom = 44.0, WIDTH - 24.0, 12.0, height - 30.0
    years = [year for year, _ in points]
    first, last = min(years), max(years)
    span = max(last - first, 1)

    def px(year: int) -> float:
        return round(left + (right - left) * (year - first) / span, 1)

    def py(value: float) -> float:
        return round(bottom - (bottom - top) * value / 100, 1)

    drawn = [TrendPoint(px(year), py(value), year, value) for year, value in points]
    y_ticks = [Tick(py(v), str(v)) for v in range(0, 101, 20)]
    x_ticks = [Tick(p.x, str(p.year)) for p in drawn]
    polyline = " ".join(f"{p.x},{p.y}" for p in drawn)
    return TrendChart(WIDTH, height, left, right, top, bottom, drawn, x_ticks, y_ticks, polyline)
