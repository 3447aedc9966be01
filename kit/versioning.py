"""Versioned documents (questionnaires, criteria trees): the one policy for storing a loaded file, and the
change report between two versions. ORM-generic; imports no app (docs/decisions.md D150).

The policy: a document is identified by its code within a scope (a questionnaire by campaign and code, a
tree by code). Loading a file identical to the current version changes nothing (`unchanged`); a current
version without dependants (answers, scores) is updated in place (`updated`); a current version with
dependants is never changed: the file becomes the next version, the current one from then on, and the old
one stays readable (`created`).
"""

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction


@dataclass
class Stored:
    """What `store_version` did. `before` is the document of the version that was current before the load
    (None for a first version), `previous` the row that stopped being current when a new version was made."""

    status: str  # created | updated | unchanged
    row: Any
    before: dict[str, Any] | None = None
    previous: Any = None

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def store_version(
    *,
    model: type[Any],
    scope: Mapping[str, Any],
    checksum: str,
    has_dependants: Callable[[Any], bool],
    fill: Callable[[Any], None],
    document_field: str = "definition",
) -> Stored:
    """Apply the policy for the document of `scope` (e.g. {"campaign": c, "code": "par-officials"}).

    `model` is a Django model class with `version`, `is_current` and `checksum` fields (typed Any: the
    loaders pass their own models). `fill(row)` writes the new content on a row (in place or the new
    version) before it is saved. Runs in the caller's transaction (or its own): the
    current version is locked FOR UPDATE, which also waits for a dependant being inserted, so the dependants
    check sees it.
    """
    with transaction.atomic():
        current = model.objects.select_for_update().filter(**scope, is_current=True).first()
        if current is not None and current.checksum == checksum:
            return Stored("unchanged", current, before=getattr(current, document_field))
        if current is not None and not has_dependants(current):
            before = copy.deepcopy(getattr(current, document_field))
            fill(current)
            current.save()
            return Stored("updated", current, before=before)
        latest = model.objects.filter(**scope).order_by("-version").values_list("version", flat=True).first()
        if current is not None:
            # Saved before the new row exists: the partial unique constraint allows one current version.
            current.is_current = False
            current.save(update_fields=["is_current"])
        row = model(**scope, version=(latest or 0) + 1, is_current=True)
        fill(row)
        row.save()
        return Stored(
            "created",
            row,
            before=getattr(current, document_field) if current is not None else None,
            previous=current,
        )


# --- change report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    code: str
    attribute: str
    before: Any
    after: Any


@dataclass
class ChangeReport:
    """Items of two versions compared by code: added, removed, renamed (the name attribute differs) and
    changed (another compared attribute differs), each in the order of the newer version."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[ItemChange] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.renamed or self.changed)

    def as_dict(self) -> dict[str, Any]:
        def rows(changes: list[ItemChange]) -> list[dict[str, Any]]:
            return [
                {"code": c.code, "attribute": c.attribute, "before": c.before, "after": c.after}
                for c in changes
            ]

        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "renamed": rows(self.renamed),
            "changed": rows(self.changed),
        }


def compare_items(
    before: Mapping[str, Mapping[str, Any]],
    after: Mapping[str, Mapping[str, Any]],
    *,
    attributes: Sequence[str],
    name_attribute: str = "name",
) -> ChangeReport:
    """Compare two {code: item} mappings on the chosen attributes (`name_attribute` reports a rename)."""
    report = ChangeReport()
    for code, item in after.items():
        if code not in before:
            report.added.append(code)
            continue
        old = before[code]
        for attribute in attributes:
            if old.get(attribute) != item.get(attribute):
                change = ItemChange(code, attribute, old.get(attribute), item.get(attribute))
                (report.renamed if attribute == name_attribute else report.changed).append(change)
    report.removed = [code for code in before if code not in after]
    return report


def index_by_code(items: Iterable[Mapping[str, Any]], *, code: str = "code") -> dict[str, Mapping[str, Any]]:
    return {item[code]: item for item in items}
