"""Property-based tests (hypothesis) of the questionnaire loader: any YAML-like structure gives a definition
or a list of problems, never an exception; generated valid definitions load, survive YAML and JSON
round trips unchanged, and a broken part of one is reported, not raised."""

import json
import math

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.text import nfc
from surveys.services.definitions import parse_definition_file, validate_definition

BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = ["code", "title", "groups", "scales", "sections", "questions", "type", "text", "scale", "options",
        "value", "label", "required", "min", "max", "max_length", "show_if", "question", "equals", "in",
        "feeds", "help", "intro", "missing"]  # fmt: skip
TYPES = ["scale", "single", "multiple", "number", "text"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # .nan and .inf included: YAML reads them
    st.text(max_size=12),
    st.sampled_from(TYPES + KEYS),
)
yaml_like = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=6)
    ),
    max_leaves=40,
)
codes = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
labels = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=20)


def required_text(label: str) -> str:
    """The label, or "?" when nothing is left of it once normalised (blanks, zero-width characters)."""
    return label if nfc(label).strip() else "?"


@st.composite
def definitions(draw) -> dict:
    """A valid definition: every question type, scales, show_if on an earlier choice question."""
    question_codes = draw(st.lists(codes, min_size=1, max_size=8, unique=True))
    option_values = st.lists(st.integers(-5, 9) | codes, min_size=1, max_size=5, unique=True)
    scale = [{"value": v, "label": draw(labels)} for v in draw(option_values)]
    questions, choices = [], []
    for code in question_codes:
        kind = draw(st.sampled_from(TYPES))
        question = {"code": code, "type": kind, "text": required_text(draw(labels))}
        if kind == "scale":
            question["scale"] = "s1"
        elif kind in ("single", "multiple"):
            question["options"] = [{"value": v, "label": draw(labels)} for v in draw(option_values)]
        elif kind == "number":
            low = draw(st.integers(-100, 100))
            question.update({"min": low, "max": low + draw(st.integers(0, 100))})
        elif kind == "text":
            question["max_length"] = draw(st.integers(1, 2000))
        if choices and draw(st.booleans()):
            earlier = draw(st.sampled_from(choices))
            values = [o["value"] for o in (scale if earlier["type"] == "scale" else earlier["options"])]
            question["show_if"] = {"question": earlier["code"], "equals": draw(st.sampled_from(values))}
        question["required"] = draw(st.booleans())
        if kind in ("scale", "single", "multiple"):
            choices.append(question)
        questions.append(question)
    split = draw(st.integers(1, len(questions)))
    sections = [
        {"code": f"s{i}", "title": draw(labels), "questions": part}
        for i, part in enumerate([questions[:split], questions[split:]])
        if part
    ]
    return {
        "code": draw(codes),
        "title": required_text(draw(labels)),
        "groups": draw(st.lists(codes, min_size=1, max_size=3)),
        "scales": {"s1": scale},
        "sections": sections,
    }


def paths(node, prefix=()):
    """Every path into a nested structure of dicts and lists."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from paths(child, (*prefix, key))


def replaced(document, path, value):
    if not path:
        return value
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = replaced(document[path[0]], path[1:], value)
    return copy


def assert_problems_or_definition(result):
    assert isinstance(result.errors, list) and all(isinstance(e, str) for e in result.errors)
    if result.ok:
        json.dumps(result.definition, allow_nan=False)  # storable in a JSON column
    else:
        assert result.errors and result.definition is None


@BOUNDED
@given(yaml_like)
def test_any_structure_gives_problems_or_a_definition_never_an_exception(document):
    assert_problems_or_definition(validate_definition(document))


@BOUNDED
@given(definitions())
def test_a_valid_definition_loads_and_survives_yaml_and_json_round_trips(tmp_path_factory, document):
    result = validate_definition(document)
    assert result.ok, result.errors
    assert validate_definition(result.definition).definition == result.definition  # idempotent
    folder = tmp_path_factory.mktemp("definitions")
    for name, text in [
        ("q.yaml", yaml.safe_dump(document, allow_unicode=True)),
        ("q.json", json.dumps(document, ensure_ascii=False)),
    ]:
        (folder / name).write_text(text, encoding="utf-8")
        assert parse_definition_file(folder / name).definition == result.definition


@BOUNDED
@given(definitions(), st.data())
def test_a_broken_part_of_a_valid_definition_is_reported_never_raised(document, data):
    path = data.draw(st.sampled_from(list(paths(document))))
    junk = data.draw(yaml_like)
    assert_problems_or_definition(validate_definition(replaced(document, path, junk)))


@BOUNDED
@given(definitions(), st.sampled_from([math.inf, -math.inf, math.nan]))
def test_a_number_bound_that_is_not_finite_is_refused(document, bound):
    first = document["sections"][0]["questions"][0]
    first.update({"type": "number", "min": bound})
    for key in ("scale", "options", "max_length", "max"):
        first.pop(key, None)
    result = validate_definition(document)
    assert not result.ok
    assert any(".min: a number" in e for e in result.errors)
