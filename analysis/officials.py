"""Officials' survey → points of the sub-criteria it feeds (PAR INDEX, docs/methodology.md §5, §2.2).

Pure: a questionnaire definition, the criteria tree as `scoring.totals.Node`s and a DataFrame of answers in;
points per survey item out. No ORM. The conversion is a placeholder (docs/methodology.md §5.2), so every
choice is a field of a named, versioned `OfficialsMethod`, defined as data in
analysis/data/officials-conversions.yaml (docs/decisions.md D158); results name the method they used. Which
items the officials' survey feeds comes from the tree (items scored by survey whose `survey` is `officials`,
D153), never from codes here.

Reading implemented ("officials-876-v1", docs/decisions.md D22; no public text states the Ministry's formula):
1. A question feeds the tree node named by its `feeds:` code. When that node is an item scored by the survey,
   the question feeds it; when it is another node (the shipped questionnaires name domain.criterion codes such
   as "1.1", written before the tree), the question feeds the officials' survey items under that node, or else
   those of the node's domain. Questions of a domain without an officials' survey item are not scored and are
   reported (domain 8: its survey items are SIPAS's, docs/methodology.md §4; docs/decisions.md D24).
2. An answer on a scale is rescaled to 0–1 linearly between the scale's lowest and highest valid values
   (4-level scale: 1 → 0, 2 → 1/3, 3 → 2/3, 4 → 1); "don't know" (a `missing: true` option) is left out.
   Other conversions: value / highest value (`over_top`), or a share per option, best option first
   (`coefficients`, e.g. 100 / 60 / 20 / 0 % for four options).
3. A respondent's score for an item is the mean of their rescaled answers to the item's questions; a group's
   score is the mean over its respondents with at least one answer; the item's share is the weighted mean of
   the groups' scores (equal weights unless the method gives weights; groups without answers drop out and the
   weights of the others are rescaled to sum to 1).
4. points = item maximum × share, rounded half up to 4 decimals (as scoring.rules).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from scoring.totals import Node

GROUP_COLUMN = "group"


CONVERSIONS_FILE = Path(__file__).resolve().parent / "data" / "officials-conversions.yaml"
RESCALINGS = ("min_max", "over_top", "coefficients")


@dataclass(frozen=True)
class OfficialsMethod:
    name: str
    description: str
    rescale: str  # min_max | over_top | coefficients (see the module doc, rule 2)
    group_weights: Mapping[str, float] | None = None  # None: equal weights over groups with answers
    coefficients: Mapping[int, tuple[float, ...]] | None = None  # options count → shares, best first
    source: str = ""
    places: int = 4
    min_respondents: int = 5  # groups with fewer respondents are shown suppressed (they still count)

    def __post_init__(self):
        if self.rescale not in RESCALINGS:
            raise ValueError(f"unknown rescaling {self.rescale!r}")
        if self.rescale == "coefficients":
            if not self.coefficients:
                raise ValueError(f"{self.name}: coefficients are required")
            for size, shares in self.coefficients.items():
                if len(shares) != size or any(not 0 <= s <= 1 for s in shares):
                    raise ValueError(f"{self.name}: {size} shares between 0 and 1 expected")

    @property
    def label(self) -> str:
        return f"{self.name}: {self.description}"


def load_methods(path: Path = CONVERSIONS_FILE) -> dict[str, OfficialsMethod]:
    """The named conversions of the data file (a malformed file is a bug: it raises)."""
    methods = {}
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        coefficients = raw.get("coefficients")
        method = OfficialsMethod(
            name=raw["name"],
            description=" ".join(raw["description"].split()),
            rescale=raw["rescale"],
            group_weights=raw.get("group_weights"),
            coefficients={int(k): tuple(float(x) for x in v) for k, v in coefficients.items()}
            if coefficients
            else None,
            source=raw.get("source", ""),
        )
        if method.name in methods:
            raise ValueError(f"{path.name}: {method.name} defined twice")
        methods[method.name] = method
    return methods


METHODS: dict[str, OfficialsMethod] = load_methods()
DEFAULT_METHOD = "officials-876-v1"


def get_method(name: str) -> OfficialsMethod:
    try:
        return METHODS[name]
    except KeyError:
        raise ValueError(f"unknown officials' survey method {name!r}; known: {', '.join(METHODS)}") from None


@dataclass
class FeedsProblem:
    questionnaire: str
    question: str
    feeds: str
    message: (
        str  # for developers, in English; pages and workbooks show `problem_text` (analysis/dashboard.py)
    )
    domain: str = ""  # the domain without an item to feed, if that is the problem
    title: str = ""  # the questionnaire's title and the question's text, for people
    text: str = ""


@dataclass
class ItemPoints:
    code: str
    name: str
    max_points: Decimal
    points: Decimal | None  # None: nobody answered the item's questions
    share: float | None  # 0–1
    respondents: int
    questions: list[str]
    groups: list[dict] = field(default_factory=list)  # {group, score, respondents, suppressed}


@dataclass
class OfficialsResult:
    method: OfficialsMethod
    respondents: int
    items: list[ItemPoints]
    problems: list[FeedsProblem] = field(default_factory=list)

    def points(self) -> dict[str, Decimal]:
        return {i.code: i.points for i in self.items if i.points is not None}

    def to_dict(self) -> dict:
        return {
            "method": self.method.name,
            "method_description": self.method.description,
            "respondents": self.respondents,
            "points": sum((i.points for i in self.items if i.points is not None), Decimal(0)),
            "max": sum((i.max_points for i in self.items), Decimal(0)),
            "items": [
                {
                    "code": i.code,
                    "name": i.name,
                    "max": i.max_points,
                    "points": i.points,
                    "share": None if i.share is None else round(i.share, 6),
                    "respondents": i.respondents,
                    "questions": i.questions,
                    "groups": i.groups,
                }
                for i in self.items
            ],
            "problems": [p.__dict__ for p in self.problems],
        }


def officials_items(domains: list[Node], method: OfficialsMethod | None = None) -> list[Node]:
    """The tree's leaves scored by survey that the officials' survey feeds (the tree says which: SIPAS
    items are left out)."""
    found = []
    stack = list(reversed(domains))
    while stack:
        node = stack.pop()
        if node.is_leaf:
            if node.scored_by == "survey" and node.survey != "sipas":
                found.append(node)
        else:
            stack.extend(reversed(node.children))
    return found


def resolve_feeds(
    definition: dict, domains: list[Node], method: OfficialsMethod
) -> tuple[dict[str, list[str]], list[FeedsProblem]]:
    """{question code: [item codes]} for the scale questions of a definition with `feeds:`, and problems for
    codes that are not in the tree or have no officials' survey item to feed (rule 1 of the module doc)."""
    items = officials_items(domains, method)
    item_codes = {n.code for n in items}
    nodes: dict[str, tuple[Node, str]] = {}  # code → (node, domain code)
    for domain in domains:
        stack = [domain]
        while stack:
            node = stack.pop()
            nodes[node.code] = (node, domain.code)
            stack.extend(node.children)
    mapping: dict[str, list[str]] = {}
    problems: list[FeedsProblem] = []
    for section in definition["sections"]:
        for question in section["questions"]:
            feeds = question.get("feeds")
            if not feeds or feeds.startswith("sipas.") or question["type"] != "scale":
                continue
            where = (definition["code"], question["code"], feeds)
            shown = {"title": definition.get("title", ""), "text": question.get("text", "")}
            valid = [o["value"] for o in question["options"] if not o.get("missing")]
            if method.rescale == "coefficients" and not option_shares(valid, method):
                problems.append(
                    FeedsProblem(*where, f"{method.name} has no shares for a scale of {len(valid)} options")
                )
                continue
            if feeds not in nodes:
                problems.append(FeedsProblem(*where, "not a code of the criteria tree", **shown))
                continue
            node, domain_code = nodes[feeds]
            if node.code in item_codes:
                mapping[question["code"]] = [node.code]
                continue
            under = [c for c in _leaf_codes(node) if c in item_codes]
            if not under:
                under = [c for c in _leaf_codes(nodes[domain_code][0]) if c in item_codes]
            if under:
                mapping[question["code"]] = under
            else:
                problems.append(
                    FeedsProblem(
                        *where,
                        f"domain {domain_code} has no item scored by the officials' survey",
                        domain=domain_code,
                        **shown,
                    )
                )
    return mapping, problems


def _leaf_codes(node: Node) -> list[str]:
    if node.is_leaf:
        return [node.code]
    return [code for child in node.children for code in _leaf_codes(child)]


def scale_bounds(definition: dict) -> dict[str, tuple[float, float, list]]:
    """{question code: (lowest, highest, valid values)} of the definition's scale questions."""
    bounds = {}
    for section in definition["sections"]:
        for question in section["questions"]:
            if question["type"] != "scale":
                continue
            valid = [o["value"] for o in question["options"] if not o.get("missing")]
            bounds[question["code"]] = (float(min(valid)), float(max(valid)), valid)
    return bounds


def officials_points(
    answers: pd.DataFrame,
    *,
    question_items: Mapping[str, list[str]],
    bounds: Mapping[str, tuple[float, float, list]],
    items: list[Node],
    method: OfficialsMethod,
    problems: list[FeedsProblem] | None = None,
) -> OfficialsResult:
    """Points of the officials' survey items from `answers` (one row per submitted response, a `group`
    column with the respondent group code, one column per question code; other columns ignored).

    `question_items` maps question → items it feeds (see `resolve_feeds`), `bounds` question → scale bounds.
    """
    questions = [q for q in question_items if q in answers.columns]
    item_codes = [n.code for n in items]
    scores = _scores(answers, questions, bounds, method)  # respondents × questions, NaN = no valid answer
    feeds = np.zeros((len(questions), len(item_codes)))
    for i, question in enumerate(questions):
        for code in question_items[question]:
            if code in item_codes:
                feeds[i, item_codes.index(code)] = 1.0
    # Rule 3: a respondent's mean over each item's questions (two matrix products), then group means.
    answered = ~np.isnan(scores)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_respondent = (np.where(answered, scores, 0.0) @ feeds) / (answered.astype(float) @ feeds)
    table = pd.DataFrame(per_respondent, columns=item_codes)
    table[GROUP_COLUMN] = answers[GROUP_COLUMN].to_numpy() if len(answers) else []
    grouped = table.groupby(GROUP_COLUMN, sort=True)
    per_group = (
        pd.concat({"mean": grouped.mean(), "size": grouped.count()}, axis=1)
        .stack(level=1, future_stack=True)
        .rename_axis([GROUP_COLUMN, "item"])
        .reset_index()
    )
    per_group = per_group[per_group["size"] > 0]
    per_group["weight"] = _group_weights(per_group[GROUP_COLUMN], method)
    per_group["weighted"] = per_group["mean"] * per_group["weight"]
    by_item = per_group.groupby("item").agg(
        weighted=("weighted", "sum"), weight=("weight", "sum"), respondents=("size", "sum")
    )
    by_item["share"] = by_item["weighted"] / by_item["weight"]
    results = []
    for node in items:
        groups = per_group[per_group["item"] == node.code]
        share = by_item["share"].get(node.code)
        share = None if share is None or np.isnan(share) else float(share)
        points = None
        if share is not None:
            points = (node.max_points * Decimal(repr(share))).quantize(
                Decimal(1).scaleb(-method.places), rounding=ROUND_HALF_UP
            )
        results.append(
            ItemPoints(
                code=node.code,
                name=node.name,
                max_points=node.max_points,
                points=points,
                share=share,
                respondents=int(by_item["respondents"].get(node.code, 0)),
                questions=[q for q in questions if node.code in question_items[q]],
                groups=_group_cells(groups.to_dict("records"), method.min_respondents),
            )
        )
    return OfficialsResult(
        method=method, respondents=len(answers), items=results, problems=list(problems or [])
    )


def _group_cells(rows: list[dict], min_respondents: int) -> list[dict]:
    """Group scores of one item, those of fewer than `min_respondents` hidden. When exactly one group is
    hidden, the smallest shown group is hidden too (complementary suppression, docs/decisions.md D33): the
    item's share is the weighted mean of the groups, so it and the other groups' scores would give the
    hidden one back."""
    cells = [
        {
            "group": row[GROUP_COLUMN],
            "score": round(float(row["mean"]), 6),
            "respondents": int(row["size"]),
            "suppressed": bool(row["size"] < min_respondents),
        }
        for row in rows
    ]
    shown = [c for c in cells if not c["suppressed"]]
    if len(cells) - len(shown) == 1 and shown:
        min(shown, key=lambda c: (c["respondents"], str(c["group"])))["suppressed"] = True
    for cell in cells:
        if cell["suppressed"]:
            cell["score"] = None
    return cells


def _scores(answers: pd.DataFrame, questions: list[str], bounds, method: OfficialsMethod) -> np.ndarray:
    """Respondents × questions matrix of scores in 0–1 (rule 2); NaN where there is no valid answer."""
    scores = np.full((len(answers), len(questions)), np.nan)
    for j, code in enumerate(questions):
        low, high, valid = bounds[code]
        # Answers were checked against their scale at submission (surveys.services.answers); anything else
        # (blank, "don't know", text) is left out here.
        values = pd.to_numeric(answers[code], errors="coerce").to_numpy(dtype=float, copy=True)
        values[~np.isin(values, np.asarray(valid, dtype=float))] = np.nan
        if method.rescale == "min_max":
            scores[:, j] = (values - low) / (high - low)
        elif method.rescale == "over_top":
            scores[:, j] = values / high
        else:
            shares = option_shares(valid, method)
            scores[:, j] = [shares.get(v, np.nan) if not np.isnan(v) else np.nan for v in values]
    return scores


def option_shares(valid: list, method: OfficialsMethod) -> dict[float, float]:
    """{option value: share} of a coefficients conversion, the highest value the best option; {} when the
    conversion has no coefficients for a scale of that many options."""
    shares = (method.coefficients or {}).get(len(valid))
    if shares is None:
        return {}
    ordered = sorted((float(v) for v in valid), reverse=True)
    return dict(zip(ordered, shares, strict=True))


def _group_weights(groups: pd.Series, method: OfficialsMethod) -> pd.Series:
    if method.group_weights is None:
        return pd.Series(1.0, index=groups.index)
    return groups.map(lambda g: float(method.group_weights.get(g, 0.0)))
