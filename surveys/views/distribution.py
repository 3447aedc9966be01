"""The coordinator's sending page: message counts, and buttons that start a round in the background."""

from celery.result import EagerResult
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from respondents.models import Campaign, RespondentGroup
from respondents.selectors import is_coordinator, visible_campaigns

from ..models import Invitation, Message
from ..services import sms
from ..services.delivery import message_counts
from ..tasks import queue_and_send_task

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
        return HttpResponseBadRequest()
    channel, reminders, _label = ACTIONS[request.POST["action"]]
    result = queue_and_send_task.delay(campaign.pk, channel, reminders)
    if not isinstance(result, EagerResult):  # a worker has it (CELERY_BROKER_URL is set; no result backend)
        messages.info(request, _("Sending has started in the background; refresh this page to follow it."))
        return redirect("campaign-distribution", slug=slug)
    _summarise(request, result.get())
    return redirect("campaign-distribution", slug=slug)


def _summarise(request, report: dict) -> None:
    queue, sent = report["queue"], report["send"]
    if queue["survey_closed"]:
        messages.error(request, _("The survey is closed: nothing was queued."))
    messages.success(
        request,
        _("Queued %(queued)d, sent %(sent)d, failed %(failed)d, to retry %(requeued)d.")
        % {"queued": queue["queued"], **sent},
    )
    if sent["outages"]:
        messages.error(request, _("Sending stopped: %s") % "; ".join(sent["outages"]))
    if queue["no_address"]:
        messages.warning(request, _("%d respondents have no address for this channel.") % queue["no_address"])
    if report["missing_groups"]:
        names = RespondentGroup.objects.filter(code__in=report["missing_groups"]).values_list(
            "name", flat=True
        )
        groups = ", ".join(names)
        messages.warning(request, _("No questionnaire for the groups: %s; they were not invited.") % groups)
