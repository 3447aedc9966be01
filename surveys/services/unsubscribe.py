"""Unsubscribing: the one-click link of RFC 8058 and the opt-out link both stop messages to that address,
in this campaign and the next ones, until a coordinator lifts it (respondents.AddressSuppression;
docs/decisions.md D257).

The one-click link carries a signed token, `<invitation>-<e|s>-<HMAC>` (Django's salted HMAC of the
invitation and channel under SECRET_KEY, 96 bits, base64url): nothing is stored to issue it and it cannot
be forged or turned into another person's. It is short, so the List-Unsubscribe header stays one plain
line (a long one would be folded into RFC 2047 encoded words, which providers do not read). Mail
providers POST `List-Unsubscribe=One-Click` to it without a CSRF token, which is why that endpoint alone is
CSRF-exempt; the token is its authentication.
"""

import base64
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac

from respondents.models import AddressSuppression, Respondent

from ..models import Invitation, Message

SALT = "surveys.unsubscribe"


_CHANNEL_LETTERS = {Message.Channel.EMAIL: "e", Message.Channel.SMS: "s"}
_TOKEN = re.compile(r"^([0-9]{1,18})-([es])-([A-Za-z0-9_-]{16})$")


def _signature(invitation_id: int, channel: str) -> str:
    digest = salted_hmac(SALT, f"{invitation_id}:{channel}", algorithm="sha256").digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def unsubscribe_token(invitation_id: int, channel: str) -> str:
    return f"{invitation_id}-{_CHANNEL_LETTERS[channel]}-{_signature(invitation_id, channel)}"


def read_token(token: str) -> tuple[int, str] | None:
    match = _TOKEN.match(token or "")
    if not match:
        return None
    invitation_id = int(match.group(1))
    channel = next(c for c, letter in _CHANNEL_LETTERS.items() if letter == match.group(2))
    if not hmac.compare_digest(match.group(3), _signature(invitation_id, channel)):
        return None
    return invitation_id, channel


def unsubscribe_url(invitation_id: int, channel: str = Message.Channel.EMAIL) -> str:
    return settings.SITE_URL + reverse("unsubscribe", args=[unsubscribe_token(invitation_id, channel)])


def list_unsubscribe_headers(invitation_id: int) -> dict[str, str]:
    """RFC 2369 / RFC 8058 headers: the one-click HTTPS link (and a mailto when one is configured)."""
    link = f"<{unsubscribe_url(invitation_id)}>"
    mailto = getattr(settings, "UNSUBSCRIBE_MAILTO", "")
    if mailto:
        link += f", <mailto:{mailto}?subject=unsubscribe-{unsubscribe_token(invitation_id, 'email')}>"
    return {"List-Unsubscribe": link, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def address_of(respondent: Respondent | None, channel: str) -> str:
    if respondent is None:
        return ""
    return (respondent.email if channel == Message.Channel.EMAIL else respondent.phone).strip().lower()


@dataclass
class Suppressed:
    suppression: AddressSuppression | None
    created: bool


def suppress(
    *,
    channel: str,
    address: str,
    reason: str,
    detail: str = "",
    respondent: Respondent | None = None,
    campaign_id: int | None = None,
    message_id: int | None = None,
) -> Suppressed:
    """Record that `address` gets no more messages on `channel` (once: an active record is kept)."""
    address = address.strip().lower()
    if not address:
        return Suppressed(None, False)
    active = AddressSuppression.objects.filter(
        channel=channel, address=address, lifted_at__isnull=True
    ).first()
    if active is not None:
        return Suppressed(active, False)
    try:
        with transaction.atomic():
            suppression = AddressSuppression.objects.create(
                channel=channel,
                address=address,
                reason=reason,
                detail=detail[:2000],
                respondent=respondent,
                campaign_id=campaign_id,
                message_id=message_id,
            )
    except IntegrityError:  # recorded meanwhile by another request
        return Suppressed(
            AddressSuppression.objects.get(channel=channel, address=address, lifted_at__isnull=True), False
        )
    return Suppressed(suppression, True)


def opt_out(*, invitation: Invitation, channels: list[str], how: str) -> list[AddressSuppression]:
    """The person asked for no more messages: no reminders in this campaign (the invitation's flag) and a
    suppression of each channel's address, kept across campaigns."""
    Invitation.all_objects.filter(pk=invitation.pk).update(reminders_opt_out=True)
    invitation.reminders_opt_out = True
    recorded = []
    for channel in channels:
        address = address_of(invitation.respondent, channel)
        if invitation.is_test or not address:
            continue
        result = suppress(
            channel=channel,
            address=address,
            reason=AddressSuppression.Reason.OPT_OUT,
            detail=how,
            respondent=invitation.respondent,
            campaign_id=invitation.campaign_id,
        )
        if result.suppression is not None:
            recorded.append(result.suppression)
    return recorded


def suppress_undeliverable(*, message: Message, reason: str, bounced: bool) -> Suppressed:
    """A hard bounce or a permanent failure: no more messages to that address on that channel; the unit's
    page shows it for its focal point to correct, and a corrected address is invited again."""
    invitation = message.invitation
    return suppress(
        channel=message.channel,
        address=message.to,
        reason=AddressSuppression.Reason.BOUNCED if bounced else AddressSuppression.Reason.FAILED,
        detail=reason,
        respondent=invitation.respondent,
        campaign_id=invitation.campaign_id,
        message_id=message.pk,
    )


def is_suppressed(channel: str, address: str) -> bool:
    return AddressSuppression.objects.filter(
        channel=channel, address=address.strip().lower(), lifted_at__isnull=True
    ).exists()


def suppressed_addresses(channel: str) -> set[str]:
    return set(
        AddressSuppression.objects.filter(channel=channel, lifted_at__isnull=True).values_list(
            "address", flat=True
        )
    )
