"""python manage.py survey_link RESPONDENT [--campaign SLUG] [--reason TEXT]

A fresh personal survey link for one respondent, printed (to read out on the phone, or to try the page):
RESPONDENT is the respondent's number (id), e-mail or phone. Earlier links stay valid; the link is
recorded in the audit log.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from kit.phones import normalise_phones
from respondents.models import Respondent
from surveys.services.invitations import issue_link


class Command(BaseCommand):
    help = "Print a new personal survey link for one respondent (id, e-mail or phone)."

    def add_arguments(self, parser):
        parser.add_argument("respondent", help="the respondent's id, e-mail or phone")
        parser.add_argument("--campaign", help="the campaign's slug, when the person is in several")
        parser.add_argument("--reason", default="", help="why the link is handed out (kept in the audit log)")

    def handle(self, *args, **opts):
        found = _find(opts["respondent"], opts["campaign"])
        if not found:
            raise CommandError(f"no current respondent {opts['respondent']!r}", returncode=2)
        if len(found) > 1:
            campaigns = ", ".join(sorted({r.campaign.slug for r in found}))
            raise CommandError(f"{len(found)} respondents match; name the campaign (--campaign: {campaigns})")
        respondent = found[0]
        link = issue_link(respondent=respondent, reason=opts["reason"])
        if link is None:
            group, slug = respondent.group.code, respondent.campaign.slug
            raise CommandError(f"no current questionnaire for the group {group!r} in {slug}")
        self.stdout.write(f"{respondent.full_name} · {respondent.unit.name} · {respondent.campaign.slug}")
        self.stdout.write(link.url)


def _find(key: str, campaign: str | None) -> list[Respondent]:
    key = key.strip()
    match = Q(email__iexact=key)
    if key.isdigit():
        match |= Q(pk=int(key))
    phone = normalise_phones(key).primary if len(key) >= 9 else ""
    if phone:
        match |= Q(phone=phone)
    found = Respondent.objects.current().filter(match).select_related("campaign", "unit", "group")
    if campaign:
        found = found.filter(campaign__slug=campaign)
    return list(found[:20])
