from django.urls import path

from . import api

urlpatterns = [
    path("campaigns/", api.CampaignList.as_view(), name="api-campaigns"),
    path("campaigns/<slug:slug>/respondents/", api.RespondentList.as_view(), name="api-respondents"),
    path("campaigns/<slug:slug>/units/", api.UnitStatusList.as_view(), name="api-units"),
    path("campaigns/<slug:slug>/imports/", api.ImportCreate.as_view(), name="api-imports"),
]
