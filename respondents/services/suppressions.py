"""The suppression list as the coordinator sees it: addresses that get no messages, and lifting one on the
person's request (the record stays, with who lifted it, when and why). docs/decisions.md D257."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record

from ..models import AddressSuppression, Campaign, Respondent, Unit


def suppressions_for(campaign: Campaign) -> QuerySet[AddressSuppression]:
    """Suppressions recorded in the province's campaigns or concerning this campaign's people."""
    people = Respondent.objects.filter(campaign=campaign)
    emails = people.exclude(email="").values("email")
    phones = people.exclude(phone="").values("phone")
    return (
        AddressSuppression.objects.filter(
            Q(campaign__province_id=campaign.province_id)
            | Q(channel=AddressSuppression.Channel.EMAIL, address__in=emails)
            | Q(channel=AddressSuppression.Channel.SMS, address__in=phones)
        )
        .select_related("campaign", "respondent", "lifted_by")
        .order_by("lifted_at", "-created_at")
    )


def unit_delivery_problems(campaign: Campaign, unit: Unit) -> list[dict]:
    """The unit's current respondents whose address bounced or failed for good: for its focal point to
    correct (a corrected address is invited again)."""
    people = list(Respondent.objects.current().filter(campaign=campaign, unit=unit))
    by_address = {}
    for person in people:
        if person.email:
            by_address[(AddressSuppression.Channel.EMAIL, person.email.lower())] = person
        if person.phone:
            by_address[(AddressSuppression.Channel.SMS, person.phone.lower())] = person
    found = AddressSuppression.objects.filter(
        lifted_at__isnull=True,
        reason__in=[AddressSuppression.Reason.BOUNCED, AddressSuppression.Reason.FAILED],
        address__in=[address for _channel, address in by_address],
    )
    problems = []
    for suppression in found:
        person = by_address.get((suppression.channel, suppression.address))
        if person is not None:
            problems.append({"respondent": person, "suppression": suppression})
    return sorted(problems, key=lambda p: p["respondent"].full_name)


def lift(*, suppression: AddressSuppression, by: object, reason: str) -> AddressSuppression:
    suppression.lifted_at = timezone.now()
    suppression.lifted_by = by if getattr(by, "pk", None) else None
    suppression.lift_reason = reason[:255]
    suppression.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    record(
        actor=by,
        action=AuditEvent.Action.SUPPRESSION_LIFTED,
        obj=suppression,
        campaign=suppression.campaign,
        detail={"channel": suppression.channel, "reason": suppression.reason, "why": reason},
    )
    return suppression
