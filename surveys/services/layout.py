"""The questionnaire laid out for a page: numbered questions with their values, visibility, errors and skip
hints, and the progress over the visible required questions. Used by the respondent's page and by field entry.
"""

import json

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kit.numbers import format_typed

from .answers import clean_answers, is_visible
from .definitions import languages, localised
from .expressions import holds


def _shown_value(question: dict, value: object) -> str:
    if value is None or isinstance(value, list):
        return ""
    if question["type"] == "number" and not isinstance(value, str):
        return format_typed(value)
    return str(value)


def page_sections(
    definition: dict, answers: dict, errors: dict, *, language: str | None = None
) -> tuple[list[dict], dict]:
    """The definition laid out for the template: numbered questions with their values, visibility, errors,
    and the progress over the visible required questions. `answers` may be stored or as posted (text).

    Texts are in `language` (by default the page's) when the questionnaire has it, else in its main
    language. Each section also has `blocks`, the order the page shows: questions, the headings of nested
    groups, and grids (docs/decisions.md D252)."""
    language = page_language(definition, language)
    basis, _errors = clean_answers(definition, answers, final=False)  # typed values decide skip rules
    by_code: dict[str, dict] = {}
    sections = []
    required = answered = number = 0
    for section in definition["sections"]:
        items = []
        for question in section["questions"]:
            value = answers.get(question["code"])
            chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")}
            is_note = question["type"] == "note"
            number += not is_note
            item = {
                **question,
                "text": localised(question, "text", language),
                "help": localised(question, "help", language),
                "number": "" if is_note else number,
                "grouped": question["type"] in ("scale", "single", "multiple"),
                # A stored number as one would type it ("1,5" in Vietnamese); text as posted stays as typed.
                "value": _shown_value(question, value),
                "options": [
                    {**o, "label": localised(o, "label", language), "checked": str(o["value"]) in chosen}
                    for o in question.get("options", [])
                ],
                "visible": is_visible(question, basis),
                "error": errors.get(question["code"], ""),
                "show_if_json": json.dumps(question["show_if"]) if question.get("show_if") else "",
                "relevant_expression": _joined([*question.get("within", ()), question.get("relevant", "")]),
                "condition": _condition_hint(question.get("show_if"), by_code),
            }
            by_code[question["code"]] = item
            if item["visible"] and question.get("required", True) and not is_note:
                required += 1
                answered += bool(chosen)
            items.append(item)
        sections.append(
            {
                **section,
                "title": localised(section, "title", language),
                "intro": localised(section, "intro", language),
                "questions": items,
                "visible": not section.get("relevant") or holds(section["relevant"], basis),
                "blocks": _blocks(section, items, basis, language),
            }
        )
    return sections, {"required": required, "answered": answered}


def page_language(definition: dict, language: str | None = None) -> str:
    """The language the page shows the questionnaire in: the page's when the questionnaire has it."""
    wanted = (language or get_language() or "").split("-")[0]
    available = languages(definition)
    return wanted if wanted in available else available[0]


def _joined(expressions: list[str]) -> str:
    """Several conditions as one expression for the page's script (each one in parentheses)."""
    present = [e for e in expressions if e]
    if len(present) <= 1:
        return present[0] if present else ""
    return " and ".join(f"({e})" for e in present)


def _blocks(section: dict, items: list[dict], basis: dict, language: str) -> list[dict]:
    """Questions in page order, with a heading where a nested group starts, and grids: in a field-list
    section or group, consecutive scale questions with the same options share one table."""
    groups = {g["code"]: g for g in section.get("groups") or []}
    field_list = section.get("appearance") == "field-list"
    blocks: list[dict] = []
    current_group = None
    for item in items:
        group = item.get("group")
        if group != current_group and group is not None:
            spec = groups[group]
            condition = _joined([section.get("relevant", ""), spec.get("relevant", "")])
            blocks.append(
                {
                    "kind": "heading",
                    "code": group,
                    "title": localised(spec, "title", language),
                    "relevant_expression": condition,
                    "visible": not condition or holds(condition, basis),
                }
            )
        current_group = group
        in_grid = (field_list if group is None else groups[group].get("appearance") == "field-list") and item[
            "type"
        ] == "scale"
        previous = blocks[-1] if blocks else None
        if (
            in_grid
            and previous is not None
            and previous["kind"] == "grid"
            and previous["group"] == group
            and [o["value"] for o in previous["options"]] == [o["value"] for o in item["options"]]
        ):
            previous["questions"].append(item)
        elif in_grid:
            blocks.append({"kind": "grid", "group": group, "options": item["options"], "questions": [item]})
        else:
            blocks.append({"kind": "question", "question": item})
    for block in blocks:  # a grid of one question is an ordinary question
        if block["kind"] == "grid" and len(block["questions"]) == 1:
            block.update(kind="question", question=block["questions"][0])
    return blocks


def _condition_hint(condition: dict | None, by_code: dict) -> str:
    if not condition:
        return ""
    target = by_code[condition["question"]]
    wanted = [condition["equals"]] if "equals" in condition else condition["in"]
    labels = {str(o["value"]): o["label"] for o in target["options"]}
    answer = " / ".join(labels.get(str(v), str(v)) for v in wanted)
    return _("Answer only if your answer to question %(number)s was “%(answer)s”.") % {
        "number": target["number"],
        "answer": answer,
    }
