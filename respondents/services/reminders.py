"""Reminding the focal points of units that have not sent their list by the deadline."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Campaign, ListReminder
from ..selectors import focal_point_emails, unit_list_status


@dataclass
class ReminderResult:
    reminded: list[str] = field(default_factory=list)  # unit names
    without_contact: list[str] = field(default_factory=list)


def remind_late_units(*, campaign: Campaign, sent_by: User | None, only_late: bool = True) -> ReminderResult:
    """One e-mail per unit that has not sent its list, to all its focal points, over one SMTP connection."""
    statuses = [s for s in unit_list_status(campaign) if not s["submitted"] and (s["late"] or not only_late)]
    contacts = focal_point_emails(campaign, [s["unit"].pk for s in statuses])
    result = ReminderResult()
    messages, logs = [], []
    for status in statuses:
        unit = status["unit"]
        recipients = contacts.get(unit.pk, [])
        if not recipients:
            result.without_contact.append(unit.name)
            continue
        # The unit's own upload page, on the public address (never the Host header of the request).
        path = reverse("unit", args=[campaign.slug, unit.code])
        context = {
            "campaign": campaign,
            "unit": unit,
            "status": status,
            "url": settings.SITE_URL.rstrip("/") + path,
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("respondents/email/list_reminder_subject.txt", context).strip(),
            body=render_to_string("respondents/email/list_reminder.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
        )
        message.attach_alternative(
            render_to_string("respondents/email/list_reminder.html", context), "text/html"
        )
        messages.append(message)
        logs.append(ListReminder(campaign=campaign, unit=unit, sent_by=sent_by, recipients=recipients))
        result.reminded.append(unit.name)
    if messages:
        with mailers.default as connection:
            connection.send_messages(messages)
        ListReminder.objects.bulk_create(logs)
    return result
