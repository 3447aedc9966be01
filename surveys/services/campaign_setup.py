"""Setting a campaign up from the browser: a new one, or next year's copied from this one with its
questionnaires (docs/decisions.md D255). The campaign's own rules are respondents.services.setup's."""

from dataclasses import dataclass, field

from django.db import transaction

from respondents.models import Campaign
from respondents.services.setup import copy_campaign

from ..models import Questionnaire
from .questionnaires import load_definition


@dataclass
class CopyReport:
    campaign: Campaign
    questionnaires: list[str] = field(default_factory=list)  # codes copied
    skipped: dict[str, str] = field(default_factory=dict)  # code -> why not


@transaction.atomic
def copy_for_next_round(*, source: Campaign, slug: str, year: int, name: str = "") -> CopyReport:
    """Next year's campaign from `source`: its settings (respondents.services.setup.copy_campaign) and each
    current questionnaire as version 1, for the groups the new campaign still surveys."""
    campaign = copy_campaign(source=source, slug=slug, year=year, name=name)
    report = CopyReport(campaign=campaign)
    groups = set(campaign.groups.values_list("code", flat=True))
    for questionnaire in Questionnaire.objects.filter(campaign=source, is_current=True).order_by("code"):
        definition = dict(questionnaire.definition)
        definition["groups"] = [g for g in definition["groups"] if g in groups]
        if not definition["groups"]:
            report.skipped[questionnaire.code] = "no group of it is surveyed in the new campaign"
            continue
        loaded = load_definition(
            campaign=campaign,
            definition=definition,
            source_name=questionnaire.source_file or questionnaire.code,
        )
        if loaded.ok:
            report.questionnaires.append(questionnaire.code)
        else:
            report.skipped[questionnaire.code] = "; ".join(loaded.errors)
    return report
