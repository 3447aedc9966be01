"""Entry pages under /field/: form entry, double entry and the supervisor's mismatch list."""

from django.urls import path

from . import entry_views

urlpatterns = [
    path("entry/", entry_views.entry_home, name="field-entry"),
    path("entry/<int:assignment_id>/", entry_views.entry_page, name="field-entry-page"),
    path("verify/", entry_views.verify_home, name="field-verify"),
    path("verify/<int:assignment_id>/", entry_views.verify_page, name="field-verify-page"),
    path("mismatches/", entry_views.mismatch_list, name="field-mismatches"),
    path(
        "mismatches/<int:mismatch_id>/resolve/", entry_views.mismatch_resolve, name="field-mismatch-resolve"
    ),
]
