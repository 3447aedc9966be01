"""Forms of the coordinator's survey pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kit.forms import IdsMultipleChoiceField
from respondents.models import RespondentGroup

from .models import Questionnaire


class QuestionnaireUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Questionnaire file (XLSForm .xlsx/.xls, or YAML/JSON)"),
        help_text=_("The survey, choices and settings sheets of KoboToolbox, ODK or SurveyCTO."),
    )
    groups = IdsMultipleChoiceField(
        queryset=RespondentGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Respondent groups that answer it"),
        help_text=_("Used when the file's settings sheet has no “groups” column."),
    )

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = campaign.groups.all()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class TestLinkForm(forms.Form):
    questionnaire = forms.ModelChoiceField(queryset=Questionnaire.objects.none(), label=_("Questionnaire"))
    label = forms.CharField(label=_("Name of the test link"), max_length=100, required=False)

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(
            campaign=campaign, is_current=True
        )
