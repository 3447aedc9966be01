"""Scoring pages, under a campaign."""

from django.urls import path

from . import views

base = "campaigns/<slug:slug>/scoring/"
urlpatterns = [
    path(base, views.assessment_list, name="scoring-assessments"),
    path(f"{base}<int:pk>/", views.overview, name="scoring-overview"),
    path(f"{base}<int:pk>/self/", views.self_page, name="scoring-self"),
    path(f"{base}<int:pk>/items/<str:code>/self/", views.self_save, name="scoring-self-save"),
    path(f"{base}<int:pk>/appraisal/", views.appraisal_page, name="scoring-appraisal"),
    path(f"{base}<int:pk>/items/<str:code>/appraise/", views.appraise, name="scoring-appraise"),
    path(f"{base}<int:pk>/items/<str:code>/history/", views.history, name="scoring-history"),
    path("scoring/evidence/<int:pk>/", views.evidence_file, name="scoring-evidence"),
    path("scoring/criteria/import/", views.criteria_import, name="scoring-criteria-import"),
    path("campaigns/<slug:slug>/criteria/", views.campaign_criteria, name="campaign-criteria"),
]
