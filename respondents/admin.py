from django.contrib import admin

from audit.services import Action, record

from .models import (
    Campaign,
    ImportBatch,
    ListReminder,
    Membership,
    PersonalDataGrant,
    Province,
    Respondent,
    RespondentGroup,
    Unit,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province", "parent", "valid_from", "valid_until"]
    list_filter = ["province", "kind"]
    search_fields = ["code", "name"]


@admin.register(RespondentGroup)
class RespondentGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order", "default_for_unit_kind"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "kind", "year", "province", "list_deadline", "status"]
    list_filter = ["kind", "status", "province"]
    filter_horizontal = ["groups", "units"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "unit"]
    list_filter = ["role", "province"]
    autocomplete_fields = ["unit"]


@admin.register(Respondent)
class RespondentAdmin(admin.ModelAdmin):
    list_display = ["full_name", "unit", "group", "email", "phone", "campaign", "retired_at"]
    list_filter = ["campaign", "group", "unit__kind"]
    search_fields = ["full_name", "email", "phone"]
    readonly_fields = ["raw", "batch", "retired_by", "source_file", "source_sheet", "source_row"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # An edit outside imports goes to the audit log (docs/decisions.md D34); fields whose text is
        # unchanged are left out (a JSON field re-posted as "[]" counts as changed for the form).
        before = {f: str(form.initial.get(f, "")) for f in form.changed_data}
        after = {f: str(obj.serializable_value(f)) for f in form.changed_data}
        changed = [f for f in form.changed_data if before[f] != after[f]]
        if change and changed:
            retired = "retired_at" in changed and obj.retired_at is not None
            record(
                actor=request.user,
                action=Action.RESPONDENT_RETIRED if retired else Action.RESPONDENT_CHANGED,
                obj=obj,
                campaign=obj.campaign,
                detail={
                    "source": "admin",
                    "before": {f: before[f] for f in changed},
                    "after": {f: after[f] for f in changed},
                },
            )


@admin.register(PersonalDataGrant)
class PersonalDataGrantAdmin(admin.ModelAdmin):
    """Read only: grants are given and revoked on the campaign's personal-data page or with
    `manage.py personal_data_access`, which write the audit log."""

    list_display = ["analyst", "campaign", "valid_until", "granted_by", "granted_at", "revoked_at"]
    list_filter = ["campaign"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "file_name",
        "campaign",
        "unit",
        "status",
        "added",
        "updated",
        "retired",
        "error_count",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["status", "source", "campaign"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


@admin.register(ListReminder)
class ListReminderAdmin(admin.ModelAdmin):
    list_display = ["campaign", "unit", "sent_by", "sent_at"]
