"""Who sees the indices: the province's coordinators (Sở Nội vụ) and its appraisal council members, who are
the analysts of the index (scoring.ScoringRole "council"); superusers. Focal points, scorers of one unit and
field enumerators do not (decided: the index is published by the province, not per unit)."""

from respondents.models import Campaign
from respondents.selectors import is_coordinator
from scoring.selectors import is_council


def can_view_indices(user, campaign: Campaign) -> bool:
    return is_coordinator(user, campaign.province_id) or is_council(user, campaign.province_id)
