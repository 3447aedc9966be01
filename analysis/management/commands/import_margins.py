"""python manage.py import_margins FILE --campaign S [--calibration cells|raking] [--user USERNAME]

Reads a population table (commune/ward × gender × age group, xlsx/xls/ods/csv) for a SIPAS campaign and
stores it as a proposal; another coordinator confirms it on the margins page before the figures use it
(docs/decisions.md D205). Exit status 0 stored, 1 rejected (every problem on stderr, by file, sheet, row and
column; nothing stored), 2 usage error.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from analysis.models import MarginSet
from analysis.services.margins import propose_margins
from respondents.models import Campaign


class Command(BaseCommand):
    help = "Load a SIPAS campaign's population margins (commune/ward × gender × age group) as a proposal."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True, help="campaign slug")
        parser.add_argument(
            "--calibration", default=MarginSet.Calibration.CELLS, choices=MarginSet.Calibration.values
        )
        parser.add_argument("--user", help="username recorded as the one who proposed the table")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        user = None
        if opts["user"]:
            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"unknown user {opts['user']!r}", returncode=2)
        report = propose_margins(
            campaign=campaign, path=path, file_name=path.name, user=user, calibration=opts["calibration"]
        )
        if report.errors:
            for problem in report.errors:
                self.stderr.write(str(problem))
            sys.exit(1)
        self.stdout.write(
            f"{path.name}: {report.rows} rows, population {report.population}; stored as a proposal "
            f"(#{report.margin_set.pk}), to be confirmed by another coordinator on "
            f"/campaigns/{campaign.slug}/sipas/margins/"
        )
