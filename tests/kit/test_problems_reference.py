"""Every problem code of the catalogue is documented in docs/reference/problems.md, and nothing else is."""

import re
from pathlib import Path

from kit.tabular.problems import MESSAGES

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "problems.md"


def test_the_reference_documents_exactly_the_catalogues_codes():
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", REFERENCE.read_text(encoding="utf-8"), re.M))
    assert documented == {key.split(".")[0] for key in MESSAGES}
