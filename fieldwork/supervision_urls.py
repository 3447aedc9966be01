"""Supervisor pages under /field/ (progress and data-quality flags)."""

from django.urls import path

from . import supervision_views

urlpatterns = [
    path("progress/", supervision_views.progress, name="field-progress"),
    path("progress/export/", supervision_views.progress_export, name="field-progress-export"),
]
