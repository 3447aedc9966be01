from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Unit


class ImportForm(forms.Form):
    file = forms.FileField(label=_("List file (.xlsx, .xls, .ods or .csv)"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Unit"),
        help_text=_(
            "Choose a unit when the file is that unit's whole list: it replaces the unit's previous list."
        ),
    )
    dry_run = forms.BooleanField(required=False, label=_("Check only, do not save"))
    skip_invalid = forms.BooleanField(
        required=False, label=_("Import the valid rows even if some rows have errors")
    )

    def __init__(self, *args, units=None, fixed_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_unit is not None:
            del self.fields["unit"]
            del self.fields["skip_invalid"]  # a unit's own list is always all-or-nothing
        else:
            self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class GrantForm(forms.Form):
    analyst = forms.ChoiceField(label=_("Analyst"))
    valid_until = forms.DateField(
        label=_("Access until (last day)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)

    def __init__(self, *args, analysts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyst"].choices = [(str(u.pk), u.get_username()) for u in analysts]
