"""kit.versioning: the change report between two versions, keyed by code on chosen attributes (the storing
policy itself is exercised through both loaders: tests/surveys/test_load_questionnaire.py and
tests/scoring/test_trees.py, test_criteria_table.py)."""

from kit.versioning import compare_items, index_by_code


def test_items_are_compared_by_code_on_the_chosen_attributes_only():
    before = index_by_code(
        [
            {"code": "1.1", "name": "Kế hoạch", "max": "2", "note": "a"},
            {"code": "1.2", "name": "Báo cáo", "max": "0.5"},
            {"code": "1.3", "name": "Kiểm tra", "max": "1"},
        ]
    )
    after = index_by_code(
        [
            {"code": "1.1", "name": "Kế hoạch năm", "max": "2", "note": "b"},  # renamed; note not compared
            {"code": "1.2", "name": "Báo cáo", "max": "1"},  # maximum changed
            {"code": "1.4", "name": "Sáng kiến", "max": "1"},  # added
        ]
    )
    report = compare_items(before, after, attributes=("name", "max"))
    assert report.added == ["1.4"] and report.removed == ["1.3"]
    assert [(c.code, c.before, c.after) for c in report.renamed] == [("1.1", "Kế hoạch", "Kế hoạch năm")]
    assert [(c.code, c.attribute, c.before, c.after) for c in report.changed] == [("1.2", "max", "0.5", "1")]
    assert not report.empty and report.as_dict()["removed"] == ["1.3"]


def test_identical_versions_have_an_empty_report_and_the_name_attribute_is_chosen():
    items = {"q1": {"text": "Đánh giá", "type": "scale"}}
    assert compare_items(items, items, attributes=("text", "type"), name_attribute="text").empty
    changed = compare_items(
        items, {"q1": {"text": "Nhận xét", "type": "scale"}}, attributes=("text",), name_attribute="text"
    )
    assert [c.code for c in changed.renamed] == ["q1"] and changed.changed == []
