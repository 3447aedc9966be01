"""python manage.py response_rates --campaign S [--format json|text] [--today YYYY-MM-DD]"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from respondents.models import Campaign
from surveys.selectors import response_rates

FIGURES = ["invited", "email_sent", "email_failed", "opened", "started", "submitted", "response_rate"]


class Command(BaseCommand):
    help = (
        "Print invitations, e-mails, opened, started and submitted: overall, by group, unit, district, day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="end of the day series (default: today)"
        )

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        report = response_rates(campaign, today=opts["today"])
        if opts["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=_iso))
            return
        headers = [_("Invited"), _("E-mail sent"), _("E-mail failed"), _("Opened"), _("Started")]
        headers += [_("Submitted"), _("Rate %")]
        overall = {"name": _("Total"), **report["overall"]}
        sections = [
            (_("By group"), [*report["by_group"], overall], [_("Target %"), _("Met")]),
            (_("By unit"), report["by_unit"], []),
            (_("By district"), report["by_district"], []),
        ]
        for title, rows, extra in sections:
            table = [[_("Name"), *headers, *extra]]
            for row in rows:
                cells = [row["name"], *(_cell(row[key]) for key in FIGURES)]
                if extra:
                    cells += [_cell(row.get("target")), _cell(row.get("target_met"))]
                table.append(cells)
            self._print_table(title, table)
        table = [[_("Day"), _("Opened"), _("Started"), _("Submitted"), _("Cumulative")]]
        for row in report["by_day"]:
            table.append(
                [row["date"].isoformat()]
                + [str(row[k]) for k in ("opened", "started", "submitted", "submitted_cumulative")]
            )
        self._print_table(_("By day"), table)

    def _print_table(self, title: str, table: list[list[str]]) -> None:
        """First column left-aligned, numbers right-aligned, columns as wide as their widest cell."""
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        self.stdout.write(f"\n{title}")
        for row in table:
            cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            self.stdout.write("  ".join(cells).rstrip())


def _cell(value) -> str:
    if value is None:
        return "-"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)


def _iso(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
