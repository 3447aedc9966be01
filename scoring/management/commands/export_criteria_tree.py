"""python manage.py export_criteria_tree CODE [--version N] -o FILE.yaml

Writes a stored tree in the shipped YAML shape (docs/reference/criteria-tree-format.md), so that a loaded
table can be reviewed and kept in version control; loading that file again changes nothing.
Exit status: 0 written, 2 unknown tree or version.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.models import CriteriaTree
from scoring.services.criteria_table import export_tree_yaml


class Command(BaseCommand):
    help = "Write a criteria tree (the current version, or --version N) as YAML."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version N names the tree's version here, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--version", type=int, dest="tree_version")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, **opts):
        trees = CriteriaTree.objects.filter(code=opts["code"])
        tree = (
            trees.filter(version=opts["tree_version"]).first()
            if opts["tree_version"]
            else trees.filter(is_current=True).first()
        )
        if tree is None:
            raise CommandError(f"{opts['code']}: no such tree or version", returncode=2)
        Path(opts["output"]).write_text(export_tree_yaml(tree), encoding="utf-8")
        self.stdout.write(f"{opts['output']}: {tree.code} version {tree.version}")
