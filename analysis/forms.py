from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MarginSet
from .sipas.methods import METHODS


class MarginsForm(forms.Form):
    file = forms.FileField(label=_("Population table (.xlsx, .xls, .ods or .csv)"))
    calibration = forms.ChoiceField(
        label=_("Calibration"), choices=MarginSet.Calibration.choices, initial=MarginSet.Calibration.CELLS
    )


class MethodForm(forms.Form):
    method = forms.ChoiceField(label=_("SIPAS method"), choices=[(name, name) for name in METHODS])
    policy_weight = forms.DecimalField(
        label=_("Weight of the policy part (sipas-1001-weighted only)"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=3,
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=255)
