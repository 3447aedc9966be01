"""A campaign's index settings: the criteria set it is scored against (scoring.services.campaigns) and the
named conversion of the officials' answers (docs/decisions.md D152, D158). Coordinators choose them."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from respondents.models import Campaign
from scoring.selectors import campaign_tree, trees_for_year
from scoring.services.campaigns import choose_campaign_tree

from . import officials
from .indices import campaign_officials_method
from .models import IndexSettings


@dataclass
class SettingsResult:
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.errors


def settings_choices(campaign: Campaign) -> dict:
    current = campaign_tree(campaign)
    trees = trees_for_year(campaign.year) if campaign.kind == Campaign.Kind.PAR_OFFICIALS else []
    return {
        "tree": current,
        "trees": trees,
        "method": officials.get_method(campaign_officials_method(campaign)),
        "methods": list(officials.METHODS.values()),
    }


def save_index_settings(*, campaign: Campaign, tree_code: str, officials_method: str, user) -> SettingsResult:
    errors = {}
    current = campaign_tree(campaign)
    if tree_code and (current is None or current.code != tree_code):
        chosen = choose_campaign_tree(campaign=campaign, code=tree_code, user=user)
        if not chosen.ok:
            errors["tree"] = chosen.error
    if officials_method not in officials.METHODS:
        errors["officials_method"] = _("Unknown conversion %(name)s.") % {"name": officials_method}
    elif officials_method != campaign_officials_method(campaign):
        IndexSettings.objects.update_or_create(
            campaign=campaign, defaults={"officials_method": officials_method, "chosen_by": user}
        )
    return SettingsResult(errors)
