from django.urls import path

import kit.urls  # noqa: F401  (registers the <id:…> converter)

from . import privacy_views, views

urlpatterns = [
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign"),
    path("campaigns/<slug:slug>/upload/", views.campaign_upload, name="campaign-upload"),
    path("campaigns/<slug:slug>/export.xlsx", views.export, name="campaign-export"),
    path("campaigns/<slug:slug>/remind/", views.remind_late, name="campaign-remind"),
    path("campaigns/<slug:slug>/imports/<id:batch_id>/", views.import_detail, name="import"),
    path("campaigns/<slug:slug>/units/<str:unit_code>/", views.unit_detail, name="unit"),
    path("campaigns/<slug:slug>/suppressions/", views.suppression_list, name="campaign-suppressions"),
    # Analysts' access to the campaign's personal data (coordinator).
    path("campaigns/<slug:slug>/personal-data/", privacy_views.access_page, name="personal-data-access"),
    path(
        "campaigns/<slug:slug>/personal-data/grant/", privacy_views.access_grant, name="personal-data-grant"
    ),
    path(
        "campaigns/<slug:slug>/personal-data/revoke/",
        privacy_views.access_revoke,
        name="personal-data-revoke",
    ),
]
