"""Which criteria set a campaign is scored against (docs/decisions.md D152).

By default the province tree valid for the campaign's year (scoring.selectors.campaign_tree); a coordinator
may choose another one valid for that year. A tree whose years do not cover the campaign is refused with a
message saying so; so is a change once scores were entered under the current set (the official table of
the same code replaces a placeholder by a new version instead, which carries the scores).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from respondents.models import Campaign

from .. import selectors
from ..models import Assessment, CampaignTree, CriteriaTree, Score
from .scoring import open_assessment, tree_not_valid_message


@dataclass
class ChoiceResult:
    tree: CriteriaTree | None = None
    assessment: Assessment | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def choose_campaign_tree(*, campaign: Campaign, code: str, user: User | None = None) -> ChoiceResult:
    tree = selectors.current_tree(code)
    if tree is None:
        return ChoiceResult(error=_("There is no criteria set with the code %(code)s.") % {"code": code})
    if tree.level != CriteriaTree.Level.PROVINCE:
        return ChoiceResult(error=_("%(code)s is not a province-level criteria set.") % {"code": code})
    if not tree.covers(campaign.year):
        return ChoiceResult(error=tree_not_valid_message(tree, campaign.year))
    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
        current = selectors.province_assessment(campaign)
        if current is not None and current.tree.code != tree.code:
            if Score.objects.filter(assessment=current).exists():
                return ChoiceResult(
                    error=_(
                        "Scores were already entered under %(current)s; the criteria set can no longer be "
                        "changed for this campaign."
                    )
                    % {"current": current.tree.basis}
                )
            current.tree = tree
            current.save(update_fields=["tree"])
        CampaignTree.objects.update_or_create(
            campaign=campaign, defaults={"tree_code": tree.code, "chosen_by": user}
        )
    return ChoiceResult(tree=tree, assessment=current)


def open_province_assessment(*, campaign: Campaign, **dates: datetime.date) -> Assessment:
    """The campaign's province assessment against its criteria set (opened when missing)."""
    current = selectors.province_assessment(campaign)
    if current is not None:
        return current
    tree = selectors.campaign_tree(campaign)
    if tree is None:
        raise ValueError(f"no province criteria set valid for {campaign.year}")
    return open_assessment(campaign=campaign, tree=tree, **dates)
