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


class ResponsesExportForm(forms.Form):
    """What the respondent-level export page asks (analysis.exports.service.export_responses)."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", _("CSV (UTF-8)")),
            ("xlsx", _("Excel (.xlsx)")),
            ("parquet", _("Parquet")),
            ("sav", _("SPSS (.sav)")),
            ("dta", _("Stata (.dta)")),
        ],
    )
    questionnaire = forms.ChoiceField(label=_("Questionnaire"), required=False)
    labels = forms.ChoiceField(
        label=_("Choices as"),
        choices=[("codes", _("codes (value labels in SPSS/Stata)")), ("text", _("their text"))],
        initial="codes",
    )
    include_drafts = forms.BooleanField(
        label=_("Also drafts and interviews not (yet) counted"), required=False
    )
    personal = forms.BooleanField(
        label=_("With personal data (names, phones, e-mails, free text)"), required=False
    )

    def __init__(self, *args, questionnaire_codes: list[str], may_see_personal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = [("", _("all questionnaires"))] + [
            (code, code) for code in questionnaire_codes
        ]
        if not may_see_personal:
            del self.fields["personal"]
