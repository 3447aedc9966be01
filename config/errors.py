"""The error pages: 403, 404, 500 and 503 in the site's layout and the user's language, each with a way
back and never a detail of the error (no path, exception or setting). The API and JSON requests get
{"detail": …} instead. 429 pages live with what limits: config/auth.py (logins), surveys' link pages.

Database outages (503) are told apart in config/outage.py; 500 and 503 render without the request's
context, so that a page about a failure does not query the database that may have failed.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def wants_json(request: HttpRequest) -> bool:
    return (
        request.path.startswith("/api/")
        or "application/json" in request.headers.get("Accept", "")
        or request.content_type == "application/json"
    )


def _page(request: HttpRequest, status: int, context: dict, *, offline: bool = False) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": context["message"]}, status=status)
    context = {**context, "status": status, "page": context.get("page", f"error-{status}")}
    if offline:  # no context processors: no session, user or menu from the database
        return HttpResponse(
            render_to_string("errors/error.html", {**context, "offline": True}), status=status
        )
    return render(request, "errors/error.html", context, status=status)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _page(
        request,
        404,
        {
            "title": _("Page not found"),
            "message": _("This page does not exist or is no longer available."),
            "hint": _("The link may be incomplete or out of date. Start again from the home page."),
        },
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    anonymous = not getattr(request, "user", None) or not request.user.is_authenticated
    return _page(
        request,
        403,
        {
            "title": _("Access not allowed"),
            "message": _("Your account does not give access to this page."),
            "hint": _(
                "If your work needs it, ask the campaign's coordinator at the Department of Home Affairs."
            ),
            "login": anonymous,
        },
    )


def server_error_page(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        500,
        {
            "title": _("Something went wrong"),
            "message": _(
                "The page could not be shown because of an error on our side. It has been recorded."
            ),
            "hint": _("Please try again in a few minutes. What you saved before is kept."),
        },
        offline=True,
    )


def unavailable_page(request: HttpRequest, message: str) -> HttpResponse:
    return _page(
        request,
        503,
        {"title": _("Service briefly unavailable"), "message": message, "page": "unavailable"},
        offline=True,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old tab, cookies blocked): settings.CSRF_FAILURE_VIEW."""
    return _page(
        request,
        403,
        {
            "title": _("The form has expired"),
            "message": _("This form was open too long or cookies are blocked, so it could not be sent."),
            "hint": _("Go back, reload the page and send the form again."),
            "page": "error-csrf",
        },
    )
