"""Scoring pages, under a campaign."""

from django.urls import path

import kit.urls  # noqa: F401  (registers the <id:…> converter)

from . import views

base = "campaigns/<slug:slug>/scoring/"
urlpatterns = [
    path(base, views.assessment_list, name="scoring-assessments"),
    path(f"{base}<id:pk>/", views.overview, name="scoring-overview"),
    path(f"{base}<id:pk>/self/", views.self_page, name="scoring-self"),
    path(f"{base}<id:pk>/items/<str:code>/self/", views.self_save, name="scoring-self-save"),
    path(f"{base}<id:pk>/appraisal/", views.appraisal_page, name="scoring-appraisal"),
    path(f"{base}<id:pk>/items/<str:code>/appraise/", views.appraise, name="scoring-appraise"),
    path(f"{base}<id:pk>/items/<str:code>/history/", views.history, name="scoring-history"),
    path("scoring/evidence/<id:pk>/", views.evidence_file, name="scoring-evidence"),
    path("scoring/criteria/import/", views.criteria_import, name="scoring-criteria-import"),
]
