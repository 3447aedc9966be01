"""Versioned documents (questionnaires, criteria trees) as files people edit: reading YAML or JSON safely
(size limit, NFC), the canonical checksum that tells an identical file from a changed one, and the finite
number check their validators share."""

import hashlib
import json
import math
import unicodedata
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1024 * 1024


def read_document(path: Path) -> tuple[object, str]:
    """(document, "") from a YAML or JSON file of at most 1 MB, or (None, the problem naming the file).
    Shared by the questionnaire and criteria-tree loaders."""
    path = Path(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        return None, f"{path.name}: file larger than 1 MB"
    try:
        # NFC, so that labels, option values and checksums do not depend on the editor that saved the file.
        text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8"))
        document = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return None, f"{path.name}: not valid YAML/JSON ({exc})".splitlines()[0]
    return document, ""


def checksum(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def is_number(value: object) -> bool:
    """A finite number: YAML's .inf and .nan are floats that no answer can meet and JSON cannot store."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
