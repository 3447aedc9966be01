"""`record(...)`: the one way to write the audit log, called from the services that change or export."""

import json

from django.contrib.auth.models import AnonymousUser, User
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model

from .context import current_ip
from .models import AuditEvent

Action = AuditEvent.Action


def record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    obj: Model | None = None,
    campaign: object = None,
    detail: dict | None = None,
    ip: str | None = None,
    actor_name: str = "",
    province_id: int | None = None,
) -> AuditEvent:
    """Append one event. `obj` is any model instance (type and id are kept, not a foreign key);
    `campaign` anything with pk, slug and province_id. The address defaults to the current request's."""
    user = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        actor=user,
        actor_name=(user.get_username() if user else actor_name)[:150],
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        campaign_id=getattr(campaign, "pk", None),
        campaign_slug=getattr(campaign, "slug", "") or "",
        province_id=getattr(campaign, "province_id", None) or province_id,
        detail=_plain(detail or {}),
        ip=ip or current_ip.get(),
    )
    event.save()
    return event


def _plain(detail: dict) -> dict:
    """Decimals, dates and the like as JSON text, so that every database stores the same detail."""
    return json.loads(json.dumps(detail, cls=DjangoJSONEncoder))
