"""Field pages under /field/. Each area keeps its views in its own module under fieldwork/views/."""

from django.urls import path

from .views import entry, frame, review, supervision

urlpatterns = [
    # Form entry, double entry and the supervisor's mismatch list.
    path("entry/", entry.entry_home, name="field-entry"),
    path("entry/<int:assignment_id>/", entry.entry_page, name="field-entry-page"),
    path("verify/", entry.verify_home, name="field-verify"),
    path("verify/<int:assignment_id>/", entry.verify_page, name="field-verify-page"),
    path("mismatches/", entry.mismatch_list, name="field-mismatches"),
    path("mismatches/<int:mismatch_id>/resolve/", entry.mismatch_resolve, name="field-mismatch-resolve"),
    # Supervisors: progress and data-quality flags.
    path("progress/", supervision.progress, name="field-progress"),
    path("progress/export/", supervision.progress_export, name="field-progress-export"),
    # Review before data counts.
    path("review/", review.review_list, name="field-review"),
    path("review/hold-flagged/", review.review_hold_flagged, name="field-review-hold-flagged"),
    path("review/form-notes/", review.form_number_note, name="field-form-number-note"),
    path("review/<int:record_id>/", review.review_detail, name="field-review-detail"),
    path("review/<int:record_id>/decide/", review.review_decide, name="field-review-decide"),
    path("review/<int:record_id>/correct/", review.review_correct, name="field-review-correct"),
    # The coordinator's sampling frame.
    path("campaigns/<slug:slug>/frame/", frame.frame_upload, name="field-frame"),
]
