"""Delivery reports from Twilio: signed POSTs to the StatusCallback URL given with each SMS."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..services import sms
from ..services.delivery import record_sms_status


@csrf_exempt  # Twilio cannot send a CSRF token; the request signature authenticates it instead
@require_POST
def twilio_status(request):
    # Twilio signs the URL it was given (SITE_URL + path); behind a proxy the host Django sees may differ.
    urls = [settings.SITE_URL + request.get_full_path(), request.build_absolute_uri()]
    if not sms.valid_signature(
        urls=urls,
        params=request.POST,
        signature=request.headers.get("X-Twilio-Signature", ""),
        settings_header=request.headers.get("X-Twilio-Webhooks-Signature-Settings", ""),
    ):
        return HttpResponseForbidden()
    record_sms_status(
        sid=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=200)
