"""python manage.py export_campaign SLUG -o FILE: the whole campaign as one versioned archive (zip)."""

from django.core.management.base import BaseCommand, CommandError

from archive.services.export import export_campaign
from archive.services.parts import ArchiveError
from respondents.models import Campaign


class Command(BaseCommand):
    help = "Write a campaign (units, respondents, questionnaires, responses, field work, scores) to a file."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="campaign slug")
        parser.add_argument("-o", "--output", required=True, help="archive file to write (.zip)")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["slug"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['slug']!r}", returncode=2)
        try:
            report = export_campaign(campaign=campaign, path=opts["output"])
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in report.counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(f"evidence files: {report.files}")
        self.stdout.write(f"written: {report.path}")
