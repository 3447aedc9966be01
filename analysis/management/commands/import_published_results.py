"""python manage.py import_published_results FILE --year Y [--source TEXT] [--illustrative]

Stores the Ministry's published PAR INDEX table of a year (xlsx, xls, ods or csv: province, PAR INDEX, the
eight component indices, SIPAS, rank, optionally population; docs/reference/published-results-format.md).
A table already loaded for the year is replaced. Exit status: 0 stored, 1 rejected (every problem listed),
2 usage error.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.published import import_published_results


class Command(BaseCommand):
    help = "Load the Ministry's published PAR INDEX results of a year (all provinces)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--source", default="", help="where the figures come from (shown beside them)")
        parser.add_argument(
            "--illustrative", action="store_true", help="generated figures, shown as such (the demo)"
        )

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        if not 2000 <= opts["year"] <= 2100:
            raise CommandError(f"--year {opts['year']}: a year such as 2024", returncode=2)
        source = opts["source"] or f"Bộ Nội vụ, Chỉ số CCHC năm {opts['year']} ({path.name})"
        result = import_published_results(
            path=path,
            file_name=path.name,
            year=opts["year"],
            source=source,
            illustrative=opts["illustrative"],
        )
        if not result.ok:
            for p in result.errors:
                self.stderr.write(f"{p.location()}: [{p.code}] {p.message}")
            self.stderr.write(f"{opts['file']}: rejected, nothing stored ({len(result.errors)} problems)")
            sys.exit(1)
        self.stdout.write(
            f"{opts['file']}: {result.status} PAR INDEX {result.year}, {result.provinces} provinces, "
            f"components {', '.join(result.components) or '-'}"
        )
