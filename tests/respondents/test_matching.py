"""Units and groups written in free text are found whatever the case, diacritics and abbreviations."""

import pytest

from respondents.services.matching import GroupMatcher, GroupRef, UnitMatcher, UnitRef

UNITS = [
    UnitRef(1, "HDND", "Hội đồng nhân dân tỉnh", "council"),
    UnitRef(2, "SAPA", "Thị xã Sa Pa", "district"),
    UnitRef(3, "TPLC", "Thành phố Lào Cai", "district"),
    UnitRef(4, "STP", "Sở Tư pháp", "department"),
    UnitRef(5, "BATXAT", "Huyện Bát Xát", "district"),
    UnitRef(6, "BDT", "Ban Dân tộc", "department"),
]


@pytest.mark.parametrize(
    "text, code",
    [
        ("HĐND tỉnh", "HDND"),
        ("Hội đồng nhân dân tỉnh Lào Cai", "HDND"),
        ("TX Sa Pa", "SAPA"),
        ("Sa Pa", "SAPA"),
        ("UBND TP Lào Cai", "TPLC"),
        ("TP. Lào Cai", "TPLC"),
        ("stp", "STP"),
        ("SO TU PHAP", "STP"),
        ("Tư pháp", "STP"),
        ("Sở Tư pháp tỉnh Lào Cai", "STP"),
        ("UBND huyện Bát Xát", "BATXAT"),
        ("Bát Xát", "BATXAT"),
        ("Dân tộc", "BDT"),
        ("Sở Tài chính", None),
        ("", None),
    ],
)
def test_unit_text_is_matched_by_code_name_or_abbreviation(text, code):
    unit = UnitMatcher(UNITS, "Lào Cai").match(text)
    assert (unit.code if unit else None) == code


def test_two_units_with_the_same_short_name_are_not_guessed():
    units = [UnitRef(1, "A", "Huyện Bảo Yên", "district"), UnitRef(2, "B", "Xã Bảo Yên", "commune")]
    assert UnitMatcher(units).match("Bảo Yên") is None
    assert UnitMatcher(units).match("Xã Bảo Yên").code == "B"


GROUPS = [
    GroupRef("hdnd", "Đại biểu HĐND tỉnh", ("HĐND", "ĐB HĐND")),
    GroupRef("dept_leader", "Lãnh đạo sở, ban, ngành", ("Lãnh đạo sở",)),
    GroupRef("division_leader", "Lãnh đạo cấp phòng thuộc sở", ("Lãnh đạo cấp phòng", "Cấp phòng")),
]


@pytest.mark.parametrize(
    "text, code",
    [
        ("Đại biểu HĐND tỉnh", "hdnd"),
        ("dai bieu hdnd tinh", "hdnd"),
        ("ĐB HĐND", "hdnd"),
        ("Lãnh đạo sở", "dept_leader"),
        ("LÃNH ĐẠO CẤP PHÒNG", "division_leader"),
        ("Nhóm 3: Lãnh đạo cấp phòng", "division_leader"),
        ("division_leader", "division_leader"),
        ("Chuyên viên", None),
    ],
)
def test_group_label_is_mapped_to_the_campaigns_group(text, code):
    group = GroupMatcher(GROUPS).match(text)
    assert (group.code if group else None) == code
