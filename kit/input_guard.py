"""Middleware: a NUL character or lone surrogate in the URL, the query string or a form field is answered
with a clear 400 before any view runs (docs/decisions.md D133).

No text column can store them (PostgreSQL refuses NUL outright), so a view that filtered or saved such a
value answered 500. Checking here covers every page and form, present and future; JSON bodies are checked
by their parser (kit.safeinput.loads), which knows the view's limits. Files are not looked into: an
uploaded workbook is binary and read by its importer, which reports its own problems.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .safeinput import text_problem

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def input_problem(request: HttpRequest) -> str | None:
    """'nul' or 'surrogate' for the first unstorable character in path, query or form fields, else None."""
    candidates = [request.path_info]
    candidates += [text for key, values in request.GET.lists() for text in (key, *values)]
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type in FORM_TYPES:
        candidates += [text for key, values in request.POST.lists() for text in (key, *values)]
        candidates += [upload.name or "" for _key, uploads in request.FILES.lists() for upload in uploads]
    for text in candidates:
        problem = text_problem(text)
        if problem:
            return problem
    return None


class RefuseUnstorableInput:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if input_problem(request) is None:
            return self.get_response(request)
        message = _(
            "The request contains a character that cannot be stored (a NUL character or broken "
            "Unicode text). Remove it, for example by typing the text again instead of pasting it, "
            "and try again."
        )
        if request.path_info.startswith("/api/") or request.content_type == "application/json":
            return JsonResponse({"detail": message, "code": "invalid_characters"}, status=400)
        return HttpResponse(render_to_string("400.html", {"message": message}, request=request), status=400)
