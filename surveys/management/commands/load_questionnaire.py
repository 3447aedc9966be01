"""python manage.py load_questionnaire FILE --campaign S

Exit status: 0 loaded (created, updated in place or unchanged), 1 invalid file (every problem on stderr as
`FILE: path: message`), 2 usage error (unknown campaign, missing file).
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from respondents.models import Campaign
from surveys.services.questionnaires import load_questionnaire


class Command(BaseCommand):
    help = (
        "Load a questionnaire file (YAML or JSON) into a campaign; a version with answers is never changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True)

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        report = load_questionnaire(campaign=campaign, path=path)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{opts['file']}: {_without_file_name(error, path.name)}")
            sys.exit(1)
        q = report.questionnaire
        detail = {
            "created": f"{q.groups.count()} groups, {_count_questions(q.definition)} questions",
            "updated": "updated in place: no responses yet",
            "unchanged": "same content as the current version",
        }[report.status]
        self.stdout.write(f"{opts['file']}: {report.status} {q.code} version {report.version} ({detail})")


def _without_file_name(error: str, name: str) -> str:
    """File-level problems already start with the file's name; say it once."""
    return error[len(name) + 2 :] if error.startswith(f"{name}: ") else error


def _count_questions(definition: dict) -> int:
    return sum(len(section["questions"]) for section in definition["sections"])
