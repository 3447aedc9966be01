"""Storing a criteria tree (from its YAML file or from an official table), with the versioning rule that
protects given scores, the change report, and the carrying of scores to a new version.

A tree is identified by its code. The rule is kit.versioning's, shared with questionnaires (docs/decisions.md
D150): a file identical to the current version changes nothing; a current version nobody has scored yet (no
Score row) is rebuilt in place; a current version with scores is never changed: the file becomes the next
version, the current one from then on, and the open assessments of the old version are carried to it by
code (scoring.services.carry, D156), so that nothing entered is lost. Earlier rule: D9.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from kit.documents import checksum
from kit.versioning import ChangeReport, compare_items, store_version

from ..models import CriteriaTree, Criterion, Score
from ..signals import tree_stored
from .carry import CarryReport, carry_assessments
from .definitions import parse_tree_file

TITLE_MAX = CriteriaTree._meta.get_field("title").max_length
COMPARED = ("name", "max", "kind", "parent", "scored_by", "survey", "rule")


@dataclass
class TreeLoadReport:
    tree: CriteriaTree | None = None
    status: str = "rejected"  # created | updated | unchanged | rejected
    errors: list[str] = field(default_factory=list)
    changes: ChangeReport | None = None  # against the version this load updated or replaced
    carried: list[CarryReport] = field(default_factory=list)  # assessments moved to the new version
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def load_criteria_tree(*, path: Path | str) -> TreeLoadReport:
    path = Path(path)
    parsed = parse_tree_file(path)
    if not parsed.ok:
        return TreeLoadReport(errors=parsed.errors)
    return store_tree(definition=parsed.definition, source_file=path.name)


def store_tree(*, definition: dict, source_file: str, dry_run: bool = False) -> TreeLoadReport:
    """Store a validated definition (scoring.services.definitions) under the versioning rule. With
    `dry_run`, everything is done and then rolled back: the report says what loading would do."""
    if len(definition["title"]) > TITLE_MAX:
        return TreeLoadReport(errors=[f"title: at most {TITLE_MAX} characters"])
    digest = checksum(definition)
    try:
        with transaction.atomic():
            report = _store(definition, digest, source_file)
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        report = rolled_back.report
        report.tree = None if report.status == "created" else report.tree
    return report


class _DryRun(Exception):
    def __init__(self, report: TreeLoadReport) -> None:
        self.report = report


def _store(definition: dict, digest: str, source_file: str) -> TreeLoadReport:
    # FOR UPDATE (in store_version) serialises two loads of the same tree, and waits for a Score being
    # inserted.
    stored = store_version(
        model=CriteriaTree,
        scope={"code": definition["code"]},
        checksum=digest,
        has_dependants=lambda current: Score.objects.filter(criterion__tree=current).exists(),
        fill=lambda tree: _fill(tree, definition, digest, source_file),
    )
    tree = stored.row
    if stored.status == "unchanged":
        return TreeLoadReport(tree=tree, status="unchanged")
    if stored.status == "updated":
        tree.nodes.all().delete()
    _create_nodes(tree, definition)
    report = TreeLoadReport(tree=tree, status=stored.status)
    if stored.before is not None:
        report.changes = tree_changes(stored.before, definition)
    if stored.previous is not None:
        report.carried = carry_assessments(old=stored.previous, new=tree)
    for _receiver, warnings in tree_stored.send(sender=CriteriaTree, tree=tree):
        report.warnings.extend(warnings or [])
    return report


def tree_changes(before: dict, after: dict) -> ChangeReport:
    """Nodes added, removed, renamed, and changed (maximum, place in the tree, how they are scored)."""
    return compare_items(flat_nodes(before), flat_nodes(after), attributes=COMPARED)


def flat_nodes(definition: dict) -> dict[str, dict]:
    """{code: {name, max, kind, parent, scored_by, survey, rule}} of a definition, depth first."""
    found: dict[str, dict] = {}

    def walk(nodes: list[dict], parent: str) -> None:
        for node in nodes:
            found[node["code"]] = {
                "name": node["name"],
                "max": str(Decimal(node["max"]).normalize()) if node.get("max") else None,
                "kind": node["kind"],
                "parent": parent,
                "scored_by": node.get("scored_by", ""),
                "survey": node.get("survey", ""),
                "rule": node.get("rule") or {},
            }
            walk(node["children"], node["code"])

    walk(definition["domains"], "")
    return found


def _fill(tree: CriteriaTree, definition: dict, digest: str, source_file: str) -> None:
    tree.title = definition["title"]
    tree.level = definition["level"]
    tree.decision = definition["decision"][:100]
    tree.year_from = definition["years"]["from"]
    tree.year_until = definition["years"]["until"]
    tree.definition = definition
    tree.checksum = digest
    tree.source_file = source_file[:255]


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
        survey=node.get("survey", ""),
        rule=node.get("rule") or {},
        confirmed=node["confirmed"],
        reference=node["source"],
    )
