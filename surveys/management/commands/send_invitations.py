"""python manage.py send_invitations --campaign S [--channel email|sms] [--reminders] [--dry-run]
                                    [--workers N] [--yes]

Invites respondents who have no invitation yet, queues the round on one channel (invitations, or with
--reminders the reminders that are due) and sends the campaign's queue. --dry-run prints what each channel
would queue and writes nothing. Before sending it says how many people the round goes to and asks; --yes
answers for it (scripts), and without a terminal to ask it sends nothing unless --yes is given
(docs/decisions.md D258). Running it again sends nothing twice (services/messaging/). The queue
is sent by --workers processes side by side (default: the SENDING_WORKERS setting).
Exit status: 0 done, 1 a server was unavailable (the rest stays queued for the next run), 2 usage error.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from respondents.models import Campaign
from surveys.models import Message
from surveys.services import sms
from surveys.services.messaging import prepare_round, preview_round
from surveys.services.parallel import send_queued_in_processes


class Command(BaseCommand):
    help = "Send survey invitations or reminders of a campaign by e-mail or SMS."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--channel", choices=Message.Channel.values, default=Message.Channel.EMAIL)
        parser.add_argument("--reminders", action="store_true", help="send the reminders that are due")
        parser.add_argument("--dry-run", action="store_true", help="only count what would be queued")
        parser.add_argument("--workers", type=int, help="sending processes (default: SENDING_WORKERS)")
        parser.add_argument("--yes", action="store_true", help="send without asking for confirmation")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        kind = "reminders" if opts["reminders"] else "invitations"
        if opts["dry_run"]:
            preview = preview_round(campaign=campaign, reminders=opts["reminders"])
            self._missing(preview.invitations.missing_groups)
            for channel, queue in preview.queues.items():
                self.stdout.write(
                    f"{channel}: {queue.queued} {kind} would be queued, {queue.no_address} without address"
                    + (" (survey closed)" if queue.survey_closed else "")
                )
            return
        if opts["workers"] is not None and opts["workers"] < 1:
            raise CommandError("--workers must be at least 1", returncode=2)
        if not opts["yes"]:
            self._confirm(campaign, opts["channel"], opts["reminders"], kind)
        report = prepare_round(campaign=campaign, channel=opts["channel"], reminders=opts["reminders"])
        workers = opts["workers"] or settings.SENDING_WORKERS
        report.send = send_queued_in_processes(campaign=campaign, workers=workers)
        self._missing(report.missing_groups)
        if report.queue.survey_closed:
            self.stderr.write("the survey is closed: nothing queued")
        if opts["channel"] == Message.Channel.SMS and not sms.is_configured():
            self.stderr.write("SMS is not configured (TWILIO_*): SMS messages stay queued")
        send = report.send
        self.stdout.write(
            f"{campaign.slug} {opts['channel']} {kind}: invitations created {report.invitations_created}, "
            f"queued {report.queue.queued} ({report.queue.no_address} without address), "
            f"sent {send.sent}, failed {send.failed}, to retry {send.requeued}"
        )
        for outage in send.outages:
            self.stderr.write(outage)
        if send.outages:
            sys.exit(1)

    def _confirm(self, campaign: Campaign, channel: str, reminders: bool, kind: str) -> None:
        queue = preview_round(campaign=campaign, reminders=reminders).queues[channel]
        question = f"send {channel} {kind} to {queue.queued} people of {campaign.slug}?"
        if not sys.stdin.isatty():
            raise CommandError(f"{question} Add --yes to send without a terminal to confirm.", returncode=2)
        answer = input(f"{question} [y/N] ").strip().lower()
        if answer not in ("y", "yes", "c", "co", "có"):
            raise CommandError("nothing sent", returncode=2)

    def _missing(self, groups: dict[str, int]) -> None:
        for code, count in groups.items():
            self.stderr.write(f"group {code}: no current questionnaire, {count} respondents not invited")
