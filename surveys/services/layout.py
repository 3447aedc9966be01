"""The questionnaire laid out for a page: numbered questions with their values, visibility, errors and skip
hints, and the progress over the visible required questions. Used by the respondent's page and by field entry.
"""

import json

from django.utils.translation import gettext as _

from .answers import clean_answers, is_visible


def page_sections(definition: dict, answers: dict, errors: dict) -> tuple[list[dict], dict]:
    """The definition laid out for the template: numbered questions with their values, visibility, errors,
    and the progress over the visible required questions. `answers` may be stored or as posted (text)."""
    basis, _errors = clean_answers(definition, answers, final=False)  # typed values decide skip rules
    by_code: dict[str, dict] = {}
    sections = []
    required = answered = 0
    for section in definition["sections"]:
        items = []
        for question in section["questions"]:
            value = answers.get(question["code"])
            chosen = {str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")}
            item = {
                **question,
                "number": len(by_code) + 1,
                "grouped": question["type"] in ("scale", "single", "multiple"),
                # Text, not a localised number: an <input type=number> needs "12.5", never "12,5".
                "value": "" if value is None or isinstance(value, list) else str(value),
                "options": [{**o, "checked": str(o["value"]) in chosen} for o in question.get("options", [])],
                "visible": is_visible(question, basis),
                "error": errors.get(question["code"], ""),
                "show_if_json": json.dumps(question["show_if"]) if question.get("show_if") else "",
                "condition": _condition_hint(question.get("show_if"), by_code),
            }
            by_code[question["code"]] = item
            if item["visible"] and question.get("required", True):
                required += 1
                answered += bool(chosen)
            items.append(item)
        sections.append({**section, "questions": items})
    return sections, {"required": required, "answered": answered}


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
