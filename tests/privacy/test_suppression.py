"""Officials' answers per group are never shown below 5 respondents, not even by difference."""

from analysis.officials import GROUP_COLUMN, _group_cells


def rows(*groups):
    return [{GROUP_COLUMN: g, "mean": m, "size": n} for g, m, n in groups]


def test_a_lone_small_group_takes_the_smallest_shown_group_with_it():
    # Item share = mean of the three groups = (0.5 + 0.8 + 0.2) / 3 = 0.5: with hdnd and dept_leader shown,
    # division_leader's 0.2 would be 3 × 0.5 − 0.5 − 0.8. Hiding dept_leader (10 < 20) leaves two unknowns.
    cells = _group_cells(rows(("hdnd", 0.5, 20), ("dept_leader", 0.8, 10), ("division_leader", 0.2, 4)), 5)
    assert [(c["group"], c["score"], c["suppressed"]) for c in cells] == [
        ("hdnd", 0.5, False),
        ("dept_leader", None, True),
        ("division_leader", None, True),
    ]
    assert [c["respondents"] for c in cells] == [20, 10, 4]  # counts of who answered stay


def test_two_small_groups_hide_only_themselves_and_large_groups_hide_nothing():
    two = _group_cells(rows(("a", 0.5, 20), ("b", 0.6, 3), ("c", 0.7, 2)), 5)
    assert [c["suppressed"] for c in two] == [False, True, True]
    none = _group_cells(rows(("a", 0.5, 5), ("b", 0.6, 6)), 5)
    assert [(c["score"], c["suppressed"]) for c in none] == [(0.5, False), (0.6, False)]


def test_a_single_small_group_alone_is_hidden_and_nothing_else_is_touched():
    assert [c["suppressed"] for c in _group_cells(rows(("a", 0.5, 3)), 5)] == [True]
