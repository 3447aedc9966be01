"""python manage.py import_campaign FILE: restore a campaign archive, in one transaction."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.services.import_ import import_campaign
from archive.services.parts import ArchiveError


class Command(BaseCommand):
    help = "Read a campaign archive written by export_campaign; refused when the campaign already exists."

    def add_arguments(self, parser):
        parser.add_argument("file", help="archive written by export_campaign")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        try:
            report = import_campaign(path=path)
        except ArchiveError as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        self.stdout.write(f"imported campaign {report.campaign.slug}")
        for name in sorted(set(report.created) | set(report.matched)):
            created, matched = report.created.get(name, 0), report.matched.get(name, 0)
            suffix = f" ({matched} already present)" if matched else ""
            self.stdout.write(f"{name}: {created} created{suffix}")
