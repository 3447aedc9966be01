"""Read queries: who may see what, and the aggregates behind the coordinator's pages."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from kit.collation import vi_key, vi_order

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


def lists_come_from_units(campaign: Campaign) -> bool:
    """Whether the campaign's respondents are listed by its units: the PAR INDEX survey of officials. A
    SIPAS campaign samples citizens in the field (fieldwork's sampling frame) and asks units for no list
    (docs/decisions.md D102)."""
    return campaign.kind == Campaign.Kind.PAR_OFFICIALS


def may_open_lists(user: User | AnonymousUser, campaign: Campaign) -> bool:
    """The campaign's lists page: its coordinators; focal points of a unit in scope when units send lists.
    The page and the navigation both ask this (config/navigation.py)."""
    if is_coordinator(user, campaign.province_id):
        return True
    return lists_come_from_units(campaign) and bool(focal_unit_ids(user, campaign.province_id))


def may_track(user: User | AnonymousUser, campaign: Campaign) -> bool:
    """Response tracking: the province's coordinators and analysts (analysts pseudonymised)."""
    return is_coordinator(user, campaign.province_id) or is_analyst(user, campaign.province_id)


def campaign_units(campaign: Campaign) -> QuerySet[Unit]:
    """The units in scope of a campaign (all of the province's units if none were chosen), by kind then
    in Vietnamese alphabetical order."""
    units = campaign.units.all()
    units = units if units.exists() else campaign.province.units.all()
    return units.order_by("kind", vi_order("name"), "code")


def in_file_order(respondents: QuerySet[Respondent], *, by_name: bool = False) -> QuerySet[Respondent]:
    """A unit's list as its file gave it (rank order: leaders first), or by name when the user asks."""
    if by_name:
        return respondents.order_by(vi_order("full_name"), "pk")
    return respondents.order_by(F("source_row").asc(nulls_last=True), "pk")


def accessible_units(user: User | AnonymousUser, campaign: Campaign) -> QuerySet[Unit]:
    """Units whose list this user may see and change in this campaign."""
    units = campaign_units(campaign)
    if is_coordinator(user, campaign.province_id):
        return units
    if not lists_come_from_units(campaign):
        return units.none()
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
    # Vietnamese alphabetical order (ICU, docs/decisions.md D103): Kế before Khoa, Đ after D.
    units = sorted(campaign_units(campaign), key=lambda u: (u.kind, vi_key(u.name)))
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
