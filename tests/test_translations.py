"""The Vietnamese catalogue is complete and its compiled .mo matches the .po (both are committed)."""

import ast
import gettext
import re
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) for every single-form entry, joining continued lines."""
    entries = []
    for block in text.split("\n\n")[1:]:
        if "msgid_plural" in block or block.lstrip().startswith("#~"):
            continue
        match = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if match:
            entries.append((_join(match.group(1)), _join(match.group(2))))
    return entries


def _join(quoted: str) -> str:
    """The text of a PO string written over several quoted lines (PO escapes are Python's)."""
    return "".join(ast.literal_eval(part) for part in re.findall(r'".*"', quoted))


def test_every_message_has_a_vietnamese_translation():
    entries = _entries(PO.read_text(encoding="utf-8"))
    assert len(entries) > 200
    untranslated = [msgid for msgid, msgstr in entries if not msgstr]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8").split("\n\n", 1)[1]


def test_compiled_catalogue_matches_the_po_file():
    with PO.with_suffix(".mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for msgid, msgstr in _entries(PO.read_text(encoding="utf-8")):
        assert catalog.gettext(msgid) == msgstr, msgid
