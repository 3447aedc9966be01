"""The coordinator's questionnaire pages: uploading an XLSForm (or YAML), errors at their cell, the XLSForm
download, the preview frame, and test links that work like real ones but count nowhere."""

import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from respondents.models import RespondentGroup
from surveys.models import Invitation, Response
from surveys.selectors import response_rates
from surveys.services.xlsform import read_xlsform
from tests.surveys import xlsforms

pytestmark = pytest.mark.django_db


@pytest.fixture
def sipas(campaign):
    campaign.groups.add(*RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    campaign.survey_opens = datetime.date.today() - datetime.timedelta(days=1)
    campaign.survey_closes = datetime.date.today() + datetime.timedelta(days=20)
    campaign.save()
    return campaign


def upload(client, campaign, path, **data):
    url = reverse("campaign-questionnaires", args=[campaign.slug])
    file = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(url, {"file": file, **data})


def test_only_the_coordinator_reaches_the_pages(client, sipas, focal_stp):
    url = reverse("campaign-questionnaires", args=[sipas.slug])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(focal_stp)
    assert client.get(url).status_code == 403


def test_an_uploaded_xlsform_is_loaded_and_downloads_back_unchanged(client, sipas, coordinator, tmp_path):
    client.force_login(coordinator)
    reply = upload(client, sipas, xlsforms.hand_made(tmp_path / "phieu-thu.xlsx"))
    assert reply.status_code == 302
    questionnaire = sipas.questionnaires.get(code="phieu-thu")
    assert questionnaire.version == 1 and questionnaire.source_file == "phieu-thu.xlsx"
    assert set(questionnaire.groups.values_list("code", flat=True)) == {"citizen", "organisation"}
    page = client.get(reverse("campaign-questionnaires", args=[sipas.slug])).content.decode()
    assert 'data-code="phieu-thu" data-version="1"' in page
    download = client.get(reverse("questionnaire-xlsform", args=[sipas.slug, questionnaire.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="phieu-thu-v1.xlsx"'
    (tmp_path / "again.xlsx").write_bytes(download.content)
    reply = upload(client, sipas, tmp_path / "again.xlsx")
    assert reply.status_code == 302
    assert sipas.questionnaires.filter(code="phieu-thu").count() == 1
    with translation.override("en"):
        form = read_xlsform(tmp_path / "again.xlsx", file_name="again.xlsx")
    assert form.problems == []


def test_an_upload_with_an_unsupported_feature_is_refused_naming_the_cell(
    client, sipas, coordinator, tmp_path
):
    client.force_login(coordinator)
    survey = [["type", "name", "label"], ["geopoint", "where", "Ở đâu?"]]
    path = xlsforms.workbook(tmp_path / "geo.xlsx", survey, None, [["form_id", "groups"], ["geo", "citizen"]])
    reply = upload(client, sipas, path)
    assert reply.status_code == 200
    html = reply.content.decode()
    assert "data-upload-errors" in html
    assert "geo.xlsx: trang “survey”, dòng 2, cột A (type)" in html
    assert not sipas.questionnaires.exists()


def test_groups_chosen_on_the_page_stand_in_for_a_settings_sheet_without_them(
    client, sipas, coordinator, tmp_path
):
    client.force_login(coordinator)
    citizen = RespondentGroup.objects.get(code="citizen")
    reply = upload(client, sipas, xlsforms.kobo_export(tmp_path / "kobo.xlsx"), groups=[citizen.pk])
    assert reply.status_code == 302
    assert list(sipas.questionnaires.get().groups.values_list("code", flat=True)) == ["citizen"]


@pytest.fixture
def loaded(client, sipas, coordinator, tmp_path):
    client.force_login(coordinator)
    upload(client, sipas, xlsforms.hand_made(tmp_path / "phieu.xlsx"))
    return sipas.questionnaires.get()


def test_the_preview_frame_draws_the_respondents_page_with_nothing_to_save(client, sipas, loaded):
    page = client.get(reverse("questionnaire-preview", args=[sipas.slug, loaded.pk]))
    assert page.status_code == 200 and "data-preview-frame" in page.content.decode()
    frame = client.get(reverse("questionnaire-preview-frame", args=[sipas.slug, loaded.pk]))
    html = frame.content.decode()
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert "data-preview" in html and 'data-save-url=""' in html
    assert '<table class="grid-table">' in html and 'id="q-access"' in html
    assert "Tiếp cận dịch vụ" in html  # Vietnamese first
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        html = client.get(
            reverse("questionnaire-preview-frame", args=[sipas.slug, loaded.pk])
        ).content.decode()
    assert "Access" in html and "Tiếp cận dịch vụ" not in html


def test_a_test_link_works_like_a_real_one_and_counts_nowhere(client, sipas, loaded, units):
    reply = client.post(
        reverse("test-link-create", args=[sipas.slug]),
        {"questionnaire": loaded.pk, "label": "Thử trên điện thoại"},
    )
    assert reply.status_code == 302
    message = [m.message for m in reply.wsgi_request._messages][-1]
    link = re.search(r"/s/([^/]+)/", message)
    assert link, message
    token = link.group(1)
    page = client.get(reverse("survey-start", args=[token])).content.decode()
    assert "data-test-link" in page and "Thử trên điện thoại" in page
    answers = {"used": "no", "age": "40", "access": "4", "procedure": "5", "staff": "3"}
    reply = client.post(reverse("survey-submit", args=[token]), answers)
    assert reply.status_code == 302 and reply["Location"] == reverse("survey-thanks", args=[token])
    invitation = Invitation.all_objects.get(test_label="Thử trên điện thoại")
    response = Response.all_objects.get(invitation=invitation)
    assert invitation.is_test and response.is_test and response.status == "submitted"
    assert not Invitation.objects.filter(campaign=sipas).exists()
    assert not Response.objects.filter(campaign=sipas).exists() and not sipas.responses.exists()
    assert response_rates(sipas)["overall"]["invited"] == 0
    listing = client.get(reverse("campaign-questionnaires", args=[sipas.slug])).content.decode()
    assert f'data-test-link="{invitation.pk}"' in listing
    reply = client.post(reverse("test-links-delete", args=[sipas.slug]), {"link": [invitation.pk]})
    assert reply.status_code == 302
    assert not Invitation.all_objects.filter(pk=invitation.pk).exists()
    assert not Response.all_objects.filter(campaign=sipas).exists()
    assert client.get(reverse("survey-start", args=[token])).status_code == 404


def test_a_new_version_shows_its_change_report_by_question_code(client, sipas, loaded, tmp_path):
    from surveys.services.xlsform import write_xlsform

    Response.objects.create(
        campaign=sipas, questionnaire=loaded, answers={}, mode="paper"
    )  # answered: new version
    definition = json.loads(json.dumps(loaded.definition))
    definition["sections"][0]["questions"][0]["text"] = "Bạn đã từng dùng dịch vụ chưa?"
    del definition["sections"][2]["questions"][0]  # the date question goes
    (tmp_path / "v2.xlsx").write_bytes(write_xlsform(definition))
    reply = upload(client, sipas, tmp_path / "v2.xlsx")
    assert reply.status_code == 302
    assert sipas.questionnaires.get(is_current=True).version == 2
    notes = [m.message for m in reply.wsgi_request._messages]
    assert any("visit" in n and "used" in n for n in notes), notes
