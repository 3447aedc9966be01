from django.contrib import admin

from .models import (
    Campaign,
    ImportBatch,
    ListReminder,
    Membership,
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
