"""JSON bodies of the field API, refused with the API's JSON 400 before parsing when too big or nested too
deep, and after parsing when they hold what no column can store (kit.safeinput.loads)."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from kit import safeinput

# {"items": [{"answers": {"code": [values]}}]} is five levels; nothing legitimate goes deeper.
MAX_DEPTH = 5
SINGLE_MAX_BYTES = 256 * 1024  # one submission of the longest questionnaire is a few KB
BATCH_MAX_BYTES = 4 * 1024 * 1024  # 500 submissions


class GuardedJSONParser(BaseParser):
    """JSON with a size limit (the view's `max_body_bytes`), a depth limit checked without recursion, and
    text and numbers that every column can store.

    Not a subclass of DRF's JSONParser on purpose: for those DRF reads `request.body`, which Django caps
    at DATA_UPLOAD_MAX_MEMORY_SIZE (2 MB) with its own HTML 400, so batches between 2 and 4 MB were
    refused in the wrong shape. This parser reads the stream itself, at most the view's limit + 1 byte:
    the view's limit is the only one (docs/decisions.md D135).
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        view = (parser_context or {}).get("view")
        limit = getattr(view, "max_body_bytes", SINGLE_MAX_BYTES)
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise ParseError(f"Request body too large (at most {limit} bytes).")
        body = stream.read(limit + 1) if stream is not None else b""
        try:
            return safeinput.loads(body, max_bytes=limit, max_depth=MAX_DEPTH)
        except safeinput.UnsafeInput as exc:
            raise ParseError(str(exc)) from exc
