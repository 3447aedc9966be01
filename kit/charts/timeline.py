"""Geometry of the submissions-over-time chart, drawn by the template as inline SVG (no JS, no CDN).

Pure: plain dates and counts in, coordinates and labels out; the template adds the words (title, desc).
"""

import datetime
import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 260
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 44, 12, 12, 36
MAX_X_LABELS = 8
MAX_Y_TICKS = 5
BAR_SHARE = 0.6  # of each day's band


@dataclass(frozen=True)
class Tick:
    position: float  # x for the horizontal axis, y for the vertical one
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    date: datetime.date
    count: int


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    date: datetime.date
    cumulative: int


@dataclass(frozen=True)
class SubmissionsChart:
    """Daily submissions as bars and the cumulative total as a line, on one vertical scale."""

    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    bars: list[Bar]
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    target_y: float | None = None
    target: int | None = None
    first: datetime.date | None = None
    last: datetime.date | None = None
    total: int = 0
    polyline: str = field(default="")  # "x,y x,y …" for <polyline points="…">


def nice_scale(value: int, *, max_ticks: int = MAX_Y_TICKS) -> tuple[int, int]:
    """(top, step) of a count axis: whole steps of 1, 2 or 5 × 10^k, at most max_ticks steps, top ≥ value."""
    value = max(int(value), 1)
    raw = value / max_ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return math.ceil(value / step) * step, step


def submissions_chart(
    days: list[tuple[datetime.date, int]],
    *,
    target: int | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SubmissionsChart | None:
    """Bars of each day's submissions, the cumulative line through the middle of each day, axis ticks, and a
    horizontal line at `target` submissions when given. None when there are no days to draw."""
    if not days:
        return None
    left, top = MARGIN_LEFT, MARGIN_TOP
    right, bottom = width - MARGIN_RIGHT, height - MARGIN_BOTTOM
    cumulative, running = [], 0
    for _day, count in days:
        running += count
        cumulative.append(running)
    axis_top, step = nice_scale(max(running, target or 0))

    def y_of(count: float) -> float:
        return round(bottom - (bottom - top) * count / axis_top, 1)

    band = (right - left) / len(days)
    bar_width = round(band * BAR_SHARE, 1)
    bars, points = [], []
    for i, ((day, count), total) in enumerate(zip(days, cumulative, strict=True)):
        centre = left + band * (i + 0.5)
        y = y_of(count)
        bars.append(Bar(round(centre - bar_width / 2, 1), y, bar_width, round(bottom - y, 1), day, count))
        points.append(Point(round(centre, 1), y_of(total), day, total))
    every = math.ceil(len(days) / MAX_X_LABELS)
    x_ticks = [Tick(p.x, f"{p.date:%d/%m}") for p in points[::every]]
    y_ticks = [Tick(y_of(n), str(n)) for n in range(0, axis_top + 1, step)]
    return SubmissionsChart(
        width=width,
        height=height,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        bars=bars,
        points=points,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        target_y=y_of(target) if target else None,
        target=target or None,
        first=days[0][0],
        last=days[-1][0],
        total=running,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
    )
