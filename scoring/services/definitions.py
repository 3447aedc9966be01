"""Criteria tree files: a YAML document (domain → criterion → sub-criterion), validated with every
problem's path, like surveys/services/definitions.py does for questionnaires.

Format (docs/reference/criteria-tree-format.md):

    code: par-province-876         # slug; versions of one tree share it
    title: Chỉ số CCHC cấp tỉnh …
    level: province                # province | department | district | commune
    decision: 876/QĐ-BNV
    years: {from: 2022, until: 2030}
    total: 100                     # sum of the domains' max
    survey_total: 32               # optional: sum of the max of items scored by survey
    expected: {domains: 8, criteria: 37, sub_criteria: 88}   # optional counts, checked
    bands: bnv-province-groups-2023 # a band set of scoring/bands.py
    leads:                         # who scores (or appraises) a domain: a key → the unit, by code
      snv: {name: Sở Nội vụ, unit_code: SNV}
    confirmed: false               # optional on every node, inherited downwards
    source: "…"                    # where the figures come from, inherited downwards
    domains:
      - code: "1"
        name: …
        max: 9
        lead: snv                  # required on domains, may be overridden below
        criteria:
          - code: "1.1"
            name: …
            max: 2
            sub_criteria:          # optional: a criterion without them is scored itself
              - code: "1.1.1"
                name: …
                max: 0.5
                scored_by: self    # self (default) | survey | computed
                survey: officials  # items scored by survey: officials | sipas (default: sipas when the
                                   # item's or its criterion's name says SIPAS / hài lòng, else officials)
                rule: {kind: manual}   # manual | proportional | threshold_or_zero | tiered | survey
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from kit.documents import is_number, read_document
from kit.text import match_key

from ..bands import BANDS
from ..rules import RULE_KINDS, dec

LEVELS = ("province", "department", "district", "commune")
SCORED_BY = ("self", "survey", "computed")
SURVEYS = ("officials", "sipas")
# Words that name the satisfaction survey of people and organisations (docs/methodology.md §4, §6).
SIPAS_WORDS = ("sipas", "su hai long", "muc do hai long", "hai long cua nguoi dan")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,59}$")
_NODE_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,39}$")
MAX_DIGITS = Decimal("9999.99")
TOP_KEYS = {
    "code",
    "title",
    "level",
    "decision",
    "years",
    "total",
    "survey_total",
    "expected",
    "bands",
    "leads",
    "confirmed",
    "source",
    "domains",
}
NODE_KEYS = {"code", "name", "max", "lead", "confirmed", "source"}
CHILD_KEYS = {"domain": "criteria", "criterion": "sub_criteria"}
LEAF_KEYS = {"scored_by", "rule", "survey"}


@dataclass
class TreeFileResult:
    definition: dict | None = None
    errors: list[str] = field(default_factory=list)  # "path: message"

    @property
    def ok(self) -> bool:
        return not self.errors and self.definition is not None


def parse_tree_file(path: Path) -> TreeFileResult:
    document, problem = read_document(path)  # NFC: names are data and must compare equal
    if problem:
        return TreeFileResult(errors=[problem])
    return validate_tree(document)


def validate_tree(document: object) -> TreeFileResult:
    """Check the whole document; report every problem with its path (e.g. domains[2].criteria[0].max)."""
    errors: list[str] = []
    if not isinstance(document, dict):
        return TreeFileResult(errors=["(top): a mapping with code, title, level and domains is expected"])
    _check_keys(document, TOP_KEYS, "(top)", errors)
    for key in ("code", "title"):
        if not isinstance(document.get(key), str) or not document[key].strip():
            errors.append(f"{key}: required text")
    if isinstance(document.get("code"), str) and not _SLUG.match(document["code"]):
        errors.append("code: use lower-case letters, digits, '-', '_' or '.'")
    if document.get("level") not in LEVELS:
        errors.append(f"level: one of {', '.join(LEVELS)}")
    years = document.get("years")
    if not isinstance(years, dict) or not _is_int(years.get("from")):
        errors.append("years: {from: YEAR, until: YEAR} (until optional)")
    elif years.get("until") is not None and (not _is_int(years["until"]) or years["until"] < years["from"]):
        errors.append("years.until: a year not before years.from")
    if document.get("bands") not in BANDS:
        errors.append(f"bands: one of {', '.join(sorted(BANDS))}")
    leads = document.get("leads")
    if not isinstance(leads, dict) or not leads:
        errors.append("leads: a mapping of key → {name, unit_code}")
        leads = {}
    for key, lead in leads.items():
        if not isinstance(lead, dict) or not isinstance(lead.get("name"), str):
            errors.append(f"leads.{key}: {{name: …, unit_code: …}} expected")
        elif not isinstance(lead.get("unit_code"), str) or not lead["unit_code"].strip():
            errors.append(f"leads.{key}.unit_code: required text (the unit's code in the province)")
    context = {"leads": leads, "codes": set(), "errors": errors}
    inherited = {
        "confirmed": _checked_confirmed(document, "(top)", errors, True),
        "source": _checked_source(document, "(top)", errors, ""),
    }
    domains = document.get("domains")
    if not isinstance(domains, list) or not domains:
        errors.append("domains: a non-empty list")
        domains = []
    nodes = [
        _node(domain, f"domains[{i}]", "domain", inherited, None, context) for i, domain in enumerate(domains)
    ]
    total = _checked_max(document.get("total"), "total", errors)
    if total is not None and all(n is not None for n in nodes) and nodes:
        found = sum((dec(n["max"]) for n in nodes), Decimal(0))
        if found != total:
            errors.append(f"total: {total} but the domains add up to {found}")
    _check_counts(document, nodes, errors)
    if errors:
        return TreeFileResult(errors=errors)
    return TreeFileResult(definition=_normalised(document, nodes))


def _node(
    raw: object, where: str, kind: str, inherited: dict, lead: str | None, context: dict
) -> dict | None:
    errors = context["errors"]
    if not isinstance(raw, dict):
        errors.append(f"{where}: a mapping is expected")
        return None
    allowed = NODE_KEYS | ({CHILD_KEYS[kind]} if kind in CHILD_KEYS else set())
    _check_keys(raw, allowed | (LEAF_KEYS if kind != "domain" else set()), where, errors)
    code = raw.get("code")
    if isinstance(code, int | float) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not _NODE_CODE.match(code):
        errors.append(f"{where}.code: required, letters, digits, '.', '-' or '_' (quote numbers: \"1.1\")")
        code = None
    elif code in context["codes"]:
        errors.append(f"{where}.code: '{code}' is used twice")
    else:
        context["codes"].add(code)
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        errors.append(f"{where}.name: required text")
    max_points = _checked_max(raw.get("max"), f"{where}.max", errors)
    if "lead" in raw:
        if raw["lead"] not in context["leads"]:
            errors.append(f"{where}.lead: unknown lead {raw['lead']!r} (see leads)")
        else:
            lead = raw["lead"]
    elif kind == "domain":
        errors.append(f"{where}.lead: required on a domain (a key of leads)")
    inherited = {
        "confirmed": _checked_confirmed(raw, where, errors, inherited["confirmed"]),
        "source": _checked_source(raw, where, errors, inherited["source"]),
    }
    child_key, child_kind = {"domain": ("criteria", "criterion"), "criterion": ("sub_criteria", "item")}.get(
        kind, (None, None)
    )
    children = raw.get(child_key) if child_key else None
    if kind == "domain" and (not isinstance(children, list) or not children):
        errors.append(f"{where}.criteria: a non-empty list")
        children = []
    if kind == "criterion" and child_key in raw and (not isinstance(children, list) or not children):
        errors.append(f"{where}.sub_criteria: a non-empty list (or leave it out)")
        children = []
    if kind == "criterion":
        context["criterion_name"] = raw.get("name") if isinstance(raw.get("name"), str) else ""
    nodes = [
        _node(child, f"{where}.{child_key}[{i}]", child_kind, inherited, lead, context)
        for i, child in enumerate(children or [])
    ]
    if kind == "criterion":
        context["criterion_name"] = ""
    node = {
        "code": code,
        "kind": "sub_criterion" if kind == "item" else kind,
        "name": raw.get("name", "").strip() if isinstance(raw.get("name"), str) else "",
        "max": str(max_points) if max_points is not None else None,
        "lead": lead,
        "confirmed": inherited["confirmed"],
        "source": inherited["source"],
        "children": nodes,
    }
    is_leaf = not nodes and kind != "domain"
    if is_leaf:
        node.update(_scoring(raw, where, max_points, errors))
        if node.get("scored_by") == "survey":
            node["survey"] = _survey(raw, where, [node["name"], context.get("criterion_name", "")], errors)
        elif "survey" in raw:
            errors.append(f"{where}.survey: only an item scored by survey names its survey")
    elif "scored_by" in raw or "rule" in raw or "survey" in raw:
        errors.append(f"{where}: only a node without sub-criteria is scored (scored_by/rule not allowed)")
    if nodes and max_points is not None and all(n is not None and n["max"] for n in nodes):
        found = sum((dec(n["max"]) for n in nodes), Decimal(0))
        if found != max_points:
            errors.append(f"{where}.max: {max_points} but its {child_key} add up to {found}")
    if None in nodes or code is None or max_points is None:
        return None
    return node


def _scoring(raw: dict, where: str, max_points: Decimal | None, errors: list[str]) -> dict:
    scored_by = raw.get("scored_by", "self")
    if scored_by not in SCORED_BY:
        errors.append(f"{where}.scored_by: one of {', '.join(SCORED_BY)}")
        return {}
    default_rule = {"self": "manual", "survey": "survey", "computed": None}[scored_by]
    rule = raw.get("rule", {"kind": default_rule} if default_rule else None)
    if not isinstance(rule, dict) or rule.get("kind") not in RULE_KINDS:
        errors.append(f"{where}.rule: {{kind: …}} with a kind among {', '.join(RULE_KINDS)}")
        return {}
    kind = rule["kind"]
    allowed = {"self": {"manual"}, "survey": {"survey"}, "computed": set(RULE_KINDS) - {"manual", "survey"}}
    if kind not in allowed[scored_by]:
        errors.append(f"{where}.rule.kind: '{kind}' does not fit scored_by '{scored_by}'")
    if "places" in rule and (not _is_int(rule["places"]) or not 0 <= rule["places"] <= 4):
        errors.append(f"{where}.rule.places: a whole number from 0 to 4")
    if kind == "tiered":
        tiers = rule.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            errors.append(f"{where}.rule.tiers: a non-empty list of {{min: PERCENT, points: P}}")
        else:
            for i, tier in enumerate(tiers):
                if not isinstance(tier, dict) or not is_number(tier.get("min")):
                    errors.append(f"{where}.rule.tiers[{i}].min: a number (percent)")
                if not isinstance(tier, dict) or not is_number(tier.get("points")):
                    errors.append(f"{where}.rule.tiers[{i}].points: a number")
                elif max_points is not None and not 0 <= dec(tier["points"]) <= max_points:
                    errors.append(f"{where}.rule.tiers[{i}].points: between 0 and max ({max_points})")
    return {"scored_by": scored_by, "rule": rule}


def names_sipas(text: str) -> bool:
    """Whether a name or a method text names the SIPAS survey ("SIPAS", "sự hài lòng"), without case and
    diacritics."""
    key = match_key(text or "")
    return any(word in key for word in SIPAS_WORDS)


def _survey(raw: dict, where: str, names: list[str], errors: list[str]) -> str:
    value = raw.get("survey")
    if value is None:
        return "sipas" if any(names_sipas(name) for name in names) else "officials"
    if value not in SURVEYS:
        errors.append(f"{where}.survey: one of {', '.join(SURVEYS)}")
        return "officials"
    return value


def _check_keys(raw: dict, allowed: set[str], where: str, errors: list[str]) -> None:
    # An unquoted comma in a flow mapping ({name: a, b, max: 1}) turns "b" into a key: report it.
    for key in raw:
        if key not in allowed:
            errors.append(f"{where}: unknown key {key!r} (quote names that contain a comma)")


def _checked_max(value: object, where: str, errors: list[str]) -> Decimal | None:
    if not is_number(value):
        errors.append(f"{where}: a number of points is required")
        return None
    points = dec(value)
    if points <= 0 or points > MAX_DIGITS:
        errors.append(f"{where}: more than 0 and less than 10,000")
        return None
    if points != points.quantize(Decimal("0.01")):
        errors.append(f"{where}: at most two decimals")
        return None
    return points.quantize(Decimal("0.01"))


def _checked_confirmed(raw: dict, where: str, errors: list[str], default: bool) -> bool:
    value = raw.get("confirmed", default)
    if not isinstance(value, bool):
        errors.append(f"{where}.confirmed: true or false")
        return default
    return value


def _checked_source(raw: dict, where: str, errors: list[str], default: str) -> str:
    value = raw.get("source", default)
    if not isinstance(value, str):
        errors.append(f"{where}.source: text (where the figures come from)")
        return default
    return value.strip()


def _check_counts(document: dict, nodes: list, errors: list[str]) -> None:
    if all(n is not None for n in nodes):
        counts = tree_counts(nodes)
        expected = document.get("expected") or {}
        if not isinstance(expected, dict):
            errors.append("expected: {domains: N, criteria: N, sub_criteria: N}")
            expected = {}
        for key in ("domains", "criteria", "sub_criteria"):
            if key in expected and expected[key] != counts[key]:
                errors.append(f"expected.{key}: {expected[key]} but the file has {counts[key]}")
        if "survey_total" in document:
            declared = _checked_max(document["survey_total"], "survey_total", errors)
            found = sum(
                (dec(leaf["max"]) for leaf in leaves(nodes) if leaf["scored_by"] == "survey"), Decimal(0)
            )
            if declared is not None and found != declared:
                errors.append(f"survey_total: {declared} but the items scored by survey add up to {found}")


def tree_counts(domains: list[dict]) -> dict[str, int]:
    criteria = [c for d in domains for c in d["children"]]
    return {
        "domains": len(domains),
        "criteria": len(criteria),
        "sub_criteria": sum(len(c["children"]) for c in criteria),
        "items": len(leaves(domains)),
    }


def leaves(nodes: list[dict]) -> list[dict]:
    """The scored items, in order: sub-criteria, and criteria that have none."""
    found = []
    for node in nodes:
        if node["children"]:
            found.extend(leaves(node["children"]))
        elif node["kind"] != "domain":
            found.append(node)
    return found


def _normalised(document: dict, domains: list[dict]) -> dict:
    years = document["years"]
    return {
        "code": document["code"],
        "title": document["title"].strip(),
        "level": document["level"],
        "decision": str(document.get("decision", "")).strip(),
        "years": {"from": years["from"], "until": years.get("until")},
        "total": str(_checked_max(document["total"], "total", [])),
        "survey_total": str(dec(document["survey_total"])) if "survey_total" in document else None,
        "bands": document["bands"],
        "leads": {
            k: {"name": v["name"].strip(), "unit_code": v["unit_code"].strip()}
            for k, v in document["leads"].items()
        },
        "domains": domains,
    }


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
