"""Totals of a scored tree (pure): criterion and domain points, the 0–100 index, the band, ranks, the
change against last year, and the points lost per item (where to improve). No ORM inside.

The model is additive (docs/methodology.md §1.5): a node's points are the sum of its children's; the
index is total / maximum × 100; a domain's component index is its points / its maximum. Items without points
count 0.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .bands import BANDS

ZERO = Decimal(0)


@dataclass
class Node:
    code: str
    name: str
    kind: str  # domain | criterion | sub_criterion
    max_points: Decimal
    children: list["Node"] = field(default_factory=list)
    scored_by: str = ""
    lead: str = ""
    survey: str = ""  # items scored by survey: officials | sipas

    @property
    def is_leaf(self) -> bool:
        return not self.children and self.kind != "domain"


@dataclass
class NodeTotal:
    code: str
    name: str
    kind: str
    max_points: Decimal
    points: Decimal
    children: list["NodeTotal"] = field(default_factory=list)

    @property
    def share(self) -> Decimal:
        """Points over maximum, in percent (a domain's component index)."""
        return _percent(self.points, self.max_points)


@dataclass
class TreeTotals:
    domains: list[NodeTotal]
    points: Decimal
    max_points: Decimal
    index: Decimal  # 0–100, two decimals

    def by_code(self) -> dict[str, NodeTotal]:
        found: dict[str, NodeTotal] = {}
        stack = list(self.domains)
        while stack:
            node = stack.pop()
            found[node.code] = node
            stack.extend(node.children)
        return found


@dataclass
class PointsLost:
    code: str
    name: str
    max_points: Decimal
    points: Decimal
    lost: Decimal


def nodes_from_definition(definition: Mapping[str, Any]) -> list[Node]:
    """The domains of a validated tree definition (scoring/services/definitions.py) as Nodes."""

    def build(raw: Mapping[str, Any]) -> Node:
        return Node(
            code=raw["code"],
            name=raw["name"],
            kind=raw["kind"],
            max_points=Decimal(raw["max"]),
            children=[build(child) for child in raw["children"]],
            scored_by=raw.get("scored_by", ""),
            lead=raw.get("lead") or "",
            survey=raw.get("survey", ""),
        )

    return [build(domain) for domain in definition["domains"]]


def leaves(nodes: Iterable[Node]) -> list[Node]:
    found: list[Node] = []
    for node in nodes:
        if node.is_leaf:
            found.append(node)
        else:
            found.extend(leaves(node.children))
    return found


def tree_totals(domains: list[Node], points: Mapping[str, Decimal | None]) -> TreeTotals:
    """Sum the items' points up the tree (`points`: item code → points; missing or None count 0)."""

    def total(node: Node) -> NodeTotal:
        if node.is_leaf:
            value = points.get(node.code)
            return NodeTotal(
                node.code, node.name, node.kind, node.max_points, value if value is not None else ZERO
            )
        children = [total(child) for child in node.children]
        summed = sum((c.points for c in children), ZERO)
        return NodeTotal(node.code, node.name, node.kind, node.max_points, summed, children)

    domain_totals = [total(domain) for domain in domains]
    points_sum = sum((d.points for d in domain_totals), ZERO)
    max_sum = sum((d.max_points for d in domain_totals), ZERO)
    return TreeTotals(domain_totals, points_sum, max_sum, _percent(points_sum, max_sum))


def band(index: Decimal | None, band_set: str) -> str:
    """The band of an index in a named band set of scoring/bands.py ('' when no band applies)."""
    if index is None:
        return ""
    for lower, label in BANDS[band_set]:
        if index >= lower:
            return label
    return ""


def rank(values: Mapping[Hashable, Decimal | None]) -> dict[Hashable, int | None]:
    """Competition ranking, highest first: ties share a rank and the next rank is skipped (1, 1, 3).
    Units without a value get None."""
    ordered = sorted((v for v in values.values() if v is not None), reverse=True)
    first_place: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_place.setdefault(value, position)
    return {key: (first_place[value] if value is not None else None) for key, value in values.items()}


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Difference with last year's index, in points (None when either is missing)."""
    if current is None or previous is None:
        return None
    return current - previous


def points_lost(domains: list[Node], points: Mapping[str, Decimal | None]) -> list[PointsLost]:
    """Per item: maximum minus points, largest loss first (then by code); items with nothing lost left out."""
    rows = []
    for item in leaves(domains):
        got = points.get(item.code)
        got = got if got is not None else ZERO
        if got < item.max_points:
            rows.append(PointsLost(item.code, item.name, item.max_points, got, item.max_points - got))
    rows.sort(key=lambda r: (-r.lost, _code_key(r.code)))
    return rows


def _code_key(code: str) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in code.split("."))


def _percent(points: Decimal, max_points: Decimal) -> Decimal:
    if not max_points:
        return ZERO
    return (points / max_points * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
