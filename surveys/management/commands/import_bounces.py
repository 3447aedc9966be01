"""python manage.py import_bounces FILE_OR_DIR... [--mbox]

Marks the e-mails returned by delivery status notifications as bounced (surveys/services/bounces.py).
Exit status: 0 read, 2 usage error (missing file).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.services.bounces import import_bounces


class Command(BaseCommand):
    help = "Read bounce e-mails (.eml files, directories of them, mbox files) and mark the messages bounced."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
        parser.add_argument("--mbox", action="store_true", help="the files are mbox mailboxes")

    def handle(self, *args, **opts):
        paths = [Path(p) for p in opts["paths"]]
        for path in paths:
            if not (path.is_file() or (path.is_dir() and not opts["mbox"])):
                raise CommandError(f"{path}: no such file", returncode=2)
        report = import_bounces(paths=paths, mbox=opts["mbox"])
        self.stdout.write(f"read {report.read}, bounced {report.bounced}, ignored {report.ignored}")
