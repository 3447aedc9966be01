"""The SIPAS method of a campaign: proposed by one coordinator, in force once another confirms it
(docs/decisions.md D204, D205). Until then the campaign's figures use the method in force (or the default)."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from respondents.models import Campaign
from respondents.selectors import is_coordinator

from ..models import SipasMethodChoice
from ..sipas.methods import METHODS


def propose_method(
    *,
    campaign: Campaign,
    method: str,
    user: AbstractBaseUser,
    policy_weight: str | float | None = None,
    reason: str = "",
) -> tuple[SipasMethodChoice | None, str | None]:
    """(the proposal, None) or (None, why not)."""
    if not is_coordinator(user, campaign.province_id):
        return None, _("Only a coordinator of the province can propose the SIPAS method.")
    if method not in METHODS:
        return None, _("Unknown SIPAS method “%s”.") % method
    weight = None
    if policy_weight not in (None, ""):
        try:
            weight = Decimal(str(policy_weight).replace(",", "."))
        except InvalidOperation:
            weight = None
        if weight is None or not Decimal(0) <= weight <= Decimal(1):
            return None, _("The policy part's weight must be a number from 0 to 1.")
    choice = SipasMethodChoice.objects.create(
        campaign=campaign, method=method, policy_weight=weight, reason=reason[:255], proposed_by=user
    )
    record(
        actor=user,
        action="sipas.method_proposed",
        obj=choice,
        campaign=campaign,
        detail={"method": method, "policy_weight": str(weight) if weight is not None else None},
    )
    return choice, None


def decide_method(*, choice: SipasMethodChoice, user: AbstractBaseUser, confirm: bool) -> str | None:
    """Confirm (or reject) a proposed method; None when done, else why not."""
    campaign = choice.campaign
    if not is_coordinator(user, campaign.province_id):
        return _("Only a coordinator of the province can confirm the SIPAS method.")
    with transaction.atomic():
        locked = SipasMethodChoice.objects.select_for_update().get(pk=choice.pk)
        if locked.status != SipasMethodChoice.Status.PENDING:
            return _("This proposal was already decided.")
        if confirm and locked.proposed_by_id == user.pk:
            return _("Another coordinator must confirm the method you proposed.")
        if confirm:
            SipasMethodChoice.objects.filter(
                campaign=campaign, status=SipasMethodChoice.Status.CONFIRMED
            ).update(status=SipasMethodChoice.Status.SUPERSEDED)
        locked.status = SipasMethodChoice.Status.CONFIRMED if confirm else SipasMethodChoice.Status.REJECTED
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        record(
            actor=user,
            action="sipas.method_confirmed" if confirm else "sipas.method_rejected",
            obj=locked,
            campaign=campaign,
            detail={"method": locked.method},
        )
    choice.refresh_from_db()
    return None
