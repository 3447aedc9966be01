"""Field pages under /field/. Each area keeps its views in its own module under fieldwork/views/."""

from django.urls import path

from .views import entry, frame, offline, review, sample, supervision

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
    # Offline entry: the service worker (its scope covers the entry pages) and files of unsent forms.
    path("sw.js", offline.service_worker, name="field-service-worker"),
    path("queue-import/", offline.queue_import, name="field-queue-import"),
    # Work lists, contact attempts, the sample.
    path("work-list/", sample.work_list_home, name="field-work-list"),
    path("work-list/<int:unit_id>/attempts/", sample.work_list_attempt, name="field-work-list-attempt"),
    path("contacts/", sample.contacts, name="field-contacts"),
    path("campaigns/<slug:slug>/sample/", sample.sample_page, name="field-sample"),
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
