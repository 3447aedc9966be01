"""python manage.py import_respondents FILE --campaign S [--unit CODE] [--dry-run] [--skip-invalid]
[--format json]

Exit status: 0 imported (or would be, with --dry-run), 1 rejected, 2 usage error.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from respondents.models import Campaign, Unit
from respondents.services.importing import import_list


class Command(BaseCommand):
    help = "Import a unit's respondent list (xlsx, xls, ods or csv) into a campaign."
    # No system checks: they import every URLconf and view, a third of a large import's time, and check
    # nothing this command uses; `manage.py check` (and CI, and the deployment) runs them (D427).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--unit", help="the file is this unit's whole list and replaces its previous one")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows even if others fail"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        campaign = Campaign.objects.filter(slug=opts["campaign"]).select_related("province").first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        unit = None
        if opts["unit"]:
            unit = Unit.objects.filter(province=campaign.province, code=opts["unit"]).first()
            if unit is None:
                raise CommandError(f"unknown unit {opts['unit']!r} in {campaign.province}", returncode=2)
        report = import_list(
            campaign=campaign,
            path=path,
            unit=unit,
            skip_invalid=opts["skip_invalid"],
            dry_run=opts["dry_run"],
        )
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._print_text(report)
        if not report.ok:
            sys.exit(1)

    def _print_text(self, report) -> None:
        for p in report.errors:
            self.stderr.write(f"ERROR {p.location()} [{p.code}] {p.message}")
        for p in report.warnings:
            self.stderr.write(f"WARNING {p.location()} [{p.code}] {p.message}")
        self.stdout.write(
            f"{report.file_name}: {report.status}; rows {report.rows}, accepted {report.accepted}, "
            f"imported {report.imported} (added {report.added}, updated {report.updated}, "
            f"unchanged {report.unchanged}, retired {report.retired}); "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings"
        )
