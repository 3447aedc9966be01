"""Read queries: who may see what, and the aggregates behind the coordinator's pages."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from kit.text import match_key

from .models import Campaign, ImportBatch, Membership, PersonalDataGrant, Respondent, RespondentGroup, Unit


def coordinated_provinces(user: User) -> QuerySet[Membership, Any]:
    """The ids of the provinces the user coordinates (a values() queryset, usable as a subquery)."""
    return Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR).values("province_id")


def is_coordinator(user: User | AnonymousUser, province_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    coordinators = Membership.objects.filter(role=Membership.Role.COORDINATOR, province_id=province_id)
    return coordinators.filter(user=user).exists()


def is_analyst(user: User | AnonymousUser, province_id: int) -> bool:
    """An analyst of the province (Membership role analyst); superusers are not counted as analysts."""
    if not user.is_authenticated:
        return False
    analysts = Membership.objects.filter(role=Membership.Role.ANALYST, province_id=province_id)
    return analysts.filter(user=user).exists()


def sees_personal_data(user: User | AnonymousUser, campaign: Campaign) -> bool:
    """Coordinators (and superusers) always; an analyst only with an active grant for this campaign."""
    if is_coordinator(user, campaign.province_id):
        return True
    return (
        is_analyst(user, campaign.province_id)
        and PersonalDataGrant.objects.filter(
            campaign=campaign, analyst=user, revoked_at__isnull=True, valid_until__gte=timezone.localdate()
        ).exists()
    )


def focal_unit_ids(user: User | AnonymousUser, province_id: int) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(
            user=user, role=Membership.Role.FOCAL_POINT, province_id=province_id
        ).values_list("unit_id", flat=True)
    )


def visible_campaigns(user: User | AnonymousUser) -> QuerySet[Campaign]:
    if not user.is_authenticated:
        return Campaign.objects.none()
    if user.is_superuser:
        return Campaign.objects.select_related("province")
    provinces = Membership.objects.filter(user=user).values("province_id")
    return Campaign.objects.filter(province_id__in=provinces).select_related("province")


def campaign_units(campaign: Campaign) -> QuerySet[Unit]:
    """The units in scope of a campaign (all of the province's units if none were chosen)."""
    units = campaign.units.all()
    return units if units.exists() else campaign.province.units.all()


def accessible_units(user: User | AnonymousUser, campaign: Campaign) -> QuerySet[Unit]:
    """Units whose list this user may see and change in this campaign."""
    units = campaign_units(campaign)
    if is_coordinator(user, campaign.province_id):
        return units
    return units.filter(pk__in=focal_unit_ids(user, campaign.province_id))


def respondents_visible_to(user: User | AnonymousUser, campaign: Campaign) -> QuerySet[Respondent]:
    current = Respondent.objects.current().filter(campaign=campaign).select_related("unit", "group")
    if is_coordinator(user, campaign.province_id):
        return current
    return current.filter(unit_id__in=focal_unit_ids(user, campaign.province_id))


def campaign_groups(campaign: Campaign) -> list[RespondentGroup]:
    return list(campaign.groups.order_by("order"))


def unit_list_status(campaign: Campaign, *, today: datetime.date | None = None) -> list[dict]:
    """Per unit: has it sent its list, counts per group, when and by whom, and is it late.

    Three queries whatever the number of units: counts, last imports, and the units themselves.
    """
    today = today or timezone.localdate()
    counts: dict[int, dict[str, int]] = {}
    for unit_id, code, n in (
        Respondent.objects.current()
        .filter(campaign=campaign)
        .values("unit_id", "group__code")
        .annotate(n=Count("id"))
        .values_list("unit_id", "group__code", "n")
    ):
        counts.setdefault(unit_id, {})[code] = n
    last_imports: dict[int, ImportBatch] = {}
    latest = (
        ImportBatch.objects.filter(campaign=campaign, status=ImportBatch.Status.IMPORTED, unit__isnull=False)
        .values("unit_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    for batch in ImportBatch.objects.filter(pk__in=latest).select_related("uploaded_by"):
        last_imports[batch.unit_id] = batch
    last_rows = dict(
        Respondent.objects.current()
        .filter(campaign=campaign)
        .values("unit_id")
        .annotate(last=Max("updated_at"))
        .values_list("unit_id", "last")
    )
    late_now = today > campaign.list_deadline
    rows = []
    # Sorted in Python: database collations do not order Vietnamese names (Khoa < Kế) as readers expect.
    units = sorted(campaign_units(campaign), key=lambda u: (u.kind, match_key(u.name)))
    for unit in units:
        unit_counts = counts.get(unit.pk, {})
        batch = last_imports.get(unit.pk)
        submitted = bool(unit_counts)
        rows.append(
            {
                "unit": unit,
                "submitted": submitted,
                "counts": unit_counts,
                "total": sum(unit_counts.values()),
                "submitted_at": batch.created_at if batch else last_rows.get(unit.pk),
                "submitted_by": batch.uploaded_by if batch else None,
                "late": late_now and not submitted,
                "days_left": (campaign.list_deadline - today).days,
            }
        )
    return rows


def group_totals(campaign: Campaign) -> dict[str, int]:
    return dict(
        Respondent.objects.current()
        .filter(campaign=campaign)
        .values("group__code")
        .annotate(n=Count("id"))
        .values_list("group__code", "n")
    )


def focal_point_emails(campaign: Campaign, unit_ids: Iterable[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for unit_id, email in (
        Membership.objects.filter(
            province_id=campaign.province_id, role=Membership.Role.FOCAL_POINT, unit_id__in=unit_ids
        )
        .exclude(Q(user__email="") | Q(user__is_active=False))
        .values_list("unit_id", "user__email")
    ):
        result.setdefault(unit_id, []).append(email)
    return result


def unit_imports(campaign: Campaign, unit: Unit) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(campaign=campaign, unit=unit).select_related("uploaded_by")
