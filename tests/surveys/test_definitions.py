"""Questionnaire definitions: every problem is reported with its path, and valid files come out normalised.

Pure functions, no database. Each case changes one thing in a valid document and names the one path that
must be reported; the messages are English (not translated) but only the paths are checked.
"""

import copy
import json
import unicodedata

import pytest

from kit.documents import MAX_FILE_BYTES, checksum
from surveys.services.definitions import parse_definition_file, questions, validate_definition

VALID = {
    "code": "par-test",
    "title": "Phiếu thử",
    "groups": ["hdnd", "dept_leader"],
    "scales": {
        "agree": [
            {"value": 1, "label": "Không đồng ý"},
            {"value": 2, "label": "Đồng ý"},
            {"value": 0, "label": "Không biết", "missing": True},
        ]
    },
    "sections": [
        {
            "code": "s1",
            "title": "Phần 1",
            "questions": [
                {
                    "code": "used",
                    "type": "single",
                    "text": "Có dùng không?",
                    "options": [
                        {"value": "yes", "label": "Có"},
                        {"value": "no", "label": "Không"},
                    ],
                },
                {"code": "rating", "type": "scale", "scale": "agree", "text": "Đánh giá", "feeds": "7.2"},
            ],
        },
        {
            "code": "s2",
            "title": "Phần 2",
            "questions": [
                {"code": "years", "type": "number", "text": "Số năm", "min": 0, "max": 40},
                {"code": "note", "type": "text", "text": "Ý kiến", "required": False},
            ],
        },
    ],
}


def q(document: dict, section: int, index: int) -> dict:
    return document["sections"][section]["questions"][index]


def paths(errors: list[str]) -> list[str]:
    return [error.split(": ", 1)[0] for error in errors]


def changed(change) -> dict:
    document = copy.deepcopy(VALID)
    change(document)
    return document


P = "sections[0].questions[1]"  # the scale question "rating"
N = "sections[1].questions[0]"  # the number question "years"
T = "sections[1].questions[1]"  # the text question "note"

CASES = [
    # (what, change, the one path reported, or the paths when one mistake has a consequence)
    ("code missing", lambda d: d.pop("code"), "code"),
    ("code with capitals", lambda d: d.update(code="PAR 2023"), "code"),
    ("code not text", lambda d: d.update(code=2023), "code"),
    ("title missing", lambda d: d.pop("title"), "title"),
    ("title blank", lambda d: d.update(title="   "), "title"),
    ("groups empty", lambda d: d.update(groups=[]), "groups"),
    ("groups a text", lambda d: d.update(groups="hdnd"), "groups"),
    ("groups holding a number", lambda d: d.update(groups=["hdnd", 3]), "groups"),
    # ... and the question using a scale that is then unknown.
    ("scales a list", lambda d: d.update(scales=[1, 2]), ["scales", f"{P}.scale"]),
    ("a scale without options", lambda d: d["scales"].update(empty=[]), "scales.empty"),
    ("a scale option without a label", lambda d: d["scales"]["agree"][1].pop("label"), "scales.agree[1]"),
    ("a scale option that is not a mapping", lambda d: d["scales"]["agree"].append(3), "scales.agree[3]"),
    ("a float option value", lambda d: d["scales"]["agree"][0].update(value=1.5), "scales.agree[0].value"),
    ("a boolean option value", lambda d: d["scales"]["agree"][0].update(value=True), "scales.agree[0].value"),
    ("a list option value", lambda d: d["scales"]["agree"][0].update(value=[1]), "scales.agree[0].value"),
    ("a duplicate option value", lambda d: d["scales"]["agree"][1].update(value=1), "scales.agree[1].value"),
    ("sections missing", lambda d: d.pop("sections"), "sections"),
    ("sections empty", lambda d: d.update(sections=[]), "sections"),
    ("a section that is not a mapping", lambda d: d["sections"].append("s3"), "sections[2]"),
    ("a section code missing", lambda d: d["sections"][1].pop("code"), "sections[1].code"),
    ("a duplicate section code", lambda d: d["sections"][1].update(code="s1"), "sections[1].code"),
    ("a section title missing", lambda d: d["sections"][1].pop("title"), "sections[1].title"),
    ("a section without questions", lambda d: d["sections"][1].update(questions=[]), "sections[1].questions"),
    (
        "a question that is not a mapping",
        lambda d: d["sections"][1]["questions"].append("q"),
        "sections[1].questions[2]",
    ),
    ("a question code missing", lambda d: q(d, 0, 1).pop("code"), f"{P}.code"),
    ("a question code with spaces", lambda d: q(d, 0, 1).update(code="my q"), f"{P}.code"),
    ("a duplicate question code in another section", lambda d: q(d, 1, 0).update(code="used"), f"{N}.code"),
    ("a duplicate question code in the same section", lambda d: q(d, 0, 1).update(code="used"), f"{P}.code"),
    ("question text missing", lambda d: q(d, 0, 1).pop("text"), f"{P}.text"),
    ("question text blank", lambda d: q(d, 0, 1).update(text=" "), f"{P}.text"),
    ("an unknown type", lambda d: q(d, 0, 1).update(type="slider"), f"{P}.type"),
    ("an unknown scale", lambda d: q(d, 0, 1).update(scale="agree5"), f"{P}.scale"),
    ("a scale question without a scale", lambda d: q(d, 0, 1).pop("scale"), f"{P}.scale"),
    ("a scale given as a list", lambda d: q(d, 0, 1).update(scale=["agree"]), f"{P}.scale"),
    (
        "a single question without options",
        lambda d: q(d, 0, 0).pop("options"),
        "sections[0].questions[0].options",
    ),
    (
        "a choice option value used twice",
        lambda d: q(d, 0, 0)["options"][1].update(value="yes"),
        "sections[0].questions[0].options[1].value",
    ),
    (
        "a choice option value that is a mapping",
        lambda d: q(d, 0, 0)["options"][0].update(value={"a": 1}),
        "sections[0].questions[0].options[0].value",
    ),
    ("a number bound as text", lambda d: q(d, 1, 0).update(min="0"), f"{N}.min"),
    ("a number bound that is a boolean", lambda d: q(d, 1, 0).update(max=True), f"{N}.max"),
    ("a number max below its min", lambda d: q(d, 1, 0).update(min=10, max=5), f"{N}.max"),
    ("a text max_length as text", lambda d: q(d, 1, 1).update(max_length="500"), f"{T}.max_length"),
    ("a text max_length of zero", lambda d: q(d, 1, 1).update(max_length=0), f"{T}.max_length"),
    ("required as text", lambda d: q(d, 1, 1).update(required="no"), f"{T}.required"),
    ("feeds as a YAML number", lambda d: q(d, 0, 1).update(feeds=7.2), f"{P}.feeds"),
    (
        "show_if to a later question",
        lambda d: q(d, 0, 1).update(show_if={"question": "years", "equals": 1}),
        f"{P}.show_if.question",
    ),
    (
        "show_if to an unknown question",
        lambda d: q(d, 0, 1).update(show_if={"question": "nope", "equals": 1}),
        f"{P}.show_if.question",
    ),
    (
        "show_if to the question itself",
        lambda d: q(d, 0, 1).update(show_if={"question": "rating", "equals": 1}),
        f"{P}.show_if.question",
    ),
    (
        "show_if naming a list",
        lambda d: q(d, 0, 1).update(show_if={"question": ["used"], "equals": "yes"}),
        f"{P}.show_if.question",
    ),
    (
        "show_if with both equals and in",
        lambda d: q(d, 0, 1).update(show_if={"question": "used", "equals": "yes", "in": ["yes"]}),
        f"{P}.show_if",
    ),
    (
        "show_if with neither equals nor in",
        lambda d: q(d, 0, 1).update(show_if={"question": "used"}),
        f"{P}.show_if",
    ),
    ("show_if without a question", lambda d: q(d, 0, 1).update(show_if={"equals": "yes"}), f"{P}.show_if"),
    ("show_if that is a text", lambda d: q(d, 0, 1).update(show_if="used == yes"), f"{P}.show_if"),
    (
        "show_if in that is not a list",
        lambda d: q(d, 0, 1).update(show_if={"question": "used", "in": "yes"}),
        f"{P}.show_if.in",
    ),
    (
        "show_if equals a value the question does not offer",
        lambda d: q(d, 0, 1).update(show_if={"question": "used", "equals": "Yes"}),
        f"{P}.show_if.equals",
    ),
    (
        "show_if in with one value the question does not offer",
        lambda d: q(d, 0, 1).update(show_if={"question": "used", "in": ["yes", "maybe"]}),
        f"{P}.show_if.in[1]",
    ),
    (
        "show_if equals a mapping",
        lambda d: q(d, 1, 1).update(show_if={"question": "years", "equals": {"a": 1}}),
        f"{T}.show_if.equals",
    ),
]


@pytest.mark.parametrize(("change", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_is_reported_once_with_its_path(change, path):
    result = validate_definition(changed(change))
    assert paths(result.errors) == (path if isinstance(path, list) else [path]), result.errors
    assert result.definition is None and not result.ok


@pytest.mark.parametrize("document", [[VALID], "code: x", None, 42], ids=["list", "text", "empty", "number"])
def test_a_document_that_is_not_a_mapping_is_refused_at_the_top(document):
    assert paths(validate_definition(document).errors) == ["(top)"]


def test_every_problem_of_a_document_is_reported_not_just_the_first():
    def several(d):
        d.pop("title")
        q(d, 0, 1)["scale"] = "nope"
        q(d, 1, 0)["code"] = "used"
        q(d, 1, 1)["show_if"] = {"question": "later", "in": [1]}

    assert paths(validate_definition(changed(several)).errors) == [
        "title",
        f"{P}.scale",
        f"{N}.code",
        f"{T}.show_if.question",
    ]


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "used", "equals": "yes"},
        {"question": "used", "in": ["yes", "no"]},
        {"question": "rating", "equals": 2},
        {"question": "years", "equals": 3},  # numbers and texts: any value is possible
        {"question": "years", "in": [1.5, 2]},
    ],
)
def test_show_if_on_an_earlier_question_with_a_possible_value_is_valid(condition):
    assert validate_definition(changed(lambda d: q(d, 1, 1).update(show_if=condition))).ok


def test_a_valid_document_is_normalised_with_its_defaults():
    result = validate_definition(changed(lambda d: d.update(title="  Phiếu thử  ", extra="ignored")))
    assert result.ok and result.errors == []
    d = result.definition
    assert (d["title"], d["intro"], d["groups"]) == ("Phiếu thử", "", ["hdnd", "dept_leader"])
    assert "extra" not in d
    used, rating, years, note = questions(d)
    assert used == {
        "code": "used",
        "type": "single",
        "text": "Có dùng không?",
        "required": True,
        "options": [{"value": "yes", "label": "Có"}, {"value": "no", "label": "Không"}],
    }
    # A scale question carries its scale's options, so consumers never look the scale up.
    assert rating["options"] == VALID["scales"]["agree"] and rating["scale"] == "agree"
    assert rating["feeds"] == "7.2" and rating["required"] is True
    assert (years["min"], years["max"], "max_length" in years) == (0, 40, False)
    assert (note["max_length"], note["required"]) == (1000, False)
    assert [s.get("intro") for s in d["sections"]] == [None, None]


def test_checksum_depends_on_content_not_on_key_order():
    definition = validate_definition(copy.deepcopy(VALID)).definition
    reordered = json.loads(json.dumps(definition, sort_keys=True))
    assert checksum(reordered) == checksum(definition)
    other = validate_definition(changed(lambda d: q(d, 0, 1).update(text="Đánh giá lại"))).definition
    assert checksum(other) != checksum(definition)


YAML_FILE = """
code: par-test
title: Phiếu thử
groups: [hdnd]
scales:
  agree:
    - {value: 1, label: "Không đồng ý"}
    - {value: 2, label: "Đồng ý"}
sections:
  - code: s1
    title: Phần 1
    intro: Ông/Bà đánh giá thế nào?
    questions:
      - code: rating
        type: scale
        scale: agree
        text: Đánh giá
        help: Chọn một mức.
"""


def test_a_yaml_file_is_read_and_normalised(tmp_path):
    path = tmp_path / "phieu.yaml"
    path.write_text(YAML_FILE, encoding="utf-8")
    result = parse_definition_file(path)
    assert result.ok
    assert result.definition["sections"][0]["intro"] == "Ông/Bà đánh giá thế nào?"
    assert questions(result.definition)[0]["help"] == "Chọn một mức."


def test_a_json_file_is_read_as_json(tmp_path):
    path = tmp_path / "phieu.json"
    path.write_text(json.dumps(VALID, ensure_ascii=False), encoding="utf-8")
    assert parse_definition_file(path).definition == validate_definition(copy.deepcopy(VALID)).definition


def test_a_file_saved_in_decomposed_unicode_is_read_as_nfc(tmp_path):
    path = tmp_path / "nfd.yaml"
    path.write_text(unicodedata.normalize("NFD", YAML_FILE), encoding="utf-8")
    nfc = tmp_path / "nfc.yaml"
    nfc.write_text(YAML_FILE, encoding="utf-8")
    definition = parse_definition_file(path).definition
    assert definition["title"] == "Phiếu thử" and unicodedata.is_normalized("NFC", definition["title"])
    assert checksum(definition) == checksum(parse_definition_file(nfc).definition)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bad.yaml", "code: [unclosed\ntitle: x\n"),
        ("bad.yaml", "code: a\n  title: wrong indent\n: :\n"),
        ("bad.json", '{"code": "a",}'),
        ("latin1.yaml", "title: Phi\xe9u\n".encode("latin-1")),
    ],
    ids=["yaml-flow", "yaml-indent", "json-trailing-comma", "not-utf8"],
)
def test_an_unreadable_file_is_one_problem_naming_the_file(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = parse_definition_file(path)
    assert len(result.errors) == 1 and result.errors[0].startswith(f"{name}: not valid YAML/JSON")
    assert "\n" not in result.errors[0] and result.definition is None


@pytest.mark.parametrize(
    ("content", "path"), [("", "(top)"), ("- a\n- b\n", "(top)"), ("code: x\n", "title")]
)
def test_a_readable_file_of_the_wrong_shape_is_validated(tmp_path, content, path):
    file = tmp_path / "shape.yaml"
    file.write_text(content, encoding="utf-8")
    assert paths(parse_definition_file(file).errors)[0] == path


def test_a_file_over_one_megabyte_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(YAML_FILE + "#" * (MAX_FILE_BYTES - len(YAML_FILE.encode()) + 1), encoding="utf-8")
    assert path.stat().st_size == MAX_FILE_BYTES + 1
    assert parse_definition_file(path).errors == ["big.yaml: file larger than 1 MB"]
    path.write_text(YAML_FILE + "#" * (MAX_FILE_BYTES - len(YAML_FILE.encode()) - 1), encoding="utf-8")
    assert parse_definition_file(path).ok  # 1 MB itself is allowed
