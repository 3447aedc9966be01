"""Totals, bands, ranks, change and points lost: pure functions, figures computed by hand."""

from decimal import Decimal as D

from scoring.totals import Node, band, change, points_lost, rank, tree_totals

TREE = [
    Node(
        "1",
        "A",
        "domain",
        D(6),
        [
            Node(
                "1.1",
                "A1",
                "criterion",
                D(4),
                [
                    Node("1.1.1", "a", "sub_criterion", D("1.5")),
                    Node("1.1.2", "b", "sub_criterion", D("2.5")),
                ],
            ),
            Node("1.2", "A2", "criterion", D(2)),  # a criterion without sub-criteria is scored itself
        ],
    ),
    Node(
        "2",
        "B",
        "domain",
        D(4),
        [Node("2.1", "B1", "criterion", D(4), [Node("2.1.1", "c", "sub_criterion", D(4))])],
    ),
]


def test_points_add_up_the_tree_and_the_index_is_points_over_maximum():
    totals = tree_totals(TREE, {"1.1.1": D("1.25"), "1.1.2": D(2), "1.2": D("1.5"), "2.1.1": None})
    by_code = totals.by_code()
    assert by_code["1.1"].points == D("3.25")
    assert by_code["1"].points == D("4.75")  # 3.25 + 1.5
    assert by_code["2"].points == D(0)  # not scored counts 0
    assert totals.points == D("4.75")
    assert totals.max_points == D(10)
    assert totals.index == D("47.50")
    assert by_code["1"].share == D("79.17")  # 4.75 / 6 = 79.1666...%


def test_ha_nam_bands_put_the_boundaries_in_the_upper_band():
    assert band(D(95), "ha-nam-2022") == "Xuất sắc"
    assert band(D("94.99"), "ha-nam-2022") == "Tốt"
    assert band(D(85), "ha-nam-2022") == "Tốt"
    assert band(D(75), "ha-nam-2022") == "Khá"
    assert band(D("70"), "ha-nam-2022") == "Trung bình"
    assert band(D("69.99"), "ha-nam-2022") == "Yếu"


def test_ministry_groups_a_from_90_and_b_from_80():
    assert band(D(90), "bnv-province-groups-2023") == "Nhóm A"
    assert band(D("89.99"), "bnv-province-groups-2023") == "Nhóm B"
    assert band(D(80), "bnv-province-groups-2023") == "Nhóm B"


def test_tied_units_share_a_rank_and_the_next_rank_is_skipped():
    ranks = rank({"SNV": D("91.5"), "STP": D("88"), "STC": D("91.5"), "SAPA": D("70"), "NEW": None})
    assert ranks == {"SNV": 1, "STC": 1, "STP": 3, "SAPA": 4, "NEW": None}


def test_change_against_last_year_is_the_difference_in_points():
    assert change(D("86.98"), D("84.79")) == D("2.19")
    assert change(D("86.98"), None) is None


def test_points_lost_are_sorted_largest_first():
    lost = points_lost(TREE, {"1.1.1": D("1.5"), "1.1.2": D(1), "1.2": D("1.5"), "2.1.1": D(3)})
    assert [(row.code, row.lost) for row in lost] == [("1.1.2", D("1.5")), ("2.1.1", D(1)), ("1.2", D("0.5"))]
