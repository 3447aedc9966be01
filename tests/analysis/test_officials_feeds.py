"""The shipped officials' questionnaires against the shipped 876 tree: every `feeds:` code is a code of the
tree, every officials' survey item is fed, and only the domain-8 questions stay unscored (SIPAS feeds 8.1)."""

from pathlib import Path

import pytest

from analysis import officials
from scoring.services.definitions import parse_tree_file
from scoring.totals import nodes_from_definition
from surveys.services.definitions import parse_definition_file

ROOT = Path(__file__).resolve().parents[2]
TREE = nodes_from_definition(parse_tree_file(ROOT / "scoring/trees/par-province-876.yaml").definition)
METHOD = officials.get_method(officials.DEFAULT_METHOD)


@pytest.mark.parametrize("name", ["par_officials.yaml", "par_officials_district.yaml"])
def test_shipped_officials_questionnaire_feeds_every_officials_item_of_the_876_tree(name):
    definition = parse_definition_file(ROOT / "surveys/definitions" / name).definition
    mapping, problems = officials.resolve_feeds(definition, TREE, METHOD)
    assert not [p for p in problems if p.message == "not a code of the criteria tree"]
    assert {p.feeds.split(".")[0] for p in problems} == {"8"}
    fed = {item for items in mapping.values() for item in items}
    assert fed == {n.code for n in officials.officials_items(TREE, METHOD)}


def test_the_876_officials_items_total_20_points_and_sipas_12():
    items = officials.officials_items(TREE, METHOD)
    assert sum(n.max_points for n in items) == 20  # scoring/trees/par-province-876.yaml header (assumed)
    assert [n.code for n in items][:2] == ["1.7", "2.4.1"]
    domain8 = next(d for d in TREE if d.code == "8")
    sipas = [leaf for c in domain8.children for leaf in c.children if leaf.survey == "sipas"]
    assert sum(n.max_points for n in sipas) == 12
