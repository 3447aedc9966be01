"""Benchmark: keystrokes per paper form on the entry page (/field/entry/<id>/), shipped questionnaires.

    .venv/bin/python bench/entry_keys.py [--keys-per-second 3]

Counts the keys static/fieldwork/entry.js needs for one form, with a typical pattern of answers: a
6-character form number, the other header fields left as they are (one Enter each), scale questions
answered 4, single choice option 1, multiple choice options 1 and 2 (+ Enter), numbers of two digits
(+ Enter), optional text left blank (Enter), required text of 20 characters (+ Enter), then Ctrl+Enter.
Questions hidden by `show_if` under those answers cost nothing. Prints keys per form and the typing time
at the given speed; target: a 30-question form under a minute (docs/decisions.md D48), i.e. well under
180 keys at 3/s.
No server or database needed: the definitions are read with surveys.services.definitions.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from surveys.services.answers import is_visible  # noqa: E402
from surveys.services.definitions import parse_definition_file, questions  # noqa: E402

HEADER_FIELDS = 6  # form number, interview time, minutes, mode, area, phone: one Enter each
FORM_NUMBER_KEYS = 6


def typical_answer(question: dict):
    kind = question["type"]
    if kind == "scale":
        return 4 if any(o["value"] == 4 for o in question["options"]) else question["options"][0]["value"]
    if kind == "single":
        return question["options"][0]["value"]
    if kind == "multiple":
        return [o["value"] for o in question["options"][:2]]
    if kind == "number":
        return min(max(question.get("min", 10), 10), question.get("max", 99))
    return "x" * 20 if question.get("required", True) else None


def keys_for(question: dict, answer) -> int:
    kind = question["type"]
    if kind in ("scale", "single"):
        return 1 if len(question["options"]) < 10 else 2  # a digit jumps on; two digits from option 10
    if kind == "multiple":
        return len(answer) + 1
    if kind == "number":
        return len(str(answer)) + 1
    return (len(answer) if answer else 0) + 1


def form_keys(definition: dict) -> tuple[int, int, int]:
    """(keys, questions in the definition, questions shown) for one typical form."""
    answers: dict = {}
    keys = FORM_NUMBER_KEYS + HEADER_FIELDS
    shown = 0
    for question in questions(definition):
        if not is_visible(question, answers):
            continue
        shown += 1
        answer = typical_answer(question)
        if answer is not None:
            answers[question["code"]] = answer
        keys += keys_for(question, answer)
    return keys + 1, len(questions(definition)), shown  # + Ctrl+Enter


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys-per-second", type=float, default=3.0)
    args = parser.parse_args()
    print(f"{'questionnaire':32} {'questions':>9} {'shown':>6} {'keys':>5} {'seconds':>8}")
    worst = 0.0
    for path in sorted((ROOT / "surveys" / "definitions").glob("*.yaml")):
        result = parse_definition_file(path)
        if not result.ok:
            print(f"{path.name}: {result.errors[0]}")
            return 1
        keys, total, shown = form_keys(result.definition)
        seconds = keys / args.keys_per_second
        per_30 = seconds * 30 / max(shown, 1)
        worst = max(worst, per_30)
        print(f"{path.stem:32} {total:9} {shown:6} {keys:5} {seconds:8.1f}")
    speed = f"{args.keys_per_second:g} keys/s"
    print(f"typing time of a 30-question form at {speed}: {worst:.1f} s (target < 60 s)")
    return 0 if worst < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
