"""Which paper forms a second clerk re-enters: a fixed share per team, chosen by a hash of the form number
so that the choice is deterministic (the same forms whoever asks, whenever) and not up to the enumerator."""

import hashlib

from ..models import FieldRecord, FieldTeam


def selected_for_verification(form_number: str, *, percent: int, salt: str) -> bool:
    """True for about `percent` % of form numbers, always the same ones for the same salt."""
    if not form_number or percent <= 0:
        return False
    digest = hashlib.sha256(f"{salt}:{form_number.strip().upper()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 10_000 < percent * 100


def drawn_for_verification(form_number: str, team: FieldTeam) -> bool:
    """Whether this form number of the team is one of those drawn for double entry."""
    return selected_for_verification(
        form_number, percent=team.verify_percent, salt=f"{team.campaign_id}:{team.code}"
    )


def forms_to_verify(team: FieldTeam, *, include_verified: bool = False) -> list[FieldRecord]:
    """The team's entered paper forms selected for double entry (not yet re-entered, unless asked)."""
    records = FieldRecord.objects.filter(assignment__team=team).exclude(form_number="")
    if not include_verified:
        records = records.filter(verifications__isnull=True)
    chosen = [
        pk for pk, number in records.values_list("pk", "form_number") if drawn_for_verification(number, team)
    ]
    return list(
        FieldRecord.objects.filter(pk__in=chosen)
        .select_related("response", "enumerator", "area")
        .order_by("form_number")
    )
