"""python manage.py compute_sipas --csv FILE [--margins FILE] [--by COLUMN ...] [--method NAME]
[--questionnaire YAML] [--format json|table]

Exit status: 0 computed, 1 bad input (one message naming file, row and column on stderr), 2 usage error.
"""

import json
import math
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analysis.exports.layout import fold_choice_columns
from analysis.sipas import METHODS, SipasInputError, compute_sipas, get_method
from analysis.sipas.inputs import (
    categorical_of_definition,
    elements_of_questionnaire_file,
    read_answers_csv,
    read_margins_csv,
)
from analysis.sipas.methods import default_method_for
from surveys.services.definitions import parse_definition_file

DEFAULT_QUESTIONNAIRE = Path(settings.BASE_DIR) / "surveys" / "definitions" / "sipas_citizens.yaml"


class Command(BaseCommand):
    help = "SIPAS indices (per element, item and overall) with standard errors and 95% intervals from a CSV."

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, help="answers: one row per respondent")
        parser.add_argument("--margins", help="population margins CSV: variable,category,population")
        parser.add_argument("--by", action="append", default=[], help="breakdown column (repeatable)")
        parser.add_argument(
            "--method",
            choices=sorted(METHODS),
            help="default: sipas-1001-parts when the questionnaire has a policy part, else sipas-2023",
        )
        parser.add_argument(
            "--policy-weight", type=float, help="w of sipas-1001-weighted (the policy part's weight)"
        )
        parser.add_argument("--questionnaire", default=str(DEFAULT_QUESTIONNAIRE))
        parser.add_argument("--format", default="table", choices=["json", "table"])

    def handle(self, *args, **opts):
        try:
            elements = elements_of_questionnaire_file(Path(opts["questionnaire"]))
            definition = parse_definition_file(Path(opts["questionnaire"])).definition
            method = get_method(opts["method"] or default_method_for(elements))
            if opts["policy_weight"] is not None:
                if not 0 <= opts["policy_weight"] <= 1:
                    raise CommandError("--policy-weight must be between 0 and 1", returncode=2)
                method = method.with_parameters(policy_weight=opts["policy_weight"])
            categorical = categorical_of_definition(definition)
            frame = read_answers_csv(Path(opts["csv"]))
            # An export (export_responses) has a 0/1 column per choice of a multiple-choice question.
            frame = fold_choice_columns(frame, [q.code for q in categorical if q.multiple])
            margins = read_margins_csv(Path(opts["margins"])) if opts["margins"] else None
            result = compute_sipas(
                frame,
                elements=elements,
                method=method,
                by=opts["by"],
                margins=margins,
                source=opts["csv"],
                margins_source=opts["margins"] or "margins",
                categorical=categorical,
            )
        except SipasInputError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)
        except OSError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if opts["format"] == "json":
            self.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_table(result))


def _percent(value) -> str:
    return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{100 * value:.2f}"


def _table(result) -> str:
    lines = [
        f"method {result.method.name}; {result.respondents} respondents; weights: {result.calibration}; "
        f"{result.design['strata']} strata, {result.design['psus']} PSUs, "
        f"df {result.design['degrees_of_freedom']}",
        "estimates in %; '–' = suppressed (fewer than "
        f"{result.method.min_respondents} respondents) or no answer",
        "",
        f"{'breakdown':<28} {'element / item':<28} {'estimate':>8} {'SE':>6} {'95% CI':>15} {'n':>7} "
        f"{'weighted n':>11}",
    ]
    parts = [("sipas", None), ("parts", "part"), ("alternatives", "method"), ("elements", "element")]
    parts.append(("items", "item"))
    for name, column in parts:
        for row in getattr(result, name).to_dict("records"):
            where = "all" if row["by"] is None else f"{row['by']}={row['group']}"
            what = "SIPAS" if column is None else row[column]
            what = (
                f"part {what}" if name == "parts" else f"SIPAS by {what}" if name == "alternatives" else what
            )
            interval = "–" if row["suppressed"] else f"{_percent(row['ci_low'])}–{_percent(row['ci_high'])}"
            lines.append(
                f"{where[:28]:<28} {what[:28]:<28} {_percent(row['estimate']):>8} {_percent(row['se']):>6} "
                f"{interval:>15} {row['n']:>7} {row['weighted_n']:>11.1f}"
            )
    return "\n".join(lines)
