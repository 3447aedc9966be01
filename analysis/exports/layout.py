"""The columns of a response export (pure: definitions and answers in, a DataFrame out, no ORM).

A question is one column named by its code across every version of the questionnaire (docs/decisions.md
D300); a multiple-choice question is one 0/1 column per choice, `<code>__<value>`. A question absent from
the version a response answered is blank in that row.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

CHOICE_SEPARATOR = "__"
SKIPPED_TYPES = {"note"}
# Free text may name or describe the respondent: left out of pseudonymised exports (docs/decisions.md D305).
IDENTIFYING_TYPES = {"text"}
# Stata allows 32 characters, its value-label names 31, and pyreadstat names a variable's value labels after
# it with a counter appended (up to 9999 labelled variables): 27 keeps both within the limits.
STATA_NAME_LENGTH = 27


@dataclass
class QuestionColumn:
    """One column of answers: a question (or one choice of a multiple-choice question)."""

    name: str
    code: str
    text: str
    type: str
    options: list[tuple[Any, str]] = field(default_factory=list)  # (value, label) of a choice question
    choice: Any = None  # the option of a multiple-choice column
    feeds: str = ""
    versions: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.choice is None:
            return self.text
        return f"{self.text} — {dict(self.options).get(self.choice, self.choice)}"


def question_columns(versions: Sequence[tuple[int, dict[str, Any]]]) -> list[QuestionColumn]:
    """The answer columns of a questionnaire's versions ((version, definition), newest first): the newest
    version's order, then codes only older versions had, in their order. Text and options are the newest
    version's that has the question."""
    found: dict[str, QuestionColumn] = {}
    for version, definition in versions:
        scales = definition.get("scales") or {}
        for section in definition.get("sections", []):
            for question in section.get("questions", []):
                if question.get("type") in SKIPPED_TYPES:
                    continue
                code = question["code"]
                column = found.get(code)
                if column is None:
                    options = question.get("options") or scales.get(question.get("scale"), [])
                    column = found[code] = QuestionColumn(
                        name=code,
                        code=code,
                        text=question.get("text", ""),
                        type=question["type"],
                        options=[(o["value"], o.get("label", str(o["value"]))) for o in options],
                        feeds=question.get("feeds") or "",
                    )
                column.versions.append(version)
    columns: list[QuestionColumn] = []
    for column in found.values():
        column.versions.sort()
        if column.type != "multiple":
            columns.append(column)
            continue
        for value, _label in column.options:
            columns.append(
                QuestionColumn(
                    name=f"{column.code}{CHOICE_SEPARATOR}{value}",
                    code=column.code,
                    text=column.text,
                    type="multiple",
                    options=column.options,
                    choice=value,
                    feeds=column.feeds,
                    versions=column.versions,
                )
            )
    return columns


def answer_frame(
    answers: pd.DataFrame,
    versions: Sequence[int],
    columns: Sequence[QuestionColumn],
    *,
    labels: bool = False,
) -> pd.DataFrame:
    """One row per row of `answers` (one column per question code, as kit.jsonframe.object_frame reads
    the stored answers), one column per QuestionColumn. `versions[i]` is the version row i answered: a
    question it lacks is blank. Choice values stay codes (integers as nullable Int64) unless `labels`,
    which writes the option's label; multiple-choice columns are 1/0, blank when the question was not
    answered. Converted column by column (no per-cell Python work except for the choices of
    multiple-choice questions)."""
    codes = list(dict.fromkeys(column.code for column in columns))
    rows = len(answers)
    raw = answers.reset_index(drop=True).reindex(columns=codes) if codes else None
    versions_array = np.asarray(versions)
    absent_of: dict[tuple[int, ...], np.ndarray] = {}
    data: dict[str, pd.Series] = {}
    for column in columns:
        assert raw is not None  # columns imply codes
        source = raw[column.code]
        if column.type == "multiple":
            chosen = {column.choice, str(column.choice)}
            values = [None if not isinstance(v, list) else int(not chosen.isdisjoint(v)) for v in source]
            series = pd.Series(values, dtype="Int64")
        elif column.options and labels:
            series = _labels(source, column)
        else:
            series = _typed(source, column)
        key = tuple(column.versions)
        absent = absent_of.get(key)
        if absent is None:
            absent = absent_of[key] = ~np.isin(versions_array, column.versions)
        if absent.any():
            series = series.mask(absent)
        data[column.name] = series.reset_index(drop=True)
    return pd.DataFrame(data, index=pd.RangeIndex(rows))


def _labels(source: pd.Series, column: QuestionColumn) -> pd.Series:
    names = {str(value): label for value, label in column.options}
    plain = _typed(source, column)
    text = plain.astype(object).where(plain.notna(), None)
    return pd.Series([None if v is None else names.get(str(v), str(v)) for v in text], dtype=object)


def _typed(source: pd.Series, column: QuestionColumn) -> pd.Series:
    """Whole numbers as nullable Int64, other numbers as float, anything else as text (object)."""
    if pd.api.types.is_bool_dtype(source.dtype):
        return source.astype(object)
    if pd.api.types.is_numeric_dtype(source.dtype):
        numbers = source.astype(float)
        finite = numbers.dropna()
        whole = column.type != "number" or bool((finite == np.floor(finite)).all())
        if whole and (not len(finite) or bool((finite.abs() < 2**53).all())):
            return numbers.astype("Int64")
        return numbers
    present = source.dropna()
    if not len(present):
        integer_options = bool(column.options) and all(
            isinstance(v, int) and not isinstance(v, bool) for v, _ in column.options
        )
        return pd.Series(pd.NA, index=source.index, dtype="Int64" if integer_options else object)
    return pd.Series(
        [None if v is None or v is pd.NA else _text(v) for v in source.astype(object)], dtype=object
    )


def _text(value: Any) -> str | Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, float) and np.isnan(value):
        return None
    return value if isinstance(value, int | float) else str(value)


def fold_choice_columns(frame: pd.DataFrame, codes: Iterable[str]) -> pd.DataFrame:
    """Back from an export: the 0/1 `<code>__<value>` columns of each multiple-choice code joined into one
    `<code>` column of chosen values ("a;b"), blank where every choice column is blank. Used by compute_sipas
    reading an exported CSV (all cells text)."""
    for code in codes:
        prefix = f"{code}{CHOICE_SEPARATOR}"
        parts = [c for c in frame.columns if str(c).startswith(prefix)]
        if not parts or code in frame.columns:
            continue
        chosen = pd.Series([[] for _ in range(len(frame))], index=frame.index, dtype=object)
        answered = pd.Series(False, index=frame.index)
        for part in parts:
            cells = frame[part].astype("string").str.strip().fillna("")
            answered |= cells != ""
            hit = cells.isin(["1", "1.0"])
            for position in np.flatnonzero(hit.to_numpy()):
                chosen.iloc[position].append(str(part)[len(prefix) :])
        joined = pd.Series([";".join(c) for c in chosen], index=frame.index, dtype="string")
        frame = frame.drop(columns=parts).assign(**{code: joined.where(answered, "")})
    return frame


def stata_names(names: Sequence[str]) -> list[str]:
    """Names SPSS and Stata both accept: letters, digits and _, not starting with a digit, at most 27
    characters, unique (a clash gets _2, _3, …); docs/decisions.md D303."""
    result: list[str] = []
    seen: set[str] = set()
    for name in names:
        safe = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not safe or not (safe[0].isalpha()):
            safe = f"v_{safe}"
        safe = safe[:STATA_NAME_LENGTH]
        candidate, n = safe, 1
        while candidate.lower() in seen:
            n += 1
            suffix = f"_{n}"
            candidate = safe[: STATA_NAME_LENGTH - len(suffix)] + suffix
        seen.add(candidate.lower())
        result.append(candidate)
    return result
