"""Imports point down the house: each app imports only apps on lower layers of docs/architecture.md's
`layers` block (top layer first), apart from the `allow:` lines documented there. Read with ast, so an import
inside a function counts as much as one at the top of a module."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```layers\n(.*?)```", re.S)


def layers() -> tuple[dict[str, int], set[tuple[str, str]]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    match = BLOCK.search(text)
    assert match, "docs/architecture.md has no ```layers block"
    level: dict[str, int] = {}
    allowed: set[tuple[str, str]] = set()
    lines = [line.strip() for line in match.group(1).splitlines() if line.strip()]
    rows = [line for line in lines if not line.startswith("allow:")]
    for depth, line in enumerate(reversed(rows)):
        for app in line.split():
            level[app] = depth
    for line in lines:
        if line.startswith("allow:"):
            source, target = (part.strip() for part in line.removeprefix("allow:").split("->"))
            allowed.add((source, target))
    return level, allowed


def imported_apps(path: Path, apps: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & apps
    return found


def arrows() -> list[tuple[str, str, str]]:
    """(importing app, imported app, file) for every import between two apps of the house."""
    level, _allowed = layers()
    result = []
    for app in level:
        for path in sorted((ROOT / app).rglob("*.py")):
            for target in imported_apps(path, set(level)) - {app}:
                result.append((app, target, str(path.relative_to(ROOT))))
    return result


def test_every_app_of_the_project_has_a_layer():
    level, _allowed = layers()
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"kit", "config"}
    assert apps <= set(level), f"apps without a layer in docs/architecture.md: {sorted(apps - set(level))}"


def test_imports_point_down_the_layers_except_the_documented_ones():
    level, allowed = layers()
    wrong = [
        f"{path}: {source} imports {target}"
        for source, target, path in arrows()
        if level[target] >= level[source] and (source, target) not in allowed
    ]
    assert not wrong, "\n".join(wrong)


def test_at_most_one_upward_arrow_is_documented():
    _level, allowed = layers()
    assert len(allowed) <= 1


@pytest.mark.parametrize("app", ["kit"])
def test_the_kit_imports_no_app(app):
    assert not [a for a in arrows() if a[0] == app]
