"""The audit log in the admin: read only (no add, change or delete, even for superusers)."""

from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "campaign_slug", "object_type", "object_id", "ip"]
    list_filter = ["action", "campaign_slug"]
    search_fields = ["actor_name", "campaign_slug", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
