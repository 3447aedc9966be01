"""Print a campaign's field progress and data-quality flags: the figures of /field/progress/.

manage.py field_progress --campaign sipas-2025 [--team CODE ...] [--format table|json]
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from fieldwork.models import FieldTeam
from fieldwork.selectors import field_progress, quality_flags
from fieldwork.supervision import flag_rows
from respondents.models import Campaign


class Command(BaseCommand):
    help = "Field progress against quota (by team, enumerator, area, day) and data-quality flags."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign slug")
        parser.add_argument("--team", action="append", default=[], help="team code (repeatable); default all")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign with slug {opts['campaign']!r}", returncode=2)
        team_ids = None
        if opts["team"]:
            teams = dict(FieldTeam.objects.filter(campaign=campaign).values_list("code", "pk"))
            unknown = sorted(set(opts["team"]) - set(teams))
            if unknown:
                raise CommandError(f"No team {', '.join(unknown)} in {campaign.slug}", returncode=2)
            team_ids = [teams[code] for code in opts["team"]]
        report = field_progress(campaign, team_ids=team_ids)
        flags = flag_rows(quality_flags(campaign, team_ids=team_ids))
        if opts["format"] == "json":
            flags_json = [
                {
                    "reason": r["flag"].reason,
                    "label": r["label"],
                    "record_id": r["flag"].record_id,
                    "form_number": r["flag"].form_number,
                    "enumerator": r["flag"].enumerator,
                    "team": r["flag"].team,
                    "evidence": r["flag"].evidence,
                    "text": r["evidence"],
                }
                for r in flags
            ]
            payload = {"campaign": campaign.slug, **report, "flags": flags_json}
            self.stdout.write(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
            return
        self._table(report, flags)

    def _table(self, report, flags):
        o = report["overall"]
        self.stdout.write(
            f"Overall: {o['submitted']} of quota {o['quota']} ({_pct(o['share'])}), today {o['today']}, "
            f"remaining {o['remaining']}"
        )
        sections = [
            ("Teams", report["by_team"], ["code", "name", "quota", "submitted", "share", "today"]),
            (
                "Enumerators",
                report["by_enumerator"],
                ["username", "name", "team", "quota", "submitted", "share", "today", "days"],
            ),
            (
                "Areas",
                report["by_area"],
                ["district", "name", "service_area", "quota", "submitted", "share", "remaining"],
            ),
            ("Days", report["by_day"], ["date", "submitted", "cumulative"]),
        ]
        for title, rows, keys in sections:
            self._print(title, keys, [[_cell(key, r[key]) for key in keys] for r in rows])
        self._print(
            "Flags",
            ["reason", "form", "enumerator", "team", "evidence"],
            [
                [r["flag"].reason, r["flag"].form_number, r["flag"].enumerator, r["flag"].team, r["evidence"]]
                for r in flags
            ],
        )

    def _print(self, title, headers, rows):
        self.stdout.write(f"\n{title} ({len(rows)})")
        cells = [[str(v) for v in row] for row in [headers, *rows]]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        for n, row in enumerate(cells):
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))


def _pct(share) -> str:
    return "-" if share is None else f"{share}%"


def _cell(key: str, value):
    if key == "share":
        return _pct(value)
    if key == "date":
        return value.isoformat()
    return "-" if value is None else value
