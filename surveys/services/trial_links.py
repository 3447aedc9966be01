"""Test links: personal links for no respondent, to try a questionnaire before it opens.

They behave exactly like real links (the same pages, autosave, submission once, the same checks), but
their invitation and response are marked `is_test`, so the default managers leave them out of every
rate, index and export (docs/decisions.md D253); the coordinator deletes them, answers and all.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from respondents.models import Campaign

from ..models import Invitation, Questionnaire, Response
from .invitations import survey_url
from .tokens import issue_token


@dataclass
class TrialLink:
    invitation: Invitation
    token: str

    @property
    def url(self) -> str:
        return survey_url(self.token)


def create_test_link(*, campaign: Campaign, questionnaire: Questionnaire, label: str = "") -> TrialLink:
    """A new test link to the questionnaire (its version as it is now; a later version gets new links)."""
    if questionnaire.campaign_id != campaign.pk:
        raise ValueError("the questionnaire belongs to another campaign")
    with transaction.atomic():
        number = Invitation.all_objects.filter(campaign=campaign, is_test=True).count() + 1
        invitation = Invitation.all_objects.create(
            campaign=campaign,
            respondent=None,
            questionnaire=questionnaire,
            is_test=True,
            test_label=(label.strip() or f"#{number}")[:100],
        )
        token = issue_token(invitation)
    return TrialLink(invitation=invitation, token=token)


def links_for_testing(campaign: Campaign) -> QuerySet[Invitation]:
    """The campaign's test links, newest first, with their response (if any)."""
    return (
        Invitation.all_objects.filter(campaign=campaign, is_test=True)
        .select_related("questionnaire")
        .order_by("-created_at", "-pk")
    )


def responses_for_testing(campaign: Campaign) -> QuerySet[Response]:
    return Response.all_objects.filter(campaign=campaign, is_test=True)


@transaction.atomic
def delete_test_links(*, campaign: Campaign, ids: list[int] | None = None) -> int:
    """Delete test links (all of the campaign's, or those ids) with their answers; returns how many."""
    links = Invitation.all_objects.filter(campaign=campaign, is_test=True)
    if ids is not None:
        links = links.filter(pk__in=ids)
    count = links.count()
    Response.all_objects.filter(invitation__in=links).delete()
    links.delete()
    return count
