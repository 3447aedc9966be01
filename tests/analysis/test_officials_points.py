"""Officials' survey answers → points of the sub-criteria they feed (analysis.officials), pure."""

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from analysis import officials
from scoring.totals import Node

D = Decimal


def tree():
    return [
        Node(
            "1",
            "Chỉ đạo",
            "domain",
            D(4),
            [
                Node("1.1", "Kế hoạch", "criterion", D(2)),
                Node("1.7", "Đánh giá", "criterion", D(2), scored_by="survey"),
            ],
        ),
        Node(
            "2",
            "Thể chế",
            "domain",
            D(2),
            [
                Node(
                    "2.4",
                    "Chất lượng",
                    "criterion",
                    D(2),
                    [Node("2.4.1", "Hợp pháp", "sub_criterion", D(2), scored_by="survey")],
                )
            ],
        ),
        Node(
            "8",
            "Tác động",
            "domain",
            D(6),
            [
                Node(
                    "8.1",
                    "SIPAS",
                    "criterion",
                    D(6),
                    [Node("8.1.1", "Hài lòng", "sub_criterion", D(6), scored_by="survey", survey="sipas")],
                )
            ],
        ),
    ]


SCALE = [{"value": v, "label": str(v)} for v in (1, 2, 3, 4)] + [{"value": 0, "label": "?", "missing": True}]
DEFINITION = {
    "code": "officials",
    "sections": [
        {
            "code": "s",
            "questions": [
                {
                    "code": "a",
                    "type": "scale",
                    "options": SCALE,
                    "feeds": "1.1",
                },  # not a survey item: domain 1's
                {"code": "b", "type": "scale", "options": SCALE, "feeds": "1.7"},  # a survey item itself
                {
                    "code": "c",
                    "type": "scale",
                    "options": SCALE,
                    "feeds": "2.4",
                },  # the survey items under 2.4
                {"code": "d", "type": "scale", "options": SCALE, "feeds": "8.1"},  # SIPAS items only
                {"code": "e", "type": "scale", "options": SCALE, "feeds": "9.9"},  # not in the tree
                {"code": "f", "type": "text", "feeds": "1.7"},  # not a scale: ignored
                {"code": "g", "type": "scale", "options": SCALE, "feeds": "sipas.access"},  # SIPAS's
            ],
        }
    ],
}
ANSWERS = pd.DataFrame(
    [
        {"group": "hdnd", "a": 4, "b": 3, "c": 3},
        {"group": "hdnd", "a": 1, "b": 0, "c": None},
        {"group": "dept_leader", "a": 2, "b": 2, "c": "junk"},
    ]
)


def compute(method_name="officials-876-v1", answers=ANSWERS, **method_changes):
    method = officials.get_method(method_name)
    if method_changes:
        method = officials.OfficialsMethod(**{**method.__dict__, **method_changes})
    mapping, problems = officials.resolve_feeds(DEFINITION, tree(), method)
    result = officials.officials_points(
        answers,
        question_items=mapping,
        bounds=officials.scale_bounds(DEFINITION),
        items=officials.officials_items(tree(), method),
        method=method,
        problems=problems,
    )
    return {i.code: i for i in result.items}, result


def test_feeds_codes_resolve_to_the_survey_items_of_their_node_or_domain():
    mapping, problems = officials.resolve_feeds(DEFINITION, tree(), officials.get_method("officials-876-v1"))
    assert mapping == {"a": ["1.7"], "b": ["1.7"], "c": ["2.4.1"]}
    assert [(p.question, p.message) for p in problems] == [
        ("d", "domain 8 has no item scored by the officials' survey"),
        ("e", "not a code of the criteria tree"),
    ]


def test_points_are_max_times_the_mean_rescaled_score_averaged_over_groups():
    # 1.7: hdnd r1 = mean(1, 2/3) = 5/6, r2 = 0 (a = 1 → 0; b "don't know" left out) → 5/12;
    # dept (1/3 + 1/3) / 2 = 1/3
    # equal group weights → (5/12 + 4/12) / 2 = 0.375 → 2 × 0.375 = 0.75
    items, result = compute()
    assert items["1.7"].share == pytest.approx(0.375)
    assert items["1.7"].points == D("0.7500")
    # 2.4.1: only hdnd r1 answered validly (3 → 2/3); "junk" and blanks are left out → 2 × 2/3 = 1.3333
    assert items["2.4.1"].points == D("1.3333")
    assert items["2.4.1"].respondents == 1
    assert result.points() == {"1.7": D("0.7500"), "2.4.1": D("1.3333")}
    assert "8.1.1" not in items  # SIPAS feeds it


def test_stated_group_weights_change_the_mean_over_groups():
    # (3 × 5/12 + 1 × 1/3) / 4 = 19/48 → 2 × 0.395833… = 0.7917
    items, _ = compute(group_weights={"hdnd": 3, "dept_leader": 1})
    assert items["1.7"].points == D("0.7917")


def test_the_over_top_reading_scores_a_value_over_the_highest_value():
    # hdnd: r1 mean(1, 0.75) = 0.875, r2 0.25 → 0.5625; dept 0.5 → 0.53125 → 2 × 0.53125 = 1.0625
    items, _ = compute("officials-876-top")
    assert items["1.7"].points == D("1.0625")


def test_groups_under_five_respondents_are_flagged_suppressed_but_still_count():
    items, _ = compute()
    assert {g["group"]: g["suppressed"] for g in items["1.7"].groups} == {"hdnd": True, "dept_leader": True}
    assert all(g["score"] is None for g in items["1.7"].groups)
    many = pd.DataFrame([{"group": "hdnd", "a": 4, "b": 4}] * 5)
    items, _ = compute(answers=many)
    assert items["1.7"].groups == [{"group": "hdnd", "score": 1.0, "respondents": 5, "suppressed": False}]


def test_items_nobody_answered_get_no_points():
    items, _ = compute(answers=pd.DataFrame({"group": ["hdnd"], "a": [0]}))
    assert items["1.7"].points is None and items["2.4.1"].points is None


def test_vectorised_result_matches_a_plain_loop_on_random_answers():
    rng = np.random.default_rng(5)
    n = 400
    frame = pd.DataFrame(
        {
            "group": rng.choice(["hdnd", "dept_leader", "division_leader"], n),
            "a": rng.choice([0, 1, 2, 3, 4, None], n),
            "b": rng.choice([0, 1, 2, 3, 4], n),
        }
    )
    items, _ = compute(answers=frame)
    by_group: dict[str, list[float]] = {}
    for row in frame.to_dict("records"):
        scores = [(v - 1) / 3 for v in (row["a"], row["b"]) if v is not None and not pd.isna(v) and v != 0]
        if scores:
            by_group.setdefault(row["group"], []).append(sum(scores) / len(scores))
    expected = sum(sum(v) / len(v) for v in by_group.values()) / len(by_group)
    assert items["1.7"].share == pytest.approx(expected, rel=1e-12)
