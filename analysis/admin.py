from django.contrib import admin

from .models import IndexSettings, PublishedResult, PublishedTable


@admin.register(IndexSettings)
class IndexSettingsAdmin(admin.ModelAdmin):
    list_display = ["campaign", "officials_method", "chosen_by", "chosen_at"]


class PublishedResultInline(admin.TabularInline):
    model = PublishedResult
    extra = 0
    fields = ["province", "index", "components", "sipas", "rank", "population"]
    readonly_fields = fields
    can_delete = False


@admin.register(PublishedTable)
class PublishedTableAdmin(admin.ModelAdmin):
    """Loaded with import_published_results; read here, never edited figure by figure."""

    list_display = ["year", "source", "illustrative", "file_name", "imported_at"]
    readonly_fields = ["year", "source", "illustrative", "file_name", "sha256", "imported_by", "imported_at"]
    inlines = [PublishedResultInline]
