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


class CampaignForm(forms.Form):
    """A campaign's settings on its page; the groups and targets fields are added per campaign kind."""

    kind = forms.ChoiceField(label=_("Kind"))
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)
    province = forms.ModelChoiceField(queryset=None, label=_("Province"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    slug = forms.SlugField(label=_("Short name in links"), max_length=60)
    list_deadline = forms.DateField(label=_("List deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    survey_opens = forms.DateField(
        label=_("Survey opens"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    survey_closes = forms.DateField(
        label=_("Survey closes"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reminder_limit = forms.IntegerField(label=_("Reminders per respondent"), min_value=0, max_value=10)
    reminder_interval_days = forms.IntegerField(label=_("Days between reminders"), min_value=1, max_value=60)
    groups = forms.MultipleChoiceField(
        label=_("Respondent groups"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, provinces, groups, existing=None, **kwargs):
        from .models import Campaign

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Campaign.Kind.choices
        self.fields["province"].queryset = provinces
        self.fields["groups"].choices = [(g.code, g.name) for g in groups]
        for group in groups:
            self.fields[f"target_{group.code}"] = forms.IntegerField(
                label=_("Target response rate, %% (%(group)s)") % {"group": group.name},
                min_value=1,
                max_value=100,
                required=False,
            )
        if existing is not None:  # kind, year, province and slug are fixed once the campaign exists
            for name in ("kind", "year", "province", "slug"):
                self.fields[name].disabled = True

    def targets(self) -> dict:
        return {
            name.removeprefix("target_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("target_") and value is not None
        }
