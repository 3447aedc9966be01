"""python manage.py load_criteria_tree FILE

Exit status: 0 loaded (created, updated in place or unchanged), 1 invalid file (every problem on stderr as
`FILE: path: message`), 2 usage error (missing file).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.services.definitions import tree_counts
from scoring.services.trees import load_criteria_tree


class Command(BaseCommand):
    help = "Load a criteria tree file (YAML or JSON); a tree that has scores is never changed (new version)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        report = load_criteria_tree(path=path)
        if not report.ok:
            for error in report.errors:
                prefix = f"{path.name}: "
                self.stderr.write(f"{opts['file']}: {error.removeprefix(prefix)}")
            sys.exit(1)
        tree = report.tree
        n = tree_counts(tree.definition["domains"])
        shape = f"{n['domains']} domains, {n['criteria']} criteria, {n['sub_criteria']} sub-criteria"
        self.stdout.write(
            f"{opts['file']}: {report.status} {tree.code} version {tree.version} "
            f"({shape}, {tree.definition['total']} points)"
        )
        if report.changes and not report.changes.empty:
            c = report.changes
            self.stdout.write(
                f"changes: {len(c.added)} added, {len(c.removed)} removed, {len(c.renamed)} renamed, "
                f"{len(c.changed)} changed"
            )
        for carried in report.carried:
            d = carried.as_dict()
            self.stdout.write(f"carried {d['carried']} scores of {d['assessed']} ({d['campaign']})")
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning}")
