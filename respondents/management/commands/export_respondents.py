"""python manage.py export_respondents --campaign S -o FILE.xlsx"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from respondents.models import Campaign
from respondents.services.exporting import export_respondents


class Command(BaseCommand):
    help = "Write the consolidated respondent list for the Ministry (one sheet per group plus a summary)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        counts = export_respondents(campaign=campaign, path=Path(opts["output"]))
        self.stdout.write(f"{opts['output']}: " + ", ".join(f"{code} {n}" for code, n in counts.items()))
