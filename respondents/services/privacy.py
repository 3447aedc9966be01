"""Personal data for analysts: stable pseudonyms, small-cell suppression, and coordinators' grants of access.

Analysts see the province's tracking and index results without names, positions, phones or e-mails; a
coordinator may grant one analyst the personal data of one campaign until a given day (revocable). Every
grant and revocation is written to the audit log.
"""

import base64
import datetime
import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.services import Action, record

from ..models import Campaign, Membership, PersonalDataGrant

# Breakdowns shown to analysts hide cells of fewer respondents than this (docs/decisions.md D31).
MIN_CELL = 5


def pseudonym(respondent_id: int, *, key: str | None = None) -> str:
    """`R-` and 8 base-32 characters (40 bits) of an HMAC-SHA256 of the respondent id: the same person gets
    the same pseudonym in every page and export, and it cannot be reversed without the SECRET_KEY. 40 bits
    because 24 (6 hex digits) already collide within a thousand people; among 100,000 people a collision
    has a probability of ~0.5 %."""
    secret = (key if key is not None else settings.SECRET_KEY).encode()
    digest = hmac.new(secret, f"respondent:{respondent_id}".encode(), hashlib.sha256).digest()
    return "R-" + base64.b32encode(digest[:5]).decode()


def is_suppressed(count: int | None) -> bool:
    """A cell of 1–4 respondents is hidden; an empty cell (0) reveals nobody and is shown."""
    return count is not None and 0 < count < MIN_CELL


def grant_personal_data(
    *, campaign: Campaign, analyst: User, by: User | None, valid_until: datetime.date, reason: str = ""
) -> PersonalDataGrant:
    """One active grant per analyst and campaign: granting again replaces the end day."""
    if not Membership.objects.filter(
        user=analyst, role=Membership.Role.ANALYST, province_id=campaign.province_id
    ).exists():
        raise ValueError(f"{analyst} is not an analyst of {campaign.province}")
    if valid_until < timezone.localdate():
        raise ValueError("the end day is in the past")
    with transaction.atomic():
        for old in _active(campaign, analyst).select_for_update():
            _revoke(old, by)
        grant = PersonalDataGrant.objects.create(
            campaign=campaign, analyst=analyst, granted_by=by, valid_until=valid_until, reason=reason[:255]
        )
        record(
            actor=by,
            action=Action.ACCESS_GRANTED,
            obj=grant,
            campaign=campaign,
            detail={"analyst": analyst.get_username(), "valid_until": valid_until, "reason": grant.reason},
        )
    return grant


def revoke_personal_data(*, campaign: Campaign, analyst: User, by: User | None) -> int:
    """Ends the analyst's active grant(s) on the campaign now; returns how many were active."""
    with transaction.atomic():
        grants = list(_active(campaign, analyst).select_for_update())
        for grant in grants:
            _revoke(grant, by)
            record(
                actor=by,
                action=Action.ACCESS_REVOKED,
                obj=grant,
                campaign=campaign,
                detail={"analyst": analyst.get_username(), "valid_until": grant.valid_until},
            )
    return len(grants)


def _active(campaign: Campaign, analyst: User) -> QuerySet[PersonalDataGrant]:
    return PersonalDataGrant.objects.filter(
        campaign=campaign, analyst=analyst, revoked_at__isnull=True, valid_until__gte=timezone.localdate()
    )


def _revoke(grant: PersonalDataGrant, by: User | None) -> None:
    grant.revoked_at, grant.revoked_by = timezone.now(), by
    grant.save(update_fields=["revoked_at", "revoked_by"])
