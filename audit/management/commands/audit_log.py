"""python manage.py audit_log --campaign S [--since DATE] [--until DATE] [--action A] [--actor NAME]
[--format json|table]"""

import argparse
import datetime
import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from audit.models import AuditEvent
from audit.selectors import audit_events


def _day(text: str) -> datetime.date:
    """A day for --since/--until; argparse turns the error into its usage message (exit 2), no traceback."""
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"không phải ngày dạng YYYY-MM-DD: {text!r}") from exc


class Command(BaseCommand):
    help = "Print a campaign's audit events, newest first."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign slug")
        parser.add_argument("--since", type=_day, help="first day (YYYY-MM-DD, Vietnam time)")
        parser.add_argument("--until", type=_day, help="last day, included")
        parser.add_argument("--action", choices=AuditEvent.Action.values)
        parser.add_argument("--actor", default="", help="user name")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **opts):
        events = audit_events(
            campaign_slug=opts["campaign"],
            actor=opts["actor"],
            action=opts["action"] or "",
            since=opts["since"],
            until=opts["until"],
        )
        rows = [
            {
                "at": e.at.isoformat(),
                "actor": e.actor_name,
                "action": e.action,
                "campaign": e.campaign_slug,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "detail": e.detail,
                "ip": e.ip,
            }
            for e in events.iterator(chunk_size=2000)
        ]
        if opts["format"] == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
            return
        for r in rows:
            detail = json.dumps(r["detail"], ensure_ascii=False, sort_keys=True)
            obj = f"{r['object_type']}#{r['object_id']}" if r["object_type"] else "-"
            self.stdout.write(f"{r['at']}  {r['actor'] or '-':<20} {r['action']:<22} {obj:<28} {detail}")
        self.stdout.write(f"{len(rows)} event(s)")
