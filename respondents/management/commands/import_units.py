"""python manage.py import_units FILE [--province NAME]: units from code, name, kind, parent code."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from respondents.models import Province
from respondents.services.setup import import_units


class Command(BaseCommand):
    help = "Create or update a province's units from an xlsx or csv file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--province", help="province name (created if new); optional when there is one")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        if opts["province"]:
            province, _ = Province.objects.get_or_create(
                name=opts["province"], defaults={"code": slugify(opts["province"]) or "province"}
            )
        else:
            provinces = list(Province.objects.all()[:2])
            if len(provinces) != 1:
                raise CommandError("name the province with --province", returncode=2)
            province = provinces[0]
        report = import_units(province=province, path=path)
        for p in report.errors:
            self.stderr.write(f"ERROR {p.location()} [{p.code}] {p.message}")
        for p in report.warnings:
            self.stderr.write(f"WARNING {p.location()} [{p.code}] {p.message}")
        if report.errors:
            self.stderr.write("nothing was imported")
            sys.exit(1)
        self.stdout.write(f"{province}: {report.created} units created, {report.updated} updated")
