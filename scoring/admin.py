from django.contrib import admin

from .models import (
    Assessment,
    CampaignTree,
    CriteriaTree,
    Criterion,
    Evidence,
    Score,
    ScoreEvent,
    ScoringRole,
)


@admin.register(CriteriaTree)
class CriteriaTreeAdmin(admin.ModelAdmin):
    list_display = ["code", "version", "title", "level", "year_from", "year_until", "is_current"]
    readonly_fields = ["definition", "checksum"]


@admin.register(CampaignTree)
class CampaignTreeAdmin(admin.ModelAdmin):
    """A campaign's chosen criteria set; the index settings page checks the year (docs/decisions.md D152)."""

    list_display = ["campaign", "tree_code", "chosen_by", "chosen_at"]
    readonly_fields = ["chosen_by", "chosen_at"]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "max_points", "scored_by", "survey", "lead", "confirmed", "tree"]
    list_filter = ["tree", "kind", "scored_by", "confirmed"]


@admin.register(ScoringRole)
class ScoringRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "unit"]
    list_filter = ["role", "province"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "campaign",
        "tree",
        "unit",
        "self_opens",
        "self_closes",
        "appraisal_opens",
        "appraisal_closes",
        "replaced_by",
    ]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["assessment", "criterion", "self_points", "appraised_points"]
    readonly_fields = ["self_by", "self_at", "appraised_by", "appraised_at"]


@admin.register(ScoreEvent)
class ScoreEventAdmin(admin.ModelAdmin):
    """History is append-only: readable, never edited."""

    list_display = ["score", "kind", "points", "by", "at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Evidence)
