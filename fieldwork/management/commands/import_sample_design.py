"""python manage.py import_sample_design FILE --campaign S [--psu-method pps_systematic|srs]
[--ssu-method pps_systematic|srs] [--dry-run] [--format json]

Loads a sample design drawn outside the system (strata, communes and villages drawn, their sizes and the
numbers drawn): docs/reference/field-sample.md. Exit status: 0 loaded (or would be, with --dry-run),
1 rejected, 2 usage error.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fieldwork.models import SampleDesign
from fieldwork.services.design_file import import_sample_design
from respondents.models import Campaign

METHODS = [SampleDesign.Method.PPS, SampleDesign.Method.SRS, SampleDesign.Method.ALL]


class Command(BaseCommand):
    help = "Load a campaign's sample design drawn outside the system (xlsx or ods with three sheets)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--psu-method", choices=METHODS, default=SampleDesign.Method.PPS)
        parser.add_argument("--ssu-method", choices=METHODS, default=SampleDesign.Method.PPS)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        report = import_sample_design(
            campaign=campaign,
            path=path,
            psu_method=opts["psu_method"],
            ssu_method=opts["ssu_method"],
            dry_run=opts["dry_run"],
        )
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for p in report.errors:
                self.stderr.write(f"ERROR {p.location()} [{p.code}] {p.message}")
            status = report.as_dict()["status"]
            self.stdout.write(
                f"{report.file_name}: {status}; strata {report.strata}, communes {report.psus}, "
                f"villages {report.ssus}"
            )
        if not report.ok:
            sys.exit(1)
