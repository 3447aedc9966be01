"""JSON bodies of the field API, refused with a 400 before parsing when too big or nested too deep."""

import json
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# {"items": [{"answers": {"code": [values]}}]} is five levels; nothing legitimate goes deeper.
MAX_DEPTH = 5
SINGLE_MAX_BYTES = 256 * 1024  # one submission of the longest questionnaire is a few KB
BATCH_MAX_BYTES = 4 * 1024 * 1024  # 500 submissions


class GuardedJSONParser(JSONParser):
    """JSONParser with a size limit (the view's `max_body_bytes`), a depth limit checked without
    recursion, and text that PostgreSQL can store (no lone surrogates)."""

    def parse(self, stream, media_type=None, parser_context=None):
        view = (parser_context or {}).get("view")
        limit = getattr(view, "max_body_bytes", SINGLE_MAX_BYTES)
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise ParseError(f"Request body too large (at most {limit} bytes).")
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(f"Request body too large (at most {limit} bytes).")
        try:
            text = body.decode(settings.DEFAULT_CHARSET)
        except UnicodeDecodeError as exc:
            raise ParseError("Request body is not valid UTF-8.") from exc
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON nested too deeply (at most {MAX_DEPTH} levels).")
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(f"JSON parse error: {exc}") from exc
        if "\\u" in text and not _encodable(data):
            raise ParseError("JSON contains invalid unicode (lone surrogates).")
        return data


def _refuse_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _encodable(data) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
