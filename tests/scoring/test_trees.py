"""Criteria tree files: the shipped 876 tree, problems reported with their path, versioning."""

import unicodedata
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from scoring.models import CriteriaTree, Criterion, Score
from scoring.services.definitions import validate_tree
from scoring.services.trees import load_criteria_tree

from .conftest import TREE_876

pytestmark = pytest.mark.django_db


def test_the_shipped_876_tree_has_8_domains_37_criteria_and_88_sub_criteria(tree876):
    nodes = Criterion.objects.filter(tree=tree876)
    assert nodes.filter(kind="domain").count() == 8
    assert nodes.filter(kind="criterion").count() == 37
    assert nodes.filter(kind="sub_criterion").count() == 88
    per_domain = {
        d.code: (d.children.count(), Criterion.objects.filter(parent__parent=d).count())
        for d in nodes.filter(kind="domain")
    }
    # docs/methodology.md §1.2 table: criteria and sub-criteria per domain
    assert per_domain == {
        "1": (7, 2),
        "2": (4, 8),
        "3": (5, 14),
        "4": (3, 12),
        "5": (7, 16),
        "6": (3, 14),
        "7": (3, 14),
        "8": (5, 8),
    }


def test_the_876_maxima_add_up_at_every_level_to_100_of_which_32_by_survey(tree876):
    nodes = list(Criterion.objects.filter(tree=tree876).prefetch_related("children"))
    for node in nodes:
        children = list(node.children.all())
        if children:
            assert sum(c.max_points for c in children) == node.max_points, node.code
    domains = [n for n in nodes if n.kind == "domain"]
    assert sum(d.max_points for d in domains) == Decimal(100)
    survey = [n for n in nodes if n.is_leaf and n.scored_by == "survey"]
    assert sum(n.max_points for n in survey) == Decimal(32)


def test_the_876_names_are_stored_nfc_and_unconfirmed_maxima_carry_their_source(tree876):
    for node in Criterion.objects.filter(tree=tree876):
        assert unicodedata.normalize("NFC", node.name) == node.name
        if not node.confirmed:
            assert node.reference
    assert Criterion.objects.get(tree=tree876, code="1.6").lead == "vpubnd"


def _tree(**changes):
    document = yaml.safe_load(TREE_876.read_text(encoding="utf-8"))
    document.update(changes)
    return document


def test_a_bad_tree_reports_every_problem_with_its_path():
    document = _tree(level="country", bands="nope")
    domain = document["domains"][1]
    domain["max"] = 10
    domain["criteria"][0]["sub_criteria"][0]["max"] = "x"
    domain["criteria"][1]["sub_criteria"][1]["code"] = "2.2.1"
    domain["criteria"][2]["sub_criteria"][0]["rule"] = {"kind": "tiered", "tiers": [{"min": 90, "points": 5}]}
    domain["criteria"][2]["sub_criteria"][0]["scored_by"] = "computed"
    document["domains"][2]["lead"] = "sct"
    document["domains"][0]["criteria"][1]["name, đúng hạn"] = None
    errors = validate_tree(document).errors
    expected = [
        "level: one of province, department, district",
        "bands: one of",
        "domains[1].criteria[0].sub_criteria[0].max: a number of points is required",
        "domains[1].criteria[1].sub_criteria[1].code: '2.2.1' is used twice",
        "domains[1].criteria[2].sub_criteria[0].rule.tiers[0].points: between 0 and max (1.00)",
        "domains[2].lead: unknown lead 'sct'",
        "domains[0].criteria[1]: unknown key 'name, đúng hạn'",
    ]
    for message in expected:
        assert any(e.startswith(message) for e in errors), (message, errors)


@pytest.mark.parametrize("bound", [float("nan"), float("inf")])
def test_points_that_are_not_finite_are_a_problem_with_a_path_not_a_crash(bound):
    document = _tree()
    document["domains"][0]["criteria"][0]["sub_criteria"][0]["max"] = bound
    errors = validate_tree(document).errors
    assert any(e.startswith("domains[0].criteria[0].sub_criteria[0].max:") for e in errors), errors


def test_sums_that_do_not_add_up_are_reported_on_the_parent():
    document = _tree()
    document["domains"][0]["criteria"][0]["sub_criteria"][0]["max"] = 1
    errors = validate_tree(document).errors
    assert errors == ["domains[0].criteria[0].max: 2.00 but its sub_criteria add up to 2.50"]
    document["domains"][0]["criteria"][0]["max"] = 2.5
    errors = validate_tree(document).errors
    assert errors == ["domains[0].max: 9.00 but its criteria add up to 9.50"]
    document["domains"][0]["max"] = 9.5
    assert validate_tree(document).errors == ["total: 100.00 but the domains add up to 100.50"]


def test_counts_other_than_expected_are_reported():
    document = _tree()
    document["domains"][7]["criteria"][4]["sub_criteria"].pop()
    document["domains"][7]["criteria"][4]["max"] = 1
    document["domains"][7]["max"] = 17
    document["total"] = 99
    assert "expected.sub_criteria: 88 but the file has 87" in validate_tree(document).errors


def test_loading_the_same_file_twice_changes_nothing(tree876):
    report = load_criteria_tree(path=TREE_876)
    assert report.status == "unchanged"
    assert report.tree.pk == tree876.pk
    assert CriteriaTree.objects.count() == 1
    assert Criterion.objects.count() == 8 + 37 + 88


def _changed_file(tmp_path):
    text = TREE_876.read_text(encoding="utf-8").replace(
        "Báo cáo cải cách hành chính định kỳ đầy đủ, đúng hạn", "Báo cáo cải cách hành chính đầy đủ, đúng hạn"
    )
    path = tmp_path / "par-province-876.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_changed_tree_without_scores_is_updated_in_place(tree876, tmp_path):
    report = load_criteria_tree(path=_changed_file(tmp_path))
    assert (report.status, report.tree.pk, report.tree.version) == ("updated", tree876.pk, 1)
    assert (
        Criterion.objects.get(tree=tree876, code="1.2").name == "Báo cáo cải cách hành chính đầy đủ, đúng hạn"
    )


def test_a_tree_that_has_scores_is_never_changed_in_place_but_gets_a_new_version(assessment, tmp_path):
    old = assessment.tree
    Score.objects.create(
        assessment=assessment, criterion=old.nodes.get(code="1.2"), self_points=Decimal("0.5")
    )
    report = load_criteria_tree(path=_changed_file(tmp_path))
    assert (report.status, report.tree.version, report.tree.is_current) == ("created", 2, True)
    old.refresh_from_db()
    assert not old.is_current
    assert old.nodes.get(code="1.2").name == "Báo cáo cải cách hành chính định kỳ đầy đủ, đúng hạn"
    assert report.tree.nodes.count() == 8 + 37 + 88


def test_the_command_prints_the_shape_and_reports_problems_with_exit_status_1(db, tmp_path):
    out = StringIO()
    call_command("load_criteria_tree", str(TREE_876), stdout=out)
    assert "created par-province-876 version 1 (8 domains, 37 criteria, 88 sub-criteria, 100.00 points)" in (
        out.getvalue()
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\ntitle: X\nlevel: province\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_criteria_tree", str(bad), stderr=err)
    assert exit_info.value.code == 1
    assert f"{bad}: domains: a non-empty list" in err.getvalue()
