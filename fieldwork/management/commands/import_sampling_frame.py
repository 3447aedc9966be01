"""python manage.py import_sampling_frame FILE --campaign S [--assignment ID] [--dry-run] [--format json]

Exit status: 0 imported (or would be, with --dry-run), 1 rejected, 2 usage error.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fieldwork.models import Assignment
from fieldwork.services.frame import import_sampling_frame
from respondents.models import Campaign


class Command(BaseCommand):
    help = "Import the citizens and organisations to contact (xlsx, xls, ods or csv) into a campaign."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--assignment", type=int, help="rows belong to this assignment (and its area)")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        assignment = None
        if opts["assignment"]:
            assignment = Assignment.objects.filter(pk=opts["assignment"], campaign=campaign).first()
            if assignment is None:
                raise CommandError(f"no assignment {opts['assignment']} in {campaign.slug}", returncode=2)
        report = import_sampling_frame(
            campaign=campaign, path=path, assignment=assignment, dry_run=opts["dry_run"]
        )
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for p in report.errors:
                self.stderr.write(f"ERROR {p.location()} [{p.code}] {p.message}")
            for p in report.warnings:
                self.stderr.write(f"WARNING {p.location()} [{p.code}] {p.message}")
            status = report.as_dict()["status"]
            self.stdout.write(f"{report.file_name}: {status}; rows {report.rows}, imported {report.imported}")
        if not report.ok:
            sys.exit(1)
