"""The submissions chart's geometry: a pure function, checked against coordinates worked out by hand."""

import datetime

import pytest

from kit.charts.timeline import nice_scale, submissions_chart


def day(n: int) -> datetime.date:
    return datetime.date(2023, 12, n)


def test_four_days_give_bars_a_cumulative_line_ticks_and_a_target_line():
    # Plot area x 44…628, y 12…224 (212 high); the axis tops at 10 (the target), 4 bands of 146 each.
    chart = submissions_chart([(day(4), 3), (day(5), 1), (day(6), 0), (day(7), 4)], target=10)
    assert [(b.x, b.y, b.width, b.height, b.count) for b in chart.bars] == [
        (73.2, 160.4, 87.6, 63.6, 3),
        (219.2, 202.8, 87.6, 21.2, 1),
        (365.2, 224.0, 87.6, 0.0, 0),
        (511.2, 139.2, 87.6, 84.8, 4),
    ]
    assert chart.polyline == "117.0,160.4 263.0,139.2 409.0,139.2 555.0,54.4"
    assert [p.cumulative for p in chart.points] == [3, 4, 4, 8]
    assert [(t.position, t.label) for t in chart.y_ticks] == [
        (224.0, "0"),
        (181.6, "2"),
        (139.2, "4"),
        (96.8, "6"),
        (54.4, "8"),
        (12.0, "10"),
    ]
    assert [(t.position, t.label) for t in chart.x_ticks] == [
        (117.0, "04/12"),
        (263.0, "05/12"),
        (409.0, "06/12"),
        (555.0, "07/12"),
    ]
    assert (chart.target_y, chart.total, chart.first, chart.last) == (12.0, 8, day(4), day(7))


def test_no_days_draw_no_chart():
    assert submissions_chart([]) is None


def test_a_day_without_submissions_still_has_an_axis():
    chart = submissions_chart([(day(4), 0)])
    assert [t.label for t in chart.y_ticks] == ["0", "1"]
    assert chart.polyline == "336.0,224.0"
    assert chart.target_y is None


def test_long_series_label_every_third_day_to_stay_legible():
    chart = submissions_chart(
        [(datetime.date(2023, 12, 1) + datetime.timedelta(days=i), 1) for i in range(20)]
    )
    assert [t.label for t in chart.x_ticks] == ["01/12", "04/12", "07/12", "10/12", "13/12", "16/12", "19/12"]
    assert len(chart.bars) == 20


def test_everything_stays_inside_the_drawing():
    chart = submissions_chart([(day(i), i * 7) for i in range(1, 31)], target=3000)
    xs = [b.x for b in chart.bars] + [b.x + b.width for b in chart.bars] + [p.x for p in chart.points]
    ys = [p.y for p in chart.points] + [b.y for b in chart.bars] + [chart.target_y]
    assert min(xs) >= chart.left and max(xs) <= chart.right
    assert min(ys) >= chart.top and max(ys) <= chart.bottom


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, (1, 1)),
        (1, (1, 1)),
        (3, (3, 1)),
        (5, (5, 1)),
        (7, (8, 2)),
        (10, (10, 2)),
        (12, (15, 5)),
        (45, (50, 10)),
        (200, (200, 50)),
        (1001, (1500, 500)),  # 200 would need 6 steps
    ],
)
def test_axis_scale_uses_whole_steps_of_1_2_or_5(value, expected):
    assert nice_scale(value) == expected
