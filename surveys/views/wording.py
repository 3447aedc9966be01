"""The coordinator's page for a campaign's e-mail and SMS wording: edit with placeholders, preview for a
chosen respondent, SMS length in parts with and without diacritics."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import record
from respondents.models import Respondent

from ..models import Message
from ..services.message_preview import sample_wording
from ..services.message_texts import PLACEHOLDERS, editable_wording, reset_wording, save_wording, template_for
from .distribution import _coordinated_campaign

MESSAGES = [
    (Message.Channel.EMAIL, Message.Kind.INVITATION),
    (Message.Channel.EMAIL, Message.Kind.REMINDER),
    (Message.Channel.SMS, Message.Kind.INVITATION),
    (Message.Channel.SMS, Message.Kind.REMINDER),
]


@login_required
def wording_page(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    errors: dict = {}
    posted: dict = {}
    if request.method == "POST":
        channel, kind = request.POST.get("channel"), request.POST.get("kind")
        if (channel, kind) not in MESSAGES:
            return HttpResponseBadRequest(_("Unknown message: use the forms of this page."))
        if request.POST.get("reset") == "1":
            reset_wording(campaign_id=campaign.pk, channel=channel, kind=kind)
            messages.success(request, _("Back to the standard wording."))
            return redirect(_url(campaign, request))
        result = save_wording(
            campaign_id=campaign.pk,
            channel=channel,
            kind=kind,
            body=request.POST.get("body", ""),
            subject=request.POST.get("subject", ""),
            sender_name=request.POST.get("sender_name", ""),
            by=request.user,
        )
        if result.ok:
            record(
                actor=request.user,
                action=AuditEvent.Action.MESSAGES_TEXT_CHANGED,
                campaign=campaign,
                obj=result.template,
                detail={"channel": channel, "kind": kind},
            )
            messages.success(request, _("Wording saved."))
            return redirect(_url(campaign, request))
        errors[(channel, kind)] = result.errors
        posted[(channel, kind)] = request.POST
    people = (
        Respondent.objects.current().filter(campaign=campaign).select_related("unit").order_by("full_name")
    )
    chosen = (
        people.filter(pk=request.GET.get("respondent")).first()
        if request.GET.get("respondent", "").isdigit()
        else None
    )
    chosen = chosen or people.first()
    blocks = []
    for channel, kind in MESSAGES:
        values = posted.get((channel, kind)) or editable_wording(campaign.pk, channel, kind)
        sample = sample_wording(
            campaign=campaign, channel=channel, reminders=kind == Message.Kind.REMINDER, respondent=chosen
        )
        blocks.append(
            {
                "channel": channel,
                "kind": kind,
                "label": f"{Message.Channel(channel).label} · {Message.Kind(kind).label}",
                "values": values,
                "custom": template_for(campaign.pk, channel, kind) is not None,
                "errors": errors.get((channel, kind), {}),
                "sample": sample,
            }
        )
    context = {
        "campaign": campaign,
        "blocks": blocks,
        "placeholders": [("{" + name + "}", label) for name, label in PLACEHOLDERS.items()],
        "people": people[:500],
        "chosen": chosen,
    }
    return render(request, "surveys/wording.html", context)


def _url(campaign, request) -> str:
    url = reverse("campaign-wording", args=[campaign.slug])
    respondent = request.GET.get("respondent", "")
    return f"{url}?respondent={respondent}" if respondent.isdigit() else url
