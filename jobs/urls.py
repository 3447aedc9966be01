"""A job's page, its status as JSON (polled by the page), its file, and starting it again."""

from django.urls import path

import kit.urls  # noqa: F401 - registers the <id:…> converter

from . import views

urlpatterns = [
    path("jobs/", views.my_jobs, name="my-jobs"),
    path("jobs/<id:pk>/", views.job_page, name="job"),
    path("jobs/<id:pk>/status.json", views.job_status, name="job-status"),
    path("jobs/<id:pk>/download", views.job_download, name="job-download"),
    path("jobs/<id:pk>/restart/", views.job_restart, name="job-restart"),
]
