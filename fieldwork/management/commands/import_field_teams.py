"""python manage.py import_field_teams FILE --campaign S [--questionnaire CODE] [--tokens]

One row per team member (team, username, full name, phone, e-mail, role, area code, service area, quota).
New users get an unusable password; --tokens prints an API token for each new user's device.
Exit status: 0 imported, 1 rejected (nothing written), 2 usage error.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fieldwork.services.teams import import_field_teams
from respondents.models import Campaign
from respondents.services.api_tokens import issue_api_token


class Command(BaseCommand):
    help = "Create field teams, their members and assignments with quotas from a workbook."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--questionnaire", help="questionnaire code (default: the campaign's only one)")
        parser.add_argument("--tokens", action="store_true", help="print an API token for each new user")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file", returncode=2)
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        questionnaire = None
        if opts["questionnaire"]:
            questionnaire = campaign.questionnaires.filter(
                code=opts["questionnaire"], is_current=True
            ).first()
            if questionnaire is None:
                raise CommandError(f"unknown questionnaire {opts['questionnaire']!r}", returncode=2)
        report = import_field_teams(campaign=campaign, path=path, questionnaire=questionnaire)
        for p in report.errors:
            self.stderr.write(f"ERROR {p.location()} [{p.code}] {p.message}")
        for p in report.warnings:
            self.stderr.write(f"WARNING {p.location()} [{p.code}] {p.message}")
        if report.errors:
            sys.exit(1)
        self.stdout.write(
            f"{report.file_name}: teams created {report.teams_created}, "
            f"users created {len(report.users_created)}, members added {report.members_created}, "
            f"assignments created {report.assignments_created}"
        )
        if opts["tokens"]:
            for user in get_user_model().objects.filter(username__in=report.users_created):
                self.stdout.write(f"  {user.username}\t{issue_api_token(user=user).key}")
