"""Reading the audit log: the events of some provinces, filtered by campaign, actor, action and dates."""

import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from respondents.selectors import coordinated_provinces

from .models import AuditEvent


def log_province_ids(user: User | AnonymousUser) -> list[int] | None:
    """The provinces whose log the user reads: None for superusers (every province), else those it
    coordinates (maybe none)."""
    if user.is_superuser:
        return None
    return [row["province_id"] for row in coordinated_provinces(user)]


def may_read_log(user: User | AnonymousUser) -> bool:
    """The audit log page (and its place in the navigation): superusers and coordinators."""
    return user.is_authenticated and log_province_ids(user) != []


def audit_events(
    *,
    province_ids: list[int] | None = None,
    campaign_slug: str = "",
    actor: str = "",
    action: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first. `province_ids` None means every province (superusers); dates are Vietnam's days,
    `until` included."""
    events = AuditEvent.objects.all()
    if province_ids is not None:
        events = events.filter(province_id__in=province_ids)
    if campaign_slug:
        events = events.filter(campaign_slug=campaign_slug)
    if actor:
        events = events.filter(actor_name__iexact=actor)
    if action:
        events = events.filter(action=action)
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until:
        events = events.filter(at__lt=_start_of(until + datetime.timedelta(days=1)))
    return events.order_by("-at", "-pk")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
