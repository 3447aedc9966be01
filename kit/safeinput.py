"""Input that no database column can store, refused at the door: NUL characters, lone surrogates,
non-finite numbers, JSON nested too deeply or too big (docs/decisions.md D133).

PostgreSQL refuses NUL in text and jsonb (`\\u0000`) and lone surrogates in UTF-8, and a decimal column
refuses `1e30`; each used to surface as a 500 deep inside a view. One JSON reader for every JSON body
(the field API's parser, the respondent's autosave) and one check for form and query values
(kit.input_guard) refuse them first, with a message saying what is wrong. Pure functions: no Django.
"""

import json
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

NUL = "\x00"


class UnsafeInput(ValueError):
    """Input refused before it reaches a view; `code` names the reason, str() is an English message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def text_problem(value: str) -> str | None:
    """'nul' or 'surrogate' when `value` cannot be stored as text, else None."""
    if NUL in value:
        return "nul"
    if _SURROGATE.search(value):
        return "surrogate"
    return None


def storable_text(value: str, *, length: int) -> str:
    """`value` with what text_problem refuses removed (NUL, lone surrogates), cut to `length`: for a value
    that is only matched against known ones (a filter), where refusing the request would help nobody."""
    return _SURROGATE.sub("", value.replace(NUL, ""))[:length]


def loads(body: bytes | str, *, max_bytes: int, max_depth: int) -> Any:  # noqa: ANN401 - any JSON value
    """A JSON document that every column can store, or UnsafeInput saying why not.

    Refused: more than `max_bytes`, not UTF-8, more than `max_depth` levels of nesting (checked before
    parsing, without recursion), invalid JSON, NaN/Infinity and numbers too big for a float (1e309),
    and strings (keys included) with NUL or lone surrogates ("\\ud800").
    """
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise UnsafeInput("too_large", f"Request body too large (at most {max_bytes} bytes).")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:  # raw lone surrogates (\xed\xa0\x80) are not UTF-8 either
        raise UnsafeInput("not_utf8", "Request body is not valid UTF-8.") from exc
    if nesting_depth(text) > max_depth:
        raise UnsafeInput("too_deep", f"JSON nested too deeply (at most {max_depth} levels).")
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except UnsafeInput:
        raise
    except (ValueError, RecursionError) as exc:
        raise UnsafeInput("invalid_json", f"JSON parse error: {exc}") from exc
    # A NUL or a lone surrogate can only come from a \u escape (the text is valid UTF-8 and the parser
    # refuses raw control characters), so strings are only walked when the text holds such an escape.
    problem = _first_text_problem(data) if _RISKY_ESCAPE.search(text) else None
    if problem == "nul":
        raise UnsafeInput("nul", "JSON text contains a NUL character (\\u0000).")
    if problem == "surrogate":
        raise UnsafeInput("surrogate", "JSON contains invalid unicode (lone surrogates).")
    return data


def nesting_depth(text: str) -> int:
    """Deepest bracket nesting outside strings, found without recursion (json.loads would recurse):
    string literals are removed by a regular expression, then only the brackets are walked."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    return deepest


def as_decimal(raw: object) -> Decimal | None:
    """`raw` as typed (a decimal comma accepted) as a finite Decimal, or None (empty, not a number, NaN,
    Infinity, or longer than 64 characters)."""
    text = str(raw).strip().replace(",", ".") if raw is not None else ""
    if not text or len(text) > 64:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse_decimal(raw: object, *, places: int, max_abs: Decimal) -> Decimal | None:
    """`raw` as a Decimal with at most `places` decimals and |value| <= max_abs, or None.

    The range is checked before quantizing: Decimal("1e30").quantize(Decimal("0.01")) raises
    InvalidOperation (more digits than the context's precision), which used to be a 500.
    """
    value = as_decimal(raw)
    if value is None or abs(value) > max_abs:
        return None
    try:
        if value != value.quantize(Decimal(1).scaleb(-places)):
            return None
    except InvalidOperation:
        return None
    return value


def _refuse_constant(name: str) -> float:
    raise UnsafeInput("non_finite", f"{name} is not a number JSON allows.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeInput("non_finite", f"The number {text[:40]} is too large.")
    return value


def _first_text_problem(data: object) -> str | None:
    """The first NUL or lone surrogate in any string of `data`, keys included (iterative walk)."""
    pending: list[object] = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found = text_problem(item)
            if found:
                return found
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return None


_SURROGATE = re.compile("[\ud800-\udfff]")
# A string literal, written as "unrolled loop" (runs of plain characters between escapes): the same matches
# as '"(?:[^"\\]|\\.)*"', several times faster (tests/kit/test_safeinput.py compares them).
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# \u0000 or \uD800–\uDFFF (maybe preceded by an escaped backslash: then only a needless walk).
_RISKY_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
_BRACKET = re.compile(r"[\[\]{}]")
