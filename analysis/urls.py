"""Index dashboard and report, and the SIPAS campaign's pages, under a campaign."""

from django.urls import path

import kit.urls  # noqa: F401  (registers the <id:…> converter)

from . import export_views, sipas_views, tables_views, views

urlpatterns = [
    path("campaigns/<slug:slug>/indices/", views.dashboard, name="indices-dashboard"),
    path("campaigns/<slug:slug>/indices/report.xlsx", views.report, name="indices-report"),
    path("campaigns/<slug:slug>/tables/", tables_views.tables_page, name="question-tables"),
    path(
        "campaigns/<slug:slug>/tables/workbook/",
        tables_views.tables_workbook,
        name="question-tables-workbook",
    ),
    path("campaigns/<slug:slug>/sipas/", sipas_views.sipas_page, name="sipas-campaign"),
    path("campaigns/<slug:slug>/sipas/margins/", sipas_views.margins_page, name="sipas-margins"),
    path(
        "campaigns/<slug:slug>/sipas/margins/<id:margin_set_id>/decide/",
        sipas_views.margins_decide,
        name="sipas-margins-decide",
    ),
    path("campaigns/<slug:slug>/sipas/method/", sipas_views.method_propose, name="sipas-method"),
    path(
        "campaigns/<slug:slug>/sipas/method/<id:choice_id>/decide/",
        sipas_views.method_decide,
        name="sipas-method-decide",
    ),
    path(
        "campaigns/<slug:slug>/exports/responses/",
        export_views.responses_export,
        name="responses-export",
    ),
    path("campaigns/<slug:slug>/indices/settings/", views.index_settings, name="indices-settings"),
]
