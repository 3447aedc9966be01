"""One invitation per current respondent of a campaign, and the personal links its messages carry.

An invitation fixes the questionnaire a respondent answers: the campaign's current questionnaire for the
respondent's group. Links carry a token (services/tokens.py): a fresh one per message, all valid.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from audit.services import Action, record
from respondents.models import Campaign, Respondent

from ..models import Invitation, Questionnaire
from .tokens import issue_token


@dataclass
class InvitationReport:
    created: int = 0
    # Group code -> respondents left without an invitation because no questionnaire covers that group.
    missing_groups: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return sum(self.missing_groups.values())


def create_invitations(*, campaign: Campaign) -> InvitationReport:
    """Invite every current respondent who has no invitation yet. Running it again creates nothing."""
    questionnaire_of_group: dict[int, Questionnaire] = {}
    current = Questionnaire.objects.filter(campaign=campaign, is_current=True).prefetch_related("groups")
    # A group answers at most one current questionnaire (services/questionnaires.py); the order by code
    # only makes the choice deterministic should that rule ever be broken.
    for questionnaire in current.order_by("code", "pk"):
        for group in questionnaire.groups.all():
            questionnaire_of_group.setdefault(group.pk, questionnaire)
    waiting = (
        Respondent.objects.current()
        .filter(campaign=campaign, invitation__isnull=True)
        .select_related("group")
        .only("pk", "group__code")
    )
    new, missing = [], Counter()
    for respondent in waiting:
        questionnaire = questionnaire_of_group.get(respondent.group_id)
        if questionnaire is None:
            missing[respondent.group.code] += 1
            continue
        new.append(Invitation(campaign=campaign, respondent=respondent, questionnaire=questionnaire))
    with transaction.atomic():
        before = Invitation.objects.filter(campaign=campaign).count()
        # The respondent's OneToOne makes a concurrent run skip rather than duplicate.
        Invitation.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        created = Invitation.objects.filter(campaign=campaign).count() - before
    return InvitationReport(created=created, missing_groups=dict(sorted(missing.items())))


def _path(url_name: str, token: str, fallback: str) -> str:
    # The respondent pages own these URLs; the fallback keeps links right while they are not routed.
    try:
        return reverse(url_name, args=[token])
    except NoReverseMatch:
        return fallback


def survey_url(token: str) -> str:
    """The absolute personal link (`/s/<token>/`): short, so that no mail client wraps it."""
    return settings.SITE_URL + _path("survey-start", token, f"/s/{token}/")


def opt_out_url(token: str) -> str:
    """The absolute link that stops reminders for this invitation (`/s/<token>/no-reminders/`)."""
    return settings.SITE_URL + _path("survey-opt-out", token, f"/s/{token}/no-reminders/")


@dataclass
class IssuedLink:
    invitation: Invitation
    url: str


def issue_link(*, respondent: Respondent, by: User | None = None, reason: str = "") -> IssuedLink | None:
    """A fresh personal link for one current respondent (earlier links stay valid), inviting them first if
    the campaign had not yet; None when no current questionnaire covers the respondent's group. Every link
    handed out this way is in the audit log: it opens the respondent's answers."""
    create_invitations(campaign=respondent.campaign)
    invitation = Invitation.objects.filter(respondent=respondent).select_related("campaign").first()
    if invitation is None:
        return None
    url = survey_url(issue_token(invitation))
    record(
        actor=by,
        actor_name="manage.py" if by is None else "",
        action=Action.LINK_ISSUED,
        obj=invitation,
        campaign=invitation.campaign,
        detail={"respondent": respondent.pk, "reason": reason} if reason else {"respondent": respondent.pk},
    )
    return IssuedLink(invitation=invitation, url=url)
