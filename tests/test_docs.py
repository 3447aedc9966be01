"""The documentation holds together: a short README, links that lead somewhere, and citations in the code
that name decisions and methodology sections that exist. No database."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_MAX_BYTES = 8000
CODE_SUFFIXES = {".py", ".html", ".js", ".yaml", ".yml", ".txt", ".cfg", ".toml"}
SKIPPED_DIRS = {".venv", ".git", "node_modules", "staticfiles", "media", "docs", "__pycache__"}

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def markdown_files() -> list[Path]:
    return [README, *sorted(DOCS.rglob("*.md"))]


def prose(text: str) -> str:
    """The text without fenced blocks and code spans, where brackets are not links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def relative_links(path: Path) -> list[str]:
    links = _LINK.findall(prose(path.read_text(encoding="utf-8")))
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link)]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, seen = set(), {}
    for heading in _HEADING.findall(_FENCE.sub("", path.read_text(encoding="utf-8"))):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def code_files():
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if path.suffix in CODE_SUFFIXES and not SKIPPED_DIRS & parts and path.is_file():
            yield path


def cited(pattern: str) -> set[tuple[str, str]]:
    """(file, citation) for every match of `pattern` in the code, comments and docstrings included."""
    return {
        (str(path.relative_to(ROOT)), found)
        for path in code_files()
        for found in re.findall(pattern, path.read_text(encoding="utf-8", errors="replace"))
    }


def test_the_readme_stays_under_8000_bytes():
    assert len(README.read_bytes()) <= README_MAX_BYTES


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page):
    broken = []
    for link in relative_links(page):
        target, _, anchor = link.partition("#")
        resolved = (page.parent / target).resolve() if target else page
        missing_heading = anchor and resolved.suffix == ".md" and anchor not in anchors(resolved)
        if not resolved.exists() or missing_heading:
            broken.append(link)
    assert broken == []


def test_every_docs_page_can_be_reached_from_the_readme():
    reached, todo = set(), [README.resolve()]
    while todo:
        page = todo.pop()
        if page in reached:
            continue
        reached.add(page)
        for link in relative_links(page):
            target = (page.parent / link.partition("#")[0]).resolve()
            if target.suffix == ".md" and target.exists():
                todo.append(target)
    assert sorted(str(p.relative_to(ROOT)) for p in DOCS.rglob("*.md") if p.resolve() not in reached) == []


def decision_numbers() -> list[int]:
    text = (DOCS / "decisions.md").read_text(encoding="utf-8")
    return [int(n) for n in re.findall(r"^### D(\d+)\. ", text, re.M)]


def test_each_decision_number_is_used_once():
    # Numbers are stable references from the code; ranges are reserved per piece of work, so gaps are normal.
    numbers = decision_numbers()
    assert numbers and len(numbers) == len(set(numbers))


def test_every_decision_cited_in_the_code_exists():
    known = {str(n) for n in decision_numbers()}
    unknown = {(path, n) for path, n in cited(r"decisions\.md D(\d+)") if n not in known}
    assert unknown == set()


def test_every_methodology_section_cited_in_the_code_exists():
    text = (DOCS / "methodology.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^#{2,3} §(\d+(?:\.\d+)?) ", text, re.M))
    unknown = {(path, n) for path, n in cited(r"methodology\.md §(\d+(?:\.\d+)?)") if n not in sections}
    assert unknown == set()
