"""Index dashboard and report, under a campaign."""

from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/<slug:slug>/indices/", views.dashboard, name="indices-dashboard"),
    path("campaigns/<slug:slug>/indices/report.xlsx", views.report, name="indices-report"),
    path("campaigns/<slug:slug>/indices/settings/", views.index_settings, name="indices-settings"),
]
