"""A job's page, its status as JSON (polled by the page), its file, and starting it again."""

from django.urls import path

from . import views

urlpatterns = [
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job-status"),
    path("jobs/<int:pk>/download", views.job_download, name="job-download"),
    path("jobs/<int:pk>/restart/", views.job_restart, name="job-restart"),
]
