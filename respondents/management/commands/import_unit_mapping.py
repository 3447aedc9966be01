"""python manage.py import_unit_mapping FILE --province NAME

Former unit code → new unit code, effective date (optional: former province, for a province merged into
this one; population of the former unit). Exit status 0 imported, 1 rejected (every problem on stderr by
file, sheet, row and column; nothing written), 2 usage error.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kit.text import match_key
from respondents.models import Province
from respondents.services.successions import import_unit_mapping


class Command(BaseCommand):
    help = (
        "Load which former units (districts, merged communes, a merged province's units) new units continue."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--province", required=True, help="the province the new units belong to")

    def handle(self, *args, **opts):
        key = match_key(opts["province"])
        province = next(
            (p for p in Province.objects.all() if key in (match_key(p.name), match_key(p.code))), None
        )
        if province is None:
            raise CommandError(f"unknown province {opts['province']!r}", returncode=2)
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        report = import_unit_mapping(province=province, path=path)
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            sys.exit(1)
        self.stdout.write(f"{path.name}: {report.created} successions added, {report.updated} updated")
