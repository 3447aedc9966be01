"""Reading SIPAS inputs: the answers CSV, the population margins CSV and the element → items map of a
questionnaire definition (`feeds: sipas.<element>`). Problems become SipasInputError naming file, row, column.
"""

import csv
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.statistics import Margin
from kit.text import nfc
from surveys.services.definitions import parse_definition_file, questions

from .compute import SipasInputError
from .methods import FEEDS_PREFIX
from .shares import CategoricalQuestion

CATEGORICAL_FEEDS = {"sipas.perception": "perception", "sipas.need": "need"}


def elements_of_definition(definition: dict[str, Any]) -> dict[str, list[str]]:
    """{element: [item codes]} from the questions whose `feeds` is sipas.<element>, in questionnaire order."""
    elements: dict[str, list[str]] = {}
    for question in questions(definition):
        feeds = question.get("feeds") or ""
        scored = question.get("type") == "scale" and feeds not in CATEGORICAL_FEEDS
        if feeds.startswith(FEEDS_PREFIX) and scored:
            elements.setdefault(feeds[len(FEEDS_PREFIX) :], []).append(question["code"])
    return elements


def categorical_of_definition(definition: dict[str, object]) -> list[CategoricalQuestion]:
    """Perception and needs questions (single or multiple choice, `feeds: sipas.perception` / `sipas.need`),
    estimated as weighted shares of their options."""
    found = []
    for question in questions(definition):
        kind = CATEGORICAL_FEEDS.get(question.get("feeds") or "")
        if kind and question.get("type") in ("single", "multiple"):
            options = question.get("options", [])
            found.append(
                CategoricalQuestion(
                    code=question["code"],
                    kind=kind,
                    options=tuple(o["value"] for o in options),
                    missing=tuple(o["value"] for o in options if o.get("missing")),
                    multiple=question["type"] == "multiple",
                )
            )
    return found


def elements_of_questionnaire_file(path: Path) -> dict[str, list[str]]:
    if not Path(path).is_file():
        raise SipasInputError(f"{path}: no such file")
    result = parse_definition_file(Path(path))
    if not result.ok or result.definition is None:  # ok means a definition; mypy sees it here
        raise SipasInputError(f"{path}: " + "; ".join(result.errors[:3]))
    elements = elements_of_definition(result.definition)
    if not elements:
        raise SipasInputError(f"{path}: no question feeds a SIPAS element (feeds: sipas.…)")
    return elements


def read_answers_csv(path: Path) -> pd.DataFrame:
    """One row per respondent; the index is the file's line number (header = line 1) for error messages.

    All cells are read as text (stripped, NFC) so that numbers are checked by the computation with the row.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise SipasInputError(f"{path}: no such file") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SipasInputError(f"{path}: not a readable UTF-8 CSV file ({str(exc).splitlines()[0]})") from None
    frame.columns = [nfc(str(c)).strip() for c in frame.columns]
    duplicated = frame.columns[frame.columns.duplicated()]
    if len(duplicated):
        raise SipasInputError(f"{path}: column {duplicated[0]!r} appears twice in the header")
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    cleaned: pd.DataFrame = frame.apply(lambda column: column.str.strip().str.normalize("NFC"))
    return cleaned


def read_margins_csv(path: Path) -> list[Margin]:
    """Margins file: header `variable,category,population`, one population total per line."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise SipasInputError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise SipasInputError(f"{path}: not a UTF-8 CSV file") from None
    if not rows or [c.strip().lower() for c in rows[0]] != ["variable", "category", "population"]:
        raise SipasInputError(f"{path}: row 1: the header must be variable,category,population")
    margins = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise SipasInputError(f"{path}: row {line}: three cells expected, found {len(row)}")
        variable, category, population = (nfc(c.strip()) for c in row)
        try:
            total = float(population.replace(",", ""))
        except ValueError:
            raise SipasInputError(
                f"{path}: row {line}, column 'population': {population!r} is not a number"
            ) from None
        if not total > 0 or total == float("inf"):
            raise SipasInputError(f"{path}: row {line}, column 'population': must be > 0")
        if not variable or not category:
            raise SipasInputError(f"{path}: row {line}: variable and category are required")
        margins.append(Margin(variable, category, total))
    if not margins:
        raise SipasInputError(f"{path}: no margins")
    return margins
