"""Contact attempts on the households/people of the work lists, and the release of reserves by the
replacement rule (fieldwork/dispositions.py: replacement_due; the campaign's FieldSettings).

An attempt is stored once per client UUID (devices send it again after a lost reply). When the rule is
met, the next reserve of the same village, in its drawn order, is released to replace the unit; nothing
else releases a reserve (docs/decisions.md D353, D355).
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import may_key
from ..counting import field_settings
from ..dispositions import replacement_due
from ..models import ContactAttempt, DrawnUnit, FieldRecord, FieldSettings

CLOCK_SKEW = datetime.timedelta(minutes=10)


@dataclass
class AttemptResult:
    status: str  # created | duplicate | invalid | forbidden
    attempt: ContactAttempt | None = None
    released: DrawnUnit | None = None
    no_reserve_left: bool = False
    errors: dict = field(default_factory=dict)


def record_attempt(
    *,
    unit: DrawnUnit,
    user: User,
    outcome: str,
    attempted_at: datetime.datetime,
    client_uuid: uuid.UUID,
    note: str = "",
) -> AttemptResult:
    """Store one attempt on a household/person of the caller's work list, then apply the rule."""
    stored = ContactAttempt.objects.filter(client_uuid=client_uuid).first()
    if stored is not None:
        if stored.recorded_by_id != user.pk or stored.drawn_unit_id != unit.pk:
            return AttemptResult(
                status="invalid",
                errors={
                    "client_uuid": [_("This identifier is already in use: the device must make a new one.")]
                },
            )
        return AttemptResult(status="duplicate", attempt=stored)
    if unit.stage != DrawnUnit.Stage.FINAL or unit.assignment is None or not may_key(user, unit.assignment):
        return AttemptResult(
            status="forbidden", errors={"unit": [_("Not a household or person of your work list.")]}
        )
    errors = {}
    if outcome not in ContactAttempt.Outcome.values:
        errors["outcome"] = [_("Unknown outcome.")]
    if not unit.in_work_list:
        errors["unit"] = [_("This reserve has not been released.")]
    if attempted_at > timezone.now() + CLOCK_SKEW:
        errors["attempted_at"] = [_("The attempt time is in the future.")]
    if FieldRecord.objects.filter(drawn_unit=unit).exists() and outcome != ContactAttempt.Outcome.INTERVIEWED:
        errors["unit"] = [_("This household or person was already interviewed.")]
    if errors:
        return AttemptResult(status="invalid", errors=errors)
    settings = field_settings(unit.design.campaign)
    try:
        with transaction.atomic():
            locked = DrawnUnit.objects.select_for_update().get(pk=unit.pk)
            attempt = ContactAttempt.objects.create(
                drawn_unit=locked,
                outcome=outcome,
                attempted_at=attempted_at,
                note=note.strip()[:500],
                recorded_by=user,
                client_uuid=client_uuid,
            )
            released, none_left = _apply_rule(locked, settings)
    except IntegrityError:
        stored = ContactAttempt.objects.filter(client_uuid=client_uuid).first()
        if stored is None:
            raise
        return AttemptResult(status="duplicate", attempt=stored)
    return AttemptResult(status="created", attempt=attempt, released=released, no_reserve_left=none_left)


def _apply_rule(unit: DrawnUnit, settings: FieldSettings) -> tuple[DrawnUnit | None, bool]:
    """Release the next reserve of the unit's village when the rule is met (once per unit)."""
    if (
        DrawnUnit.objects.filter(replaces=unit).exists()
        or FieldRecord.objects.filter(drawn_unit=unit).exists()
    ):
        return None, False
    outcomes = list(unit.attempts.order_by("attempted_at", "pk").values_list("outcome", flat=True))
    if not replacement_due(
        outcomes, after_attempts=settings.replace_after_attempts, at_once=set(settings.replace_at_once or [])
    ):
        return None, False
    reserve = (
        DrawnUnit.objects.select_for_update()
        .filter(parent_id=unit.parent_id, reserve=True, released_at__isnull=True)
        .order_by("reserve_order", "pk")
        .first()
    )
    if reserve is None:
        return None, True
    reserve.released_at = timezone.now()
    reserve.replaces = unit
    reserve.assignment_id = reserve.assignment_id or unit.assignment_id
    reserve.save(update_fields=["released_at", "replaces", "assignment"])
    return reserve, False
