"""python manage.py import_criteria_table FILE --code CODE --title TITLE --decision "892/QĐ-BNV"
--years 2024-2030 [--level province|department|commune] [--total 100] [--expect 8/37/88] [--sheet NAME]
[--dry-run] [--format json]

Loads the Ministry's criteria annex (.xlsx, .xls, .ods, .docx) as a criteria tree (docs/reference/
criteria-table-format.md). Exit status: 0 stored (or would be, with --dry-run), 1 rejected (every problem
listed with file, sheet or table, row, column and code), 2 usage error.
"""

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.services.criteria_table import import_criteria_table, parse_expect, parse_years
from scoring.services.definitions import LEVELS


class Command(BaseCommand):
    help = "Load the official criteria table (annex) as a criteria tree; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--code", required=True)
        parser.add_argument("--title", required=True)
        parser.add_argument("--decision", required=True)
        parser.add_argument("--years", required=True, help="e.g. 2024-2030, or 2024- for no end")
        parser.add_argument("--level", default="province", choices=[lv for lv in LEVELS if lv != "district"])
        parser.add_argument("--total", default="100", help="the points the domains add up to")
        parser.add_argument("--expect", help="domains/criteria/sub-criteria, e.g. 8/37/88")
        parser.add_argument("--sheet", help="the sheet (or Word table, 'Bảng 2') to read")
        parser.add_argument("--dry-run", action="store_true", help="check and report, store nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        years = parse_years(opts["years"])
        if years is None:
            raise CommandError(f"--years {opts['years']!r}: write FROM-UNTIL, e.g. 2024-2030", returncode=2)
        expect = None
        if opts["expect"]:
            expect = parse_expect(opts["expect"])
            if expect is None:
                raise CommandError(f"--expect {opts['expect']!r}: write D/C/S, e.g. 8/37/88", returncode=2)
        try:
            total = Decimal(opts["total"].replace(",", "."))
        except InvalidOperation:
            raise CommandError(f"--total {opts['total']!r}: a number", returncode=2) from None
        result = import_criteria_table(
            path=path,
            file_name=path.name,
            code=opts["code"],
            title=opts["title"],
            decision=opts["decision"],
            years=years,
            level=opts["level"],
            total=total,
            expect=expect,
            sheet=opts["sheet"],
            dry_run=opts["dry_run"],
        )
        if opts["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._text(result, opts)
        if not result.ok:
            sys.exit(1)

    def _text(self, result, opts) -> None:
        for p in result.errors:
            self.stderr.write(f"{p.location() or opts['file']}: [{p.code}] {p.message}")
        for p in result.warnings:
            self.stdout.write(f"warning: {p.location()}: [{p.code}] {p.message}")
        if not result.ok:
            self.stderr.write(f"{opts['file']}: rejected, nothing stored ({len(result.errors)} problems)")
            return
        c = result.counts
        prefix = "dry run: would be " if opts["dry_run"] else ""
        self.stdout.write(
            f"{opts['file']}: {prefix}{result.status} {result.code} version {result.version} "
            f"({c['domains']} domains, {c['criteria']} criteria, {c['sub_criteria']} sub-criteria, "
            f"{c['scored_items']} scored items, {result.total} points, {c['survey_total']} by survey)"
        )
        report = result.report
        if report and report.changes and not report.changes.empty:
            ch = report.changes
            self.stdout.write(
                f"changes: {len(ch.added)} added, {len(ch.removed)} removed, {len(ch.renamed)} renamed, "
                f"{len(ch.changed)} changed"
            )
            for change in ch.changed:
                self.stdout.write(f"  {change.code} {change.attribute}: {change.before} → {change.after}")
        for carried in report.carried if report else []:
            d = carried.as_dict()
            self.stdout.write(
                f"carried {d['carried']} scores of {d['assessed']} ({d['campaign']}) "
                f"to version {d['to_version']}"
                + (
                    f"; above a lowered maximum: {', '.join(o['code'] for o in d['over_max'])}"
                    if d["over_max"]
                    else ""
                )
                + (f"; kept on the old version: {', '.join(d['not_carried'])}" if d["not_carried"] else "")
            )
