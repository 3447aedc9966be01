"""python manage.py personal_data_access --campaign S (list | grant USER --until DATE [--reason TEXT] |
revoke USER) [--by USER]: an analyst's access to a campaign's personal data, written to the audit log."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from respondents.models import Campaign, PersonalDataGrant
from respondents.services.privacy import grant_personal_data, revoke_personal_data


def _user(name: str):
    try:
        return get_user_model().objects.get_by_natural_key(name)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"unknown user {name!r}") from exc


class Command(BaseCommand):
    help = "List, grant or revoke analysts' access to a campaign's personal data."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--by", default="", help="user name recorded as the one granting (default: none)")
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("list")
        grant = sub.add_parser("grant")
        grant.add_argument("user")
        grant.add_argument("--until", required=True, type=datetime.date.fromisoformat)
        grant.add_argument("--reason", default="")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("user")

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}")
        by = _user(opts["by"]) if opts["by"] else None
        if opts["what"] == "grant":
            try:
                grant = grant_personal_data(
                    campaign=campaign,
                    analyst=_user(opts["user"]),
                    by=by,
                    valid_until=opts["until"],
                    reason=opts["reason"],
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"granted {opts['user']} until {grant.valid_until.isoformat()}")
        elif opts["what"] == "revoke":
            count = revoke_personal_data(campaign=campaign, analyst=_user(opts["user"]), by=by)
            self.stdout.write(f"revoked {count} active grant(s) of {opts['user']}")
        else:
            for g in PersonalDataGrant.objects.filter(campaign=campaign).select_related("analyst"):
                state = "revoked" if g.revoked_at else ("active" if g.is_active() else "expired")
                self.stdout.write(
                    f"{g.analyst.get_username():<20} until {g.valid_until.isoformat()}  {state}"
                )
