"""The expression language of `relevant` and `constraint`: the server's evaluator and the browser's
(static/surveys/conditions.js, run in Node) give the same answer on every shared case
(tests/surveys/expression_cases.json), refuse the same expressions at the same position, and never eval."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from surveys.services.expressions import ExpressionError, holds, parse

HERE = Path(__file__).parent
CASES = json.loads((HERE / "expression_cases.json").read_text(encoding="utf-8"))
CONDITIONS_JS = HERE.parents[1] / "static" / "surveys" / "conditions.js"


def case_id(case: dict) -> str:
    return case["expr"][:60] or "(empty)"


@pytest.mark.parametrize("case", CASES["true_or_false"], ids=case_id)
def test_the_server_evaluates_each_shared_case_as_expected(case):
    assert holds(case["expr"], case["answers"], case.get("current")) is case["expect"]


@pytest.mark.parametrize("case", CASES["refused"], ids=case_id)
def test_the_server_refuses_each_unsupported_expression_at_its_position(case):
    with pytest.raises(ExpressionError) as refused:
        parse(case["expr"])
    assert refused.value.position == case["position"]


@pytest.mark.parametrize("case", CASES["references"], ids=case_id)
def test_references_are_listed_once_in_order_with_the_current_value_flag(case):
    parsed = parse(case["expr"])
    assert list(parsed.references) == case["references"]
    assert parsed.uses_current is case["current"]


def test_nothing_is_evaluated_as_python():
    # A Python expression is not an XPath one: refused, not run.
    for text in ("__import__('os').system('true')", "${a}.__class__", "[1] * 10**9"):
        with pytest.raises(ExpressionError):
            parse(text)


def test_a_very_long_expression_is_refused_before_it_is_parsed():
    with pytest.raises(ExpressionError, match="longer than"):
        parse("${a} = 1 or " * 400 + "${a} = 1")


def test_the_browser_code_gives_the_same_results_in_node():
    node = shutil.which("node")
    if node is None:  # fail, never skip: Node comes with the machine image (and CI)
        pytest.fail("node is missing: apt-get install nodejs")
    run = subprocess.run(
        [
            node,
            str(HERE / "expression_cases_runner.js"),
            str(HERE / "expression_cases.json"),
            str(CONDITIONS_JS),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    results = json.loads(run.stdout)
    assert results["true_or_false"] == [case["expect"] for case in CASES["true_or_false"]]
    assert results["refused"] == [case["position"] for case in CASES["refused"]]
    assert results["references"] == [[case["references"], case["current"]] for case in CASES["references"]]
