"""Who sees the indices: the province's coordinators (Sở Nội vụ), its analysts (Membership role analyst,
docs/decisions.md D29) and its appraisal council members (scoring.ScoringRole "council"); superusers.
Focal points, scorers of one unit and field enumerators do not (docs/decisions.md D28: the index is
published by the province, not per unit). The pages hold no names, phones or e-mails, and answer cells
under 5 respondents are suppressed."""

from respondents.models import Campaign
from respondents.selectors import is_analyst, is_coordinator
from scoring.selectors import is_council


def can_view_indices(user, campaign: Campaign) -> bool:
    return (
        is_coordinator(user, campaign.province_id)
        or is_analyst(user, campaign.province_id)
        or is_council(user, campaign.province_id)
    )


def can_export_responses(user, campaign: Campaign) -> bool:
    """Respondent-level exports: the province's coordinators and analysts (analysts pseudonymised unless a
    coordinator's grant says otherwise; docs/decisions.md D305). Council members see results, not rows."""
    return is_coordinator(user, campaign.province_id) or is_analyst(user, campaign.province_id)
