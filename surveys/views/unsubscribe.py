"""Unsubscribing from the e-mail itself (RFC 8058 one-click) and the providers' bounce webhook."""

import hmac
import json

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ..models import Invitation
from ..services.delivery import record_bounce
from ..services.unsubscribe import opt_out, read_token

MAX_WEBHOOK_BYTES = 256 * 1024


@csrf_exempt  # RFC 8058: the mail provider POSTs without a CSRF token; the signed token authenticates it
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows a confirmation button (a link scanner's GET changes nothing); POST unsubscribes, whether
    it is the provider's one-click `List-Unsubscribe=One-Click` or the person's button."""
    found = read_token(token)
    invitation = (
        Invitation.all_objects.filter(pk=found[0]).select_related("respondent").first() if found else None
    )
    if invitation is None:
        response = render(request, "surveys/respondent/not_found.html", status=404)
    elif request.method == "POST":
        opt_out(invitation=invitation, channels=[found[1]], how="one-click unsubscribe (RFC 8058)")
        response = render(request, "surveys/respondent/unsubscribed.html", {"done": True})
    else:
        response = render(request, "surveys/respondent/unsubscribed.html", {"done": False, "token": token})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@csrf_exempt  # a provider's server calls it; the shared secret authenticates it
@require_POST
def bounce_webhook(request):
    """A provider's report of a hard bounce: {"message_id": "<msg-12@host>", "type": "hard"|"permanent"|…,
    "reason": "550 5.1.1 …"} (or a list of them). Soft bounces and other events are acknowledged and
    ignored; only `hard`, `permanent` and `bounce` types mark the message bounced."""
    secret = settings.BOUNCE_WEBHOOK_SECRET
    given = request.headers.get("X-Bounce-Secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden()
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return HttpResponseBadRequest()
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return HttpResponseBadRequest()
    events = payload if isinstance(payload, list) else [payload]
    marked = 0
    for event in events[:500]:
        if not isinstance(event, dict):
            continue
        kind = str(event.get("type", "")).lower()
        message_id = str(event.get("message_id", ""))[:200]
        if kind in ("hard", "permanent", "bounce") and message_id:
            reason = str(event.get("reason") or f"{kind} bounce reported by the provider")[:1000]
            marked += record_bounce(provider_id=message_id, reason=reason) is not None
    return JsonResponse({"marked": marked})
