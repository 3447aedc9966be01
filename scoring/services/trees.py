"""Loading a criteria tree file, with the versioning rule that protects given scores.

A tree is identified by its code. Loading a file identical to the current version changes nothing; a
current version nobody has scored yet (no Score row) is rebuilt in place; a current version with scores is
never changed: the file becomes the next version, the current one from then on (docs/decisions.md D9).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kit.documents import checksum

from ..models import CriteriaTree, Criterion, Score
from .definitions import parse_tree_file

TITLE_MAX = CriteriaTree._meta.get_field("title").max_length


@dataclass
class TreeLoadReport:
    tree: CriteriaTree | None = None
    status: str = "rejected"  # created | updated | unchanged | rejected
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def load_criteria_tree(*, path: Path | str) -> TreeLoadReport:
    path = Path(path)
    parsed = parse_tree_file(path)
    if not parsed.ok:
        return TreeLoadReport(errors=parsed.errors)
    definition = parsed.definition
    if len(definition["title"]) > TITLE_MAX:
        return TreeLoadReport(errors=[f"title: at most {TITLE_MAX} characters"])
    digest = checksum(definition)
    with transaction.atomic():
        # FOR UPDATE serialises two loads of the same tree, and waits for a Score being inserted.
        current = (
            CriteriaTree.objects.select_for_update().filter(code=definition["code"], is_current=True).first()
        )
        if current is not None and current.checksum == digest:
            return TreeLoadReport(tree=current, status="unchanged")
        if current is not None and not Score.objects.filter(criterion__tree=current).exists():
            current.nodes.all().delete()
            _fill(current, definition, digest, path)
            current.save()
            _create_nodes(current, definition)
            return TreeLoadReport(tree=current, status="updated")
        latest = (
            CriteriaTree.objects.filter(code=definition["code"])
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        if current is not None:
            current.is_current = False
            current.save(update_fields=["is_current"])
        tree = CriteriaTree(code=definition["code"], version=(latest or 0) + 1)
        _fill(tree, definition, digest, path)
        tree.save()
        _create_nodes(tree, definition)
    return TreeLoadReport(tree=tree, status="created")


def _fill(tree: CriteriaTree, definition: dict, digest: str, path: Path) -> None:
    tree.title = definition["title"]
    tree.level = definition["level"]
    tree.decision = definition["decision"][:100]
    tree.year_from = definition["years"]["from"]
    tree.year_until = definition["years"]["until"]
    tree.definition = definition
    tree.checksum = digest
    tree.source_file = path.name[:255]


def _create_nodes(tree: CriteriaTree, definition: dict) -> None:
    """One INSERT per level (domains, criteria, sub-criteria), parents known from the level above; `order`
    is the node's position in the file, depth first (1, 1.1, 1.1.1, 1.1.2, 1.2, …)."""
    order = {id(node): position for position, node in enumerate(_depth_first(definition["domains"]), 1)}
    level = [(None, node) for node in definition["domains"]]
    while level:
        rows = [_row(tree, parent, node, order[id(node)]) for parent, node in level]
        created = Criterion.objects.bulk_create(rows)
        if created and created[0].pk is None:  # backends that do not return ids
            by_code = dict(Criterion.objects.filter(tree=tree).values_list("code", "pk"))
            for row in created:
                row.pk = by_code[row.code]
        level = [
            (row, child) for row, (_, node) in zip(created, level, strict=True) for child in node["children"]
        ]


def _depth_first(nodes: list[dict]) -> Iterator[dict]:
    for node in nodes:
        yield node
        yield from _depth_first(node["children"])


def _row(tree: CriteriaTree, parent: Criterion | None, node: dict, order: int) -> Criterion:
    return Criterion(
        tree=tree,
        parent=parent,
        code=node["code"],
        kind=node["kind"],
        name=node["name"],
        order=order,
        max_points=Decimal(node["max"]),
        is_leaf=not node["children"] and node["kind"] != "domain",
        lead=node["lead"] or "",
        scored_by=node.get("scored_by", ""),
        rule=node.get("rule") or {},
        confirmed=node["confirmed"],
        reference=node["source"],
    )
