"""Filters of the audit page and the coordinator's grant form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class AuditFilterForm(forms.Form):
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", "—"), *AuditEvent.Action.choices]
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, campaign_slugs: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = [("", "—"), *[(s, s) for s in campaign_slugs]]


class GrantForm(forms.Form):
    analyst = forms.ChoiceField(label=_("Analyst"))
    valid_until = forms.DateField(
        label=_("Access until (last day)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)

    def __init__(self, *args, analysts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyst"].choices = [(str(u.pk), u.get_username()) for u in analysts]
