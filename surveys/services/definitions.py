"""Questionnaire definitions: a human-readable YAML/JSON document, validated with every problem's path.

Format (docs/reference/questionnaire-format.md):

    code: par-officials            # slug; versions of one questionnaire share it
    title: Phiếu khảo sát …
    groups: [hdnd, dept_leader]    # respondent groups that answer it
    intro: …                       # optional
    scales:                        # named answer scales, reused by questions of type "scale"
      satisfaction5:
        - {value: 1, label: Rất không hài lòng}
        - {value: 5, label: Rất hài lòng}
        - {value: 0, label: Không biết / không trả lời, missing: true}
    sections:
      - code: s1
        title: …
        questions:
          - code: q1                # unique in the questionnaire
            type: scale             # scale | single | multiple | number | text
            text: …
            help: …                 # optional hint
            scale: satisfaction5    # scale questions
            options: [{value: a, label: …}]   # single / multiple questions
            required: true          # default true
            min: 0                  # number questions (optional)
            max: 100
            max_length: 500         # text questions (default 1000)
            show_if: {question: q0, equals: 1}   # or {question: q0, in: [1, 2]}; an earlier question and
                                                 # values it can take
            feeds: "8.1.1"          # index element or sub-criterion the answer feeds (scored questions)
            text_en: …              # optional English beside any title, intro, text, help or label
"""

import re
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from kit.documents import is_number, read_document
from kit.text import nfc

QUESTION_TYPES = {"scale", "single", "multiple", "number", "text"}
# English beside the Vietnamese texts (optional; options keep their own `label_en`): kept as given.
TRANSLATIONS = ("title_en", "intro_en", "text_en", "help_en")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")


@dataclass
class DefinitionResult:
    definition: dict | None = None
    errors: list[str] = field(default_factory=list)  # "path: message"

    @property
    def ok(self) -> bool:
        return not self.errors and self.definition is not None


def parse_definition_file(path: Path) -> DefinitionResult:
    document, problem = read_document(path)
    if problem:
        return DefinitionResult(errors=[problem])
    return validate_definition(document)


def validate_definition(document: object) -> DefinitionResult:
    """Check the whole document; report every problem with its path (e.g. sections[1].questions[0].scale)."""
    errors: list[str] = []
    # Checked as it will be stored: a title of zero-width characters only is empty (docs/decisions.md D50).
    document = nfc(document)
    if not isinstance(document, dict):
        return DefinitionResult(errors=["(top): a mapping with code, title, groups and sections is expected"])
    for key in ("code", "title"):
        if not isinstance(document.get(key), str) or not document.get(key).strip():
            errors.append(f"{key}: required text")
    if isinstance(document.get("code"), str) and not _CODE.match(document["code"]):
        errors.append("code: use lower-case letters, digits, '-', '_' or '.'")
    groups = document.get("groups")
    if not isinstance(groups, list) or not groups or not all(isinstance(g, str) for g in groups):
        errors.append("groups: a non-empty list of respondent group codes")
    scales = document.get("scales") or {}
    if not isinstance(scales, dict):
        errors.append("scales: a mapping of scale name to options")
        scales = {}
    for name, options in scales.items():
        _check_options(options, f"scales.{name}", errors)
    sections = document.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append("sections: a non-empty list")
        sections = []
    seen: dict[str, dict] = {}
    section_codes: set[str] = set()
    for s_index, section in enumerate(sections):
        where = f"sections[{s_index}]"
        if not isinstance(section, dict):
            errors.append(f"{where}: a mapping is expected")
            continue
        code = _checked_code(section.get("code"), where, section_codes, errors)
        if code:
            section_codes.add(code)
        if not isinstance(section.get("title"), str):
            errors.append(f"{where}.title: required text")
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            errors.append(f"{where}.questions: a non-empty list")
            continue
        for q_index, question in enumerate(questions):
            _check_question(question, f"{where}.questions[{q_index}]", scales, seen, errors)
    if errors:
        return DefinitionResult(errors=errors)
    return DefinitionResult(definition=_normalised(document))


def _check_options(options: object, where: str, errors: list[str]) -> None:
    if not isinstance(options, list) or not options:
        errors.append(f"{where}: a non-empty list of options")
        return
    values = set()
    for index, option in enumerate(options):
        if not isinstance(option, dict) or "value" not in option or not isinstance(option.get("label"), str):
            errors.append(f"{where}[{index}]: an option needs a value and a label")
            continue
        value = option["value"]
        if not isinstance(value, int | str) or isinstance(value, bool):
            errors.append(f"{where}[{index}].value: a number or a short text")
        elif value in values:
            errors.append(f"{where}[{index}].value: {value!r} is used twice")
        else:
            values.add(value)


def _checked_code(code: object, where: str, taken: Container[str], errors: list[str]) -> str | None:
    """The code when it is well formed and new, else None (with the problem reported at `where.code`)."""
    if not isinstance(code, str) or not _CODE.match(code):
        errors.append(f"{where}.code: required, lower-case letters, digits, '-', '_' or '.'")
        return None
    if code in taken:
        errors.append(f"{where}.code: '{code}' is used twice")
        return None
    return code


def _check_question(question: object, where: str, scales: dict, seen: dict, errors: list[str]) -> None:
    if not isinstance(question, dict):
        errors.append(f"{where}: a mapping is expected")
        return
    code = _checked_code(question.get("code"), where, seen, errors)
    if not isinstance(question.get("text"), str) or not question.get("text", "").strip():
        errors.append(f"{where}.text: required text")
    kind = question.get("type")
    if not isinstance(kind, str) or kind not in QUESTION_TYPES:  # a list or mapping is not hashable
        errors.append(f"{where}.type: one of {', '.join(sorted(QUESTION_TYPES))}")
    if kind == "scale":
        if not isinstance(question.get("scale"), str) or question["scale"] not in scales:
            errors.append(f"{where}.scale: unknown scale {question.get('scale')!r}")
    elif kind in ("single", "multiple"):
        _check_options(question.get("options"), f"{where}.options", errors)
    elif kind == "number":
        for bound in ("min", "max"):
            if bound in question and not is_number(question[bound]):
                errors.append(f"{where}.{bound}: a number")
        bounds = [question.get("min"), question.get("max")]
        if all(is_number(b) for b in bounds) and bounds[0] > bounds[1]:
            errors.append(f"{where}.max: smaller than min")
    elif kind == "text" and "max_length" in question:
        length = question["max_length"]
        if not isinstance(length, int) or isinstance(length, bool) or length < 1:
            errors.append(f"{where}.max_length: a whole number")
    if "required" in question and not isinstance(question["required"], bool):
        errors.append(f"{where}.required: true or false")
    if "feeds" in question and not isinstance(question["feeds"], str):
        errors.append(f"{where}.feeds: the code of an index element or sub-criterion, as text")
    condition = question.get("show_if")
    if condition is not None:
        _check_condition(condition, f"{where}.show_if", seen, scales, errors)
    if code:
        seen[code] = question


def _check_condition(condition: object, where: str, seen: dict, scales: dict, errors: list[str]) -> None:
    if not isinstance(condition, dict) or "question" not in condition:
        errors.append(f"{where}: {{question: CODE, equals: VALUE}} or {{question: CODE, in: [VALUES]}}")
        return
    target = condition["question"]
    if not isinstance(target, str) or target not in seen:
        errors.append(f"{where}.question: {target!r} is not an earlier question")
        target = None
    if ("equals" in condition) == ("in" in condition):
        errors.append(f"{where}: give exactly one of 'equals' or 'in'")
        return
    if "in" in condition and not isinstance(condition["in"], list):
        errors.append(f"{where}.in: a list of values")
        return
    # A value no answer can take would hide the question for ever: a typo, reported rather than kept.
    given = (
        [(f"{where}.equals", condition["equals"])]
        if "equals" in condition
        else [(f"{where}.in[{i}]", v) for i, v in enumerate(condition["in"])]
    )
    options = _option_values(seen[target], scales) if target else None
    for path, value in given:
        if not (is_number(value) or isinstance(value, str)):
            errors.append(f"{path}: a number or a short text")
        elif options is not None and value not in options:
            errors.append(f"{path}: {value!r} is not an option of '{target}'")


def _option_values(question: dict, scales: dict) -> set | None:
    """The values a choice question's answer can take (None for numbers and text)."""
    if question.get("type") == "scale":
        options = scales.get(question["scale"]) if isinstance(question.get("scale"), str) else None
    elif question.get("type") in ("single", "multiple"):
        options = question.get("options")
    else:
        return None
    if not isinstance(options, list):
        return None
    return {o["value"] for o in options if isinstance(o, dict) and isinstance(o.get("value"), int | str)}


def _normalised(document: dict) -> dict:
    """Defaults filled in and text NFC-normalised, so that every consumer reads the same shape."""
    document = nfc(document)
    scales = document.get("scales") or {}
    sections = []
    for section in document["sections"]:
        questions = []
        for q in section["questions"]:
            question = {
                "code": q["code"],
                "type": q["type"],
                "text": q["text"].strip(),
                "required": q.get("required", True),
            }
            if q["type"] == "scale":
                question["scale"] = q["scale"]
                question["options"] = scales[q["scale"]]
            elif q["type"] in ("single", "multiple"):
                question["options"] = q["options"]
            elif q["type"] == "number":
                question.update({k: q[k] for k in ("min", "max") if k in q})
            elif q["type"] == "text":
                question["max_length"] = q.get("max_length", 1000)
            for key in ("show_if", "feeds", "help", *TRANSLATIONS):
                if key in q:
                    question[key] = q[key]
            questions.append(question)
        sections.append(
            {
                "code": section["code"],
                "title": section["title"],
                "questions": questions,
                **{k: section[k] for k in ("intro", *TRANSLATIONS) if k in section},
            }
        )
    return {
        "code": document["code"],
        "title": document["title"].strip(),
        "groups": document["groups"],
        "intro": document.get("intro", ""),
        **{k: document[k] for k in TRANSLATIONS if k in document},
        "scales": scales,
        "sections": sections,
    }


def questions(definition: dict) -> list[dict]:
    return [q for section in definition["sections"] for q in section["questions"]]
