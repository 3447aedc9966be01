from django.urls import path

from . import views as api

urlpatterns = [
    path("assignments/", api.AssignmentList.as_view(), name="field-api-assignments"),
    path("questionnaires/<int:pk>/", api.QuestionnaireDetail.as_view(), name="field-api-questionnaire"),
    path("responses/", api.ResponseListCreate.as_view(), name="field-api-responses"),
    path("responses/batch/", api.ResponseBatch.as_view(), name="field-api-batch"),
    path("responses/<int:pk>/", api.ResponseDetail.as_view(), name="field-api-response"),
    path("verifications/", api.VerificationCreate.as_view(), name="field-api-verifications"),
    path("stats/today/", api.TodayStats.as_view(), name="field-api-stats-today"),
    path("work-list/", api.WorkList.as_view(), name="field-api-work-list"),
    path("contacts/", api.ContactAttemptCreate.as_view(), name="field-api-contacts"),
]
