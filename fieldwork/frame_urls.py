"""The coordinator's sampling-frame page (under /field/)."""

from django.urls import path

from . import frame_views

urlpatterns = [
    path("campaigns/<slug:slug>/frame/", frame_views.frame_upload, name="field-frame"),
]
