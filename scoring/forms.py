"""The upload form of the official criteria table, and the check → load steps behind it."""

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.criteria_table import (
    UPLOAD_SUFFIXES,
    import_criteria_table,
    parse_expect,
    parse_years,
    stage_upload,
    staged_path,
)

MAX_UPLOAD = 10 * 1024 * 1024


class CriteriaTableForm(forms.Form):
    file = forms.FileField(label=_("Annex file (.xlsx, .xls, .ods, .docx)"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
    suffix = forms.CharField(widget=forms.HiddenInput, required=False)
    file_name = forms.CharField(widget=forms.HiddenInput, required=False)
    code = forms.SlugField(label=_("Code"), max_length=60, initial="par-province-892")
    title = forms.CharField(label=_("Title"), max_length=255)
    decision = forms.CharField(label=_("Decision"), max_length=100, initial="892/QĐ-BNV")
    years = forms.CharField(
        label=_("Years"), max_length=20, initial="2024-2030", help_text=_("e.g. 2024-2030")
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[
            ("province", _("Province")),
            ("department", _("Department")),
            ("commune", _("Commune or ward")),
        ],
    )
    total = forms.DecimalField(label=_("Total points"), initial=100, max_digits=7, decimal_places=2)
    expect = forms.CharField(
        label=_("Expected counts"),
        required=False,
        max_length=20,
        help_text=_("domains/criteria/sub-criteria, e.g. 8/37/88"),
    )

    def clean_years(self):
        years = parse_years(self.cleaned_data["years"])
        if years is None:
            raise forms.ValidationError(_("Write the first and last year, e.g. 2024-2030."))
        return years

    def clean_expect(self):
        text = self.cleaned_data["expect"]
        if not text:
            return None
        expect = parse_expect(text)
        if expect is None:
            raise forms.ValidationError(_("Write three numbers, e.g. 8/37/88."))
        return expect

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            suffix = Path(upload.name).suffix.lower()
            if suffix not in UPLOAD_SUFFIXES:
                self.add_error(
                    "file", _("Load the annex as .xlsx, .xls, .ods or .docx (save a .doc as .docx).")
                )
            elif upload.size > MAX_UPLOAD:
                self.add_error("file", _("The file is larger than 10 MB."))
        elif not data.get("token"):
            self.add_error("file", _("Choose the annex file."))
        return data


def load_criteria_upload(form: CriteriaTableForm, *, user, load: bool) -> dict:
    """Check (and with `load`, store) the uploaded or staged annex; the context of the result."""
    data = form.cleaned_data
    if data.get("file"):
        token, path = stage_upload(data["file"])
        file_name = Path(data["file"].name).name
    else:
        try:
            path = staged_path(data["token"], data["suffix"])
        except ValueError:
            path = None
        if path is None or not path.exists():
            form.add_error("file", form.fields["file"].error_messages["required"])
            return {}
        token, file_name = data["token"], data["file_name"] or path.name
    result = import_criteria_table(
        path=path,
        file_name=file_name,
        code=data["code"],
        title=data["title"],
        decision=data["decision"],
        years=data["years"],
        level=data["level"],
        total=data["total"],
        expect=data["expect"],
        dry_run=not load,
    )
    if load and result.ok:
        path.unlink(missing_ok=True)
    return {
        "result": result,
        "loaded": load and result.ok,
        "token": token,
        "suffix": path.suffix,
        "file_name": file_name,
    }
