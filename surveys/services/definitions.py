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

Additions that carry what XLSForm workbooks say (surveys/services/xlsform.py reads and writes them;
docs/decisions.md D250):

    languages: [vi, en]            # the first is the language of text/label/title; the others in i18n
    i18n: {en: {title: …, intro: …}}
    sections:
      - code: s1
        relevant: "${q0} = 'yes'"   # the whole section (an XLSForm group) shows only then
        ungrouped: true              # an XLSForm's questions outside any group (no section title)
        appearance: field-list       # likert questions in a row with one scale show as a grid
        groups:                      # groups nested in the section: [{code, title, relevant, appearance}]
          - {code: g1, title: …}
        questions:
          - code: q1
            type: date | note        # besides the five above; a note shows text and takes no answer
            integer: true            # number questions: whole numbers only
            relevant: "${a} = 1 and not(selected(${b}, 'x'))"   # instead of show_if
            constraint: ". >= 18"    # must hold for the answer; constraint_message says why
            constraint_message: …
            group: g1                # inside the section's nested group g1
            options: [{value: other, label: Khác, other: true}]  # "or_other"
            other_of: q0             # the text question that says what "other" is
            list: yes_no             # the XLSForm choice list's name, when it is not the question's code
            i18n: {en: {text: …, help: …, constraint_message: …}}   # options: {en: {label: …}}
"""

import re
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from kit.documents import is_number, read_document
from kit.text import nfc

from .expressions import ExpressionError, parse

QUESTION_TYPES = {"scale", "single", "multiple", "number", "text", "date", "note"}
CHOICE_TYPES = ("scale", "single", "multiple")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")
# Sections, groups and questions may also use capitals (XLSForm names such as Q1_age).
_ITEM_CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,59}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
DEFAULT_LANGUAGE = "vi"
SECTION_APPEARANCES = {"field-list"}
# Translatable keys of each kind of item (docs/decisions.md D250).
I18N_KEYS = {
    "document": ("title", "intro"),
    "section": ("title", "intro"),
    "group": ("title",),
    "question": ("text", "help", "constraint_message"),
    "option": ("label",),
}


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
    languages = _check_languages(document.get("languages"), errors)
    _check_i18n(document, "(top)", "document", languages, errors)
    scales = document.get("scales") or {}
    if not isinstance(scales, dict):
        errors.append("scales: a mapping of scale name to options")
        scales = {}
    for name, options in scales.items():
        _check_options(options, f"scales.{name}", errors, languages)
    sections = document.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append("sections: a non-empty list")
        sections = []
    seen: dict[str, dict] = {}
    section_codes: set[str] = set()
    context = {"languages": languages, "scales": scales}
    for s_index, section in enumerate(sections):
        where = f"sections[{s_index}]"
        if not isinstance(section, dict):
            errors.append(f"{where}: a mapping is expected")
            continue
        code = _checked_code(section.get("code"), where, section_codes, errors, pattern=_ITEM_CODE)
        if code:
            section_codes.add(code)
        if not isinstance(section.get("title"), str):
            errors.append(f"{where}.title: required text")
        if "ungrouped" in section and not isinstance(section["ungrouped"], bool):
            errors.append(f"{where}.ungrouped: true or false")
        _check_group_keys(section, where, "section", seen, context, errors)
        subgroups = _check_subgroups(section, where, seen, section_codes, context, errors)
        questions = section.get("questions")
        if not isinstance(questions, list) or not questions:
            errors.append(f"{where}.questions: a non-empty list")
            continue
        previous_group: str | None = None
        closed: set[str] = set()
        for q_index, question in enumerate(questions):
            q_where = f"{where}.questions[{q_index}]"
            group = question.get("group") if isinstance(question, dict) else None
            if group is not None and group not in subgroups:
                errors.append(f"{q_where}.group: {group!r} is not a group of this section")
            elif group is not None and group in closed:
                errors.append(f"{q_where}.group: the questions of group {group!r} must follow each other")
            elif group is not None and group != previous_group:
                # The group starts here: its condition may name the questions before it.
                g_index, subgroup = subgroups[group]
                if "relevant" in subgroup:
                    _check_expression(
                        subgroup["relevant"], f"{where}.groups[{g_index}].relevant", seen, errors
                    )
            if previous_group is not None and group != previous_group:
                closed.add(previous_group)
            previous_group = group
            _check_question(question, q_where, scales, seen, errors, languages)
        for group, (g_index, _subgroup) in subgroups.items():
            if group not in closed and group != previous_group:
                errors.append(f"{where}.groups[{g_index}]: no question belongs to group {group!r}")
    if errors:
        return DefinitionResult(errors=errors)
    return DefinitionResult(definition=_normalised(document))


def _check_options(
    options: object, where: str, errors: list[str], languages: list[str] | None = None
) -> None:
    if not isinstance(options, list) or not options:
        errors.append(f"{where}: a non-empty list of options")
        return
    values = set()
    for index, option in enumerate(options):
        if not isinstance(option, dict) or "value" not in option or not isinstance(option.get("label"), str):
            errors.append(f"{where}[{index}]: an option needs a value and a label")
            continue
        for flag in ("missing", "other"):
            if flag in option and not isinstance(option[flag], bool):
                errors.append(f"{where}[{index}].{flag}: true or false")
        _check_i18n(option, f"{where}[{index}]", "option", languages or [DEFAULT_LANGUAGE], errors)
        value = option["value"]
        if not isinstance(value, int | str) or isinstance(value, bool):
            errors.append(f"{where}[{index}].value: a number or a short text")
        elif value in values:
            errors.append(f"{where}[{index}].value: {value!r} is used twice")
        else:
            values.add(value)


def _checked_code(
    code: object, where: str, taken: Container[str], errors: list[str], pattern: re.Pattern = _CODE
) -> str | None:
    """The code when it is well formed and new, else None (with the problem reported at `where.code`)."""
    if not isinstance(code, str) or not pattern.match(code):
        if pattern is _CODE:
            errors.append(f"{where}.code: required, lower-case letters, digits, '-', '_' or '.'")
        else:
            errors.append(f"{where}.code: required, at most 60 letters, digits, '-', '_' or '.'")
        return None
    if code in taken:
        errors.append(f"{where}.code: '{code}' is used twice")
        return None
    return code


def _check_question(
    question: object,
    where: str,
    scales: dict,
    seen: dict,
    errors: list[str],
    languages: list[str] | None = None,
) -> None:
    languages = languages or [DEFAULT_LANGUAGE]
    if not isinstance(question, dict):
        errors.append(f"{where}: a mapping is expected")
        return
    code = _checked_code(question.get("code"), where, seen, errors, pattern=_ITEM_CODE)
    if not isinstance(question.get("text"), str) or not question.get("text", "").strip():
        errors.append(f"{where}.text: required text")
    kind = question.get("type")
    if not isinstance(kind, str) or kind not in QUESTION_TYPES:  # a list or mapping is not hashable
        errors.append(f"{where}.type: one of {', '.join(sorted(QUESTION_TYPES))}")
    if kind == "scale":
        if not isinstance(question.get("scale"), str) or question["scale"] not in scales:
            errors.append(f"{where}.scale: unknown scale {question.get('scale')!r}")
    elif kind in ("single", "multiple"):
        _check_options(question.get("options"), f"{where}.options", errors, languages)
        options = question.get("options") if isinstance(question.get("options"), list) else []
        if sum(1 for o in options if isinstance(o, dict) and o.get("other") is True) > 1:
            errors.append(f"{where}.options: at most one option is the 'other' option")
        if "list" in question and not (
            isinstance(question["list"], str) and _ITEM_CODE.match(question["list"])
        ):
            errors.append(f"{where}.list: the name of a choice list (letters, digits, '-', '_' or '.')")
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
    if "integer" in question and (kind != "number" or not isinstance(question["integer"], bool)):
        errors.append(f"{where}.integer: true or false, for number questions")
    if "required" in question and not isinstance(question["required"], bool):
        errors.append(f"{where}.required: true or false")
    if "feeds" in question and not isinstance(question["feeds"], str):
        errors.append(f"{where}.feeds: the code of an index element or sub-criterion, as text")
    if "help" in question and not isinstance(question["help"], str):
        errors.append(f"{where}.help: text")
    if "group" in question and not isinstance(question["group"], str):
        errors.append(f"{where}.group: the code of one of the section's groups")
    if "other_of" in question:
        target = seen.get(question["other_of"]) if isinstance(question["other_of"], str) else None
        has_other = target is not None and any(
            isinstance(o, dict) and o.get("other") is True for o in target.get("options") or []
        )
        if kind != "text" or not has_other:
            errors.append(f"{where}.other_of: a text question after a choice question with an 'other' option")
    _check_i18n(question, where, "question", languages, errors)
    condition = question.get("show_if")
    if condition is not None and "relevant" in question:
        errors.append(f"{where}: give show_if or relevant, not both")
    elif condition is not None:
        _check_condition(condition, f"{where}.show_if", seen, scales, errors)
    if "relevant" in question:
        _check_expression(question["relevant"], f"{where}.relevant", seen, errors)
    if "constraint" in question:
        if kind == "note":
            errors.append(f"{where}.constraint: a note takes no answer")
        own = {**seen, code: question} if code else seen
        _check_expression(question["constraint"], f"{where}.constraint", own, errors)
    if "constraint_message" in question and not isinstance(question["constraint_message"], str):
        errors.append(f"{where}.constraint_message: text")
    if code:
        seen[code] = question


def _check_expression(text: object, where: str, seen: dict, errors: list[str]) -> None:
    """An XLSForm expression (surveys/services/expressions.py) that names only earlier questions."""
    if not isinstance(text, str):
        errors.append(f"{where}: an expression, as text")
        return
    try:
        parsed = parse(text)
    except ExpressionError as exc:
        errors.append(f"{where}: {exc.message} (at character {exc.position + 1})")
        return
    for name in parsed.references:
        if name not in seen:
            errors.append(f"{where}: ${{{name}}} is not an earlier question")
        elif seen[name].get("type") == "note":
            errors.append(f"{where}: ${{{name}}} is a note, which has no answer")
    if parsed.uses_current and where.endswith(".relevant"):
        errors.append(f"{where}: '.' (the answer itself) belongs in a constraint, not in relevant")


def _check_languages(languages: object, errors: list[str]) -> list[str]:
    if languages is None:
        return [DEFAULT_LANGUAGE]
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(code, str) and _LANGUAGE.match(code) for code in languages)
        or len(set(languages)) != len(languages)
    ):
        errors.append("languages: a list of distinct language codes such as [vi, en], the main one first")
        return [DEFAULT_LANGUAGE]
    return languages


def _check_i18n(item: dict, where: str, kind: str, languages: list[str], errors: list[str]) -> None:
    """`i18n: {en: {text: …}}`: other languages than the first, and only the item's translatable keys."""
    if "i18n" not in item:
        return
    translations = item["i18n"]
    where = f"{where}.i18n" if where != "(top)" else "i18n"
    if not isinstance(translations, dict):
        errors.append(f"{where}: a mapping of language to translated texts")
        return
    for language, texts in translations.items():
        if language not in languages[1:]:
            errors.append(f"{where}.{language}: not one of the questionnaire's other languages")
        elif not isinstance(texts, dict) or not all(
            key in I18N_KEYS[kind] and isinstance(value, str) for key, value in texts.items()
        ):
            keys = ", ".join(I18N_KEYS[kind])
            errors.append(f"{where}.{language}: a mapping of {keys} to text")


def _check_group_keys(
    item: dict, where: str, kind: str, seen: dict | None, context: dict, errors: list[str]
) -> None:
    """What sections and nested groups share: relevant (checked here when `seen` is given), appearance and
    translations."""
    if "relevant" in item and seen is not None:
        _check_expression(item["relevant"], f"{where}.relevant", seen, errors)
    if "appearance" in item and item["appearance"] not in SECTION_APPEARANCES:
        errors.append(f"{where}.appearance: one of {', '.join(sorted(SECTION_APPEARANCES))}")
    _check_i18n(item, where, kind, context["languages"], errors)


def _check_subgroups(
    section: dict, where: str, seen: dict, taken: set, context: dict, errors: list[str]
) -> dict:
    """{code: (index, group)} of the section's nested groups, checked like sections (code, title,
    appearance); a group's relevant is checked where its first question comes."""
    groups = section.get("groups")
    if groups is None:
        return {}
    if not isinstance(groups, list):
        errors.append(f"{where}.groups: a list of {{code, title}}")
        return {}
    codes: dict = {}
    for index, group in enumerate(groups):
        g_where = f"{where}.groups[{index}]"
        if not isinstance(group, dict):
            errors.append(f"{g_where}: a mapping is expected")
            continue
        code = _checked_code(group.get("code"), g_where, taken | set(codes), errors, pattern=_ITEM_CODE)
        if code:
            codes[code] = (index, group)
        if not isinstance(group.get("title"), str):
            errors.append(f"{g_where}.title: required text")
        _check_group_keys(group, g_where, "group", None, context, errors)
    return codes


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
    """Defaults filled in and text NFC-normalised, so that every consumer reads the same shape.

    Each question also gets `within`: the conditions of the section and nested group it is in, so that
    every reader of a question (skip rules, field entry, demos) knows when it shows."""
    document = nfc(document)
    scales = document.get("scales") or {}
    sections = []
    for section in document["sections"]:
        subgroups = {g["code"]: g for g in section.get("groups") or []}
        questions = []
        for q in section["questions"]:
            question = {
                "code": q["code"],
                "type": q["type"],
                "text": q["text"].strip(),
                "required": q.get("required", True) and q["type"] != "note",
            }
            if q["type"] == "scale":
                question["scale"] = q["scale"]
                question["options"] = scales[q["scale"]]
            elif q["type"] in ("single", "multiple"):
                question["options"] = q["options"]
            elif q["type"] == "number":
                question.update({k: q[k] for k in ("min", "max") if k in q})
                if q.get("integer"):
                    question["integer"] = True
            elif q["type"] == "text":
                question["max_length"] = q.get("max_length", 1000)
            for key in _QUESTION_EXTRAS:
                if key in q:
                    question[key] = q[key]
            within = [section["relevant"]] if section.get("relevant") else []
            group = subgroups.get(q.get("group"))
            if group is not None and group.get("relevant"):
                within.append(group["relevant"])
            if within:
                question["within"] = within
            questions.append(question)
        sections.append(
            {
                "code": section["code"],
                "title": section["title"],
                "questions": questions,
                **{key: section[key] for key in _SECTION_EXTRAS if key in section},
                **({"groups": section["groups"]} if section.get("groups") else {}),
            }
        )
    normalised = {
        "code": document["code"],
        "title": document["title"].strip(),
        "groups": document["groups"],
        "intro": document.get("intro", ""),
        "scales": scales,
        "sections": sections,
    }
    if document.get("languages") and document["languages"] != [DEFAULT_LANGUAGE]:
        normalised["languages"] = document["languages"]
    if document.get("i18n"):
        normalised["i18n"] = document["i18n"]
    return normalised


# `ungrouped`: questions an XLSForm has outside any group (the page shows them without a section title).
_SECTION_EXTRAS = ("intro", "relevant", "appearance", "i18n", "ungrouped")
_QUESTION_EXTRAS = (
    "show_if",
    "relevant",
    "constraint",
    "constraint_message",
    "feeds",
    "help",
    "group",
    "other_of",
    "list",
    "i18n",
)


def languages(definition: dict) -> list[str]:
    """The questionnaire's languages, the main one (of text, label, title) first."""
    return definition.get("languages") or [DEFAULT_LANGUAGE]


def localised(item: dict, key: str, language: str | None) -> str:
    """`item[key]` in `language` when the item has that translation, else in the main language."""
    translated = (item.get("i18n") or {}).get(language or "", {}).get(key)
    return translated if translated else item.get(key, "")


def questions(definition: dict) -> list[dict]:
    return [q for section in definition["sections"] for q in section["questions"]]
