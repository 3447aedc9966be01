"""The respondent's pages behind the personal link: the questionnaire, autosave, submission, thanks, opt-out.

The pages are public (the token is the credential), so they are never cached, never indexed, and answer an
unknown token with the same bare 404 whatever the reason. A client address that opens too many unknown
links (settings.TOKEN_MISS_LIMIT in any TOKEN_MISS_WINDOW seconds) gets 429 for further unknown links until
its misses leave the window; a valid link always opens (docs/decisions.md D132): a link carries 144 random
bits, so guessing one is hopeless whatever the limit, and refusing valid links locked out every colleague
behind an office's shared address.
"""

import functools

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kit.client_ip import client_ip
from kit.ratelimit import count_hit, retry_after

from ..models import Message
from ..services.definitions import languages
from ..services.layout import page_language, page_sections
from ..services.responses import (
    MAX_BODY_BYTES,
    answers_from_form,
    answers_from_json,
    open_invitation,
    questionnaire_for,
    record_opened,
    save_draft,
    submit,
)
from ..services.tokens import invitation_for_token
from ..services.unsubscribe import opt_out

SAVE_STATUS = {"saved": 200, "already_submitted": 409, "closed": 410}


def token_page(view):
    """Resolve the token; answer unknown links (404, or 429 past the miss limit), closed surveys (410),
    surveys not open yet (403) and oversized posts (400)."""

    @functools.wraps(view)
    def wrapper(request, token):
        invitation = invitation_for_token(token)
        if invitation is None:
            response = _unknown_link(request)
        elif not invitation.campaign.is_survey_open():
            response = _closed(request, invitation)
        elif not invitation.campaign.has_survey_started():
            campaign = invitation.campaign
            response = render(
                request, "surveys/respondent/not_open_yet.html", {"campaign": campaign}, status=403
            )
        elif request.method == "POST" and _declared_length(request) > MAX_BODY_BYTES:
            response = JsonResponse({"status": "too_large"}, status=400)
        else:
            response = view(request, invitation, token)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return never_cache(wrapper)


def _unknown_link(request):
    """404, or 429 once this client address had TOKEN_MISS_LIMIT unknown links in the last
    TOKEN_MISS_WINDOW seconds (a sliding window: kit.ratelimit). Valid links are never refused, whoever
    else shares the address and whatever it missed before (docs/decisions.md D132)."""
    limit = {
        "scope": "token-miss",
        "client": client_ip(request) or "unknown",
        "window": settings.TOKEN_MISS_WINDOW,
    }
    wait = retry_after(**limit, limit=settings.TOKEN_MISS_LIMIT)
    if wait:
        response = render(request, "surveys/respondent/rate_limited.html", status=429)
        response["Retry-After"] = str(wait)
        return response
    count_hit(**limit)
    return render(request, "surveys/respondent/not_found.html", status=404)


@require_GET
@token_page
def survey_start(request, invitation, token):
    opened = open_invitation(invitation=invitation)
    if opened.submitted:
        return render(request, "surveys/respondent/already_submitted.html", {"invitation": invitation})
    return _questionnaire_page(
        request, invitation, token, opened.questionnaire, opened.answers, saved_at=opened.saved_at
    )


@require_POST
@token_page
def survey_opened(request, invitation, token):
    """The page's script says it runs in a browser: the link was opened by a person, not a mail scanner."""
    record_opened(invitation=invitation)
    return HttpResponse(status=204)


@require_http_methods(["GET", "POST"])
@token_page
def survey_save(request, invitation, token):
    if request.method == "GET":  # e.g. back from the language menu
        return redirect("survey-start", token=token)
    definition = questionnaire_for(invitation=invitation).definition
    if request.content_type != "application/json":  # the no-JavaScript "save and continue later" button
        save_draft(invitation=invitation, answers=answers_from_form(definition, request.POST))
        return redirect(reverse("survey-start", args=[token]) + "?saved=1")
    answers = answers_from_json(request.body, definition)
    if answers is None:
        return JsonResponse({"status": "invalid"}, status=400)
    result = save_draft(invitation=invitation, answers=answers)
    saved_at = time_format(timezone.localtime(result.saved_at), "H:i") if result.saved_at else None
    payload = {"status": result.status, "saved_at": saved_at, "errors": result.errors}
    return JsonResponse(payload, status=SAVE_STATUS[result.status])


@require_http_methods(["GET", "POST"])
@token_page
def survey_submit(request, invitation, token):
    if request.method == "GET":  # e.g. back from the language menu after a rejected submission
        return redirect("survey-start", token=token)
    questionnaire = questionnaire_for(invitation=invitation)
    answers = answers_from_form(questionnaire.definition, request.POST)
    result = submit(invitation=invitation, answers=answers)
    if result.status == "submitted":
        return redirect("survey-thanks", token=token)
    if result.status == "already_submitted":
        return render(request, "surveys/respondent/already_submitted.html", {"invitation": invitation})
    if result.status == "closed":
        return _closed(request, invitation)
    return _questionnaire_page(request, invitation, token, questionnaire, answers, result.errors, status=400)


@require_GET
@token_page
def survey_thanks(request, invitation, token):
    if invitation.submitted_at is None:
        return redirect("survey-start", token=token)
    return render(request, "surveys/respondent/thanks.html", {"invitation": invitation})


@require_http_methods(["GET", "POST"])
@token_page
def survey_opt_out(request, invitation, token):
    if request.method == "POST":
        # No more reminders here, and the person's addresses on the suppression list (docs/decisions.md D257).
        opt_out(invitation=invitation, channels=list(Message.Channel.values), how="opt-out link")
        return redirect("survey-opt-out", token=token)
    return render(request, "surveys/respondent/opt_out.html", {"invitation": invitation, "token": token})


def _closed(request, invitation):
    return render(request, "surveys/respondent/closed.html", {"campaign": invitation.campaign}, status=410)


def _questionnaire_page(
    request, invitation, token, questionnaire, answers, errors=None, *, saved_at=None, status=200
):
    errors = errors or {}
    sections, progress = page_sections(questionnaire.definition, answers, errors)
    context = {
        "invitation": invitation,
        "campaign": invitation.campaign,
        "questionnaire": questionnaire,
        **language_context(questionnaire.definition),
        "token": token,
        "sections": sections,
        "progress": progress,
        "error_list": [q for s in sections for q in s["questions"] if q["error"]],
        "saved_at": saved_at,
        "saved_notice": request.GET.get("saved") == "1",
    }
    return render(request, "surveys/respondent/questionnaire.html", context, status=status)


def language_context(definition: dict) -> dict:
    """The language the questionnaire shows in, and its main language (for lang attributes)."""
    return {"page_language": page_language(definition), "main_language": languages(definition)[0]}


def _declared_length(request) -> int:
    """The declared body size; a value that is not a number counts as too large (answered with 400)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return MAX_BODY_BYTES + 1
