"""Read-mostly admin for the survey records: a superuser inspects, the services change."""

from django.contrib import admin

from .models import Invitation, Message, MessageEvent, Questionnaire, Response


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "title", "campaign", "is_current", "created_at"]
    list_filter = ["campaign", "is_current"]
    readonly_fields = ["definition", "checksum", "source_file", "created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "respondent",
        "campaign",
        "questionnaire",
        "opened_at",
        "started_at",
        "submitted_at",
        "reminders_opt_out",
    ]
    list_filter = ["campaign", "reminders_opt_out"]
    search_fields = ["respondent__full_name", "respondent__email", "respondent__phone"]
    raw_id_fields = ["respondent", "questionnaire"]
    readonly_fields = ["opened_at", "started_at", "submitted_at"]


class MessageEventInline(admin.TabularInline):
    model = MessageEvent
    extra = 0
    readonly_fields = ["status", "detail", "created_at"]
    can_delete = False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["to", "channel", "kind", "sequence", "status", "attempts", "sent_at", "error"]
    list_filter = ["channel", "kind", "status"]
    search_fields = ["to", "provider_id"]
    raw_id_fields = ["invitation"]
    readonly_fields = ["provider_id", "attempts", "queued_at", "claimed_at", "sent_at", "error"]
    inlines = [MessageEventInline]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "campaign", "questionnaire", "mode", "status", "started_at", "submitted_at"]
    list_filter = ["campaign", "mode", "status"]
    raw_id_fields = ["invitation", "questionnaire", "unit", "entered_by"]
    readonly_fields = ["answers", "client_uuid", "started_at", "updated_at", "submitted_at"]
