"""Admin for setting up field teams, members and assignments (import_field_teams does it in bulk)."""

from django.contrib import admin

from .models import (
    AnswerCorrection,
    Assignment,
    FieldMember,
    FieldRecord,
    FieldTeam,
    Mismatch,
    SamplingFrameEntry,
    VerificationEntry,
)


class FieldMemberInline(admin.TabularInline):
    model = FieldMember
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(FieldTeam)
class FieldTeamAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "campaign", "verify_percent"]
    list_filter = ["campaign"]
    search_fields = ["name", "code"]
    inlines = [FieldMemberInline]


@admin.register(FieldMember)
class FieldMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "team", "phone"]
    list_filter = ["role", "team__campaign", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone"]
    autocomplete_fields = ["user"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = [
        "team",
        "enumerator",
        "area",
        "service_area",
        "quota",
        "questionnaire",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["campaign", "team", "service_area"]
    search_fields = ["area__name", "team__name", "enumerator__username"]
    autocomplete_fields = ["enumerator"]
    list_select_related = ["team", "enumerator", "area", "questionnaire"]


@admin.register(SamplingFrameEntry)
class SamplingFrameEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "area", "service_area", "status", "assignment"]
    list_filter = ["campaign", "kind", "status"]
    search_fields = ["name", "phone", "address"]
    list_select_related = ["area", "assignment"]


@admin.register(FieldRecord)
class FieldRecordAdmin(admin.ModelAdmin):
    list_display = [
        "response",
        "form_number",
        "enumerator",
        "area",
        "interviewed_at",
        "received_at",
        "source",
    ]
    list_filter = ["assignment__team", "source"]
    search_fields = ["form_number", "enumerator__username"]
    raw_id_fields = ["response", "assignment"]
    readonly_fields = ["payload_hash", "received_at"]
    list_select_related = ["response", "enumerator", "area"]


class MismatchInline(admin.TabularInline):
    model = Mismatch
    extra = 0
    readonly_fields = ["question_code", "first_value", "second_value"]


@admin.register(VerificationEntry)
class VerificationEntryAdmin(admin.ModelAdmin):
    list_display = ["record", "clerk", "created_at"]
    raw_id_fields = ["record"]
    readonly_fields = ["client_uuid", "payload_hash"]
    inlines = [MismatchInline]


@admin.register(AnswerCorrection)
class AnswerCorrectionAdmin(admin.ModelAdmin):
    list_display = ["response", "question_code", "old_value", "new_value", "corrected_by", "corrected_at"]
    raw_id_fields = ["response", "mismatch"]
