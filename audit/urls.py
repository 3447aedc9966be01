"""The audit log page and the personal-data access page of a campaign."""

from django.urls import path

from . import views

urlpatterns = [
    path("audit/", views.event_list, name="audit-log"),
    path("campaigns/<slug:slug>/personal-data/", views.access_page, name="personal-data-access"),
    path("campaigns/<slug:slug>/personal-data/grant/", views.access_grant, name="personal-data-grant"),
    path("campaigns/<slug:slug>/personal-data/revoke/", views.access_revoke, name="personal-data-revoke"),
]
