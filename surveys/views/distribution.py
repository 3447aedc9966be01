"""The coordinator's sending page: message counts, and buttons that start a round in the background.

With a Celery broker the button enqueues the whole round for a worker. Without one, the request queues
the round (a few bulk queries, in a transaction) and, once that is committed, a background thread of the
web process sends it (tasks.send_in_background); the page answers at once either way.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import record
from respondents.models import Campaign, RespondentGroup
from respondents.selectors import is_coordinator, visible_campaigns

from ..models import Invitation, Message
from ..services import sms
from ..services.delivery import message_counts
from ..services.message_preview import sample_wording
from ..services.messaging import prepare_round, preview_round
from ..tasks import broker_configured, queue_and_send_task, send_in_background

# action -> (channel, reminders, button label)
ACTIONS = {
    "email-invitations": (Message.Channel.EMAIL, False, gettext_lazy("Send invitations by e-mail")),
    "email-reminders": (Message.Channel.EMAIL, True, gettext_lazy("Send e-mail reminders")),
    "sms-reminders": (Message.Channel.SMS, True, gettext_lazy("Send SMS reminders")),
}


def _coordinated_campaign(user, slug: str) -> Campaign:
    campaign = get_object_or_404(visible_campaigns(user), slug=slug)
    if not is_coordinator(user, campaign.province_id):
        raise PermissionDenied
    return campaign


@login_required
def page(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    context = {
        "campaign": campaign,
        "rows": message_counts(campaign),
        "statuses": Message.Status.choices,
        "invitations": Invitation.objects.filter(campaign=campaign).count(),
        "sms_ready": sms.is_configured(),
        "actions": [(name, label, channel) for name, (channel, _r, label) in ACTIONS.items()],
    }
    return render(request, "surveys/distribution.html", context)


@login_required
@require_POST
def send(request, slug):
    campaign = _coordinated_campaign(request.user, slug)
    if request.POST.get("action") not in ACTIONS:
        return HttpResponseBadRequest(_("Unknown action: choose one of the buttons of the sending page."))
    channel, reminders, label = ACTIONS[request.POST["action"]]
    if request.POST.get("confirmed") != "1":
        # "Send to N people": nothing leaves before the coordinator has seen how many (D258).
        return _confirmation(request, campaign, request.POST["action"], channel, reminders, label)
    record(
        actor=request.user,
        action=AuditEvent.Action.ROUND_STARTED,
        campaign=campaign,
        detail={"channel": channel, "reminders": reminders, "confirmed_for": request.POST.get("count", "")},
    )
    if broker_configured():  # a worker does the whole round (no result backend: nothing to report yet)
        queue_and_send_task.delay(campaign.pk, channel, reminders)
        messages.info(request, _("Sending has started in the background; refresh this page to follow it."))
        return redirect("campaign-distribution", slug=slug)
    with transaction.atomic():
        report = prepare_round(campaign=campaign, channel=channel, reminders=reminders)
        transaction.on_commit(partial(send_in_background, campaign.pk))
    _summarise(request, report.as_dict())
    return redirect("campaign-distribution", slug=slug)


def _confirmation(request, campaign, action: str, channel: str, reminders: bool, label) -> HttpResponse:
    preview = preview_round(campaign=campaign, reminders=reminders)
    queue = preview.queues[channel]
    sample = sample_wording(campaign=campaign, channel=channel, reminders=reminders)
    context = {
        "campaign": campaign,
        "action": action,
        "label": label,
        "channel": channel,
        "queue": queue,
        "new_invitations": preview.invitations.created,
        "sample": sample,
    }
    return render(request, "surveys/distribution_confirm.html", context)


def _summarise(request, report: dict) -> None:
    queue = report["queue"]
    if queue["survey_closed"]:
        messages.error(request, _("The survey is closed: nothing was queued."))
    else:
        messages.success(
            request,
            _("Queued %(queued)d. Sending goes on in the background; refresh this page to follow it.")
            % {"queued": queue["queued"]},
        )
    if queue["no_address"]:
        messages.warning(request, _("%d respondents have no address for this channel.") % queue["no_address"])
    if report["missing_groups"]:
        names = RespondentGroup.objects.filter(code__in=report["missing_groups"]).values_list(
            "name", flat=True
        )
        groups = ", ".join(names)
        messages.warning(request, _("No questionnaire for the groups: %s; they were not invited.") % groups)
