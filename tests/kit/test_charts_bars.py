"""Chart geometry of the index dashboard (kit.charts.bars), pure."""

import pytest

from kit.charts import bars as charts


def test_score_bars_scale_points_and_maximum_on_one_axis():
    chart = charts.score_bars([("1. Chỉ đạo", 4.5, 9.0), ("8. Tác động", 18.0, 18.0)])
    span = chart.right - chart.left
    first, second = chart.bars
    assert [t.label for t in chart.x_ticks] == ["0", "5", "10", "15", "20"]  # nice_scale(18) → 20 by 5
    assert first.width == pytest.approx(span * 4.5 / 20, abs=0.1)
    assert first.max_width == pytest.approx(span * 9 / 20, abs=0.1)
    assert second.width == second.max_width
    assert first.value_label == "4,50/9"  # the one Vietnamese format (kit/numbers.py)


def test_percent_bars_draw_whiskers_and_leave_suppressed_rows_empty():
    rows = [
        {"label": "Tiếp cận", "estimate": 80.0, "ci_low": 70.0, "ci_high": 90.0, "suppressed": False},
        {"label": "Sa Pa", "estimate": None, "ci_low": None, "ci_high": None, "suppressed": True},
    ]
    chart = charts.percent_bars(rows)
    shown, hidden = chart.bars
    scale = (chart.right - chart.left) / 100
    assert shown.width == pytest.approx(80 * scale, abs=0.1)
    assert (shown.low_x, shown.high_x) == (
        pytest.approx(chart.left + 70 * scale, abs=0.1),
        pytest.approx(chart.left + 90 * scale, abs=0.1),
    )
    assert hidden.suppressed and hidden.width == 0 and hidden.low_x is None and hidden.value_label == ""


def test_long_labels_are_cut_for_the_axis_but_kept_whole_for_the_tooltip():
    label = "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị của người dân"
    bar = charts.percent_bars(
        [{"label": label, "estimate": 50.0, "ci_low": 40.0, "ci_high": 60.0, "suppressed": False}]
    ).bars[0]
    assert bar.label == label and bar.short_label.endswith("…") and len(bar.short_label) == charts.LABEL_CHARS


def test_the_trend_needs_two_years_and_runs_from_the_first_to_the_last():
    assert charts.trend_line([(2026, 80.0)]) is None
    chart = charts.trend_line([(2024, 70.0), (2026, 80.0)])
    assert [p.year for p in chart.points] == [2024, 2026]
    assert chart.points[0].x == chart.left and chart.points[1].x == chart.right
    assert chart.points[1].y < chart.points[0].y  # higher index, higher on the page
    assert charts.score_bars([]) is None and charts.percent_bars([]) is None
