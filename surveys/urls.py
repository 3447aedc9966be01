"""Survey URLs. Each area keeps its views in its own module under surveys/views/."""

from django.urls import path

import kit.urls  # noqa: F401  (registers the <id:…> converter)

from .views import (
    campaigns,
    distribution,
    questionnaires,
    respondent,
    tracking,
    unsubscribe,
    webhooks,
    wording,
)

urlpatterns: list = [
    # The respondent's personal link.
    path("s/<str:token>/", respondent.survey_start, name="survey-start"),
    path("s/<str:token>/save/", respondent.survey_save, name="survey-save"),
    path("s/<str:token>/opened/", respondent.survey_opened, name="survey-opened"),
    path("s/<str:token>/submit/", respondent.survey_submit, name="survey-submit"),
    path("s/<str:token>/thanks/", respondent.survey_thanks, name="survey-thanks"),
    path("s/<str:token>/no-reminders/", respondent.survey_opt_out, name="survey-opt-out"),
    # Setting campaigns up (coordinator).
    path("setup/campaigns/new/", campaigns.campaign_new, name="campaign-new"),  # not a campaign slug
    path("campaigns/<slug:slug>/settings/", campaigns.campaign_settings, name="campaign-settings"),
    path("campaigns/<slug:slug>/copy/", campaigns.campaign_copy, name="campaign-copy"),
    # Questionnaires: upload, XLSForm download, preview and test links (coordinator).
    path(
        "campaigns/<slug:slug>/questionnaires/",
        questionnaires.questionnaire_list,
        name="campaign-questionnaires",
    ),
    path(
        "campaigns/<slug:slug>/questionnaires/<id:pk>/xlsform.xlsx",
        questionnaires.download_xlsform,
        name="questionnaire-xlsform",
    ),
    path(
        "campaigns/<slug:slug>/questionnaires/<id:pk>/preview/",
        questionnaires.preview,
        name="questionnaire-preview",
    ),
    path(
        "campaigns/<slug:slug>/questionnaires/<id:pk>/preview/frame/",
        questionnaires.preview_frame,
        name="questionnaire-preview-frame",
    ),
    path("campaigns/<slug:slug>/test-links/", questionnaires.test_link_create, name="test-link-create"),
    path(
        "campaigns/<slug:slug>/test-links/delete/", questionnaires.test_links_delete, name="test-links-delete"
    ),
    # Response tracking (coordinator; focal points see their own unit's non-responders).
    path("campaigns/<slug:slug>/tracking/", tracking.dashboard, name="campaign-tracking"),
    path(
        "campaigns/<slug:slug>/tracking/non-responders/",
        tracking.non_responder_list,
        name="campaign-non-responders",
    ),
    path("campaigns/<slug:slug>/tracking/export.xlsx", tracking.export, name="campaign-tracking-export"),
    # Sending invitations and reminders (coordinator), and Twilio's delivery reports.
    path("campaigns/<slug:slug>/distribution/", distribution.page, name="campaign-distribution"),
    path("campaigns/<slug:slug>/messages/", wording.wording_page, name="campaign-wording"),
    path("campaigns/<slug:slug>/distribution/send/", distribution.send, name="campaign-distribution-send"),
    path("webhooks/twilio/status/", webhooks.twilio_status, name="twilio-status"),
    # One-click unsubscribe (RFC 8058) and a mail provider's bounce reports.
    path("u/<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
    path("webhooks/bounces/", unsubscribe.bounce_webhook, name="bounce-webhook"),
]
