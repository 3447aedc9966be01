"""The respondent's page behind the personal link, through the Django test client: opening, the questions
as accessible controls, autosave and resuming, the limits of the save endpoint, closed and unknown links."""

import datetime
import json
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Invitation, Response
from surveys.services.responses import MAX_BODY_BYTES
from tests.surveys.respondent_setup import make_link, make_questionnaire

TOKEN_PAGES = [
    ("survey-start", "get"),
    ("survey-save", "post"),
    ("survey-submit", "post"),
    ("survey-thanks", "get"),
    ("survey-opt-out", "get"),
    ("survey-opt-out", "post"),
]


@pytest.fixture
def link(campaign, units):
    return make_link(campaign, units["STP"])


def url(name, token):
    return reverse(name, args=[token])


def save_json(client, token, payload):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(url("survey-save", token), body, content_type="application/json")


def checked(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="(?:radio|checkbox)"[^>]* name="{name}" value="([^"]*)" checked', html)


def test_a_bare_get_of_the_link_is_not_an_opening(client, link):
    # Mail scanners (Safe Links, antivirus) fetch every link of a message before anyone reads it.
    invitation, token = link
    assert client.get(url("survey-start", token)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_the_pages_script_records_the_first_opening_only(client, link):
    invitation, token = link
    html = client.get(url("survey-start", token)).content.decode()
    assert f'data-opened-url="{url("survey-opened", token)}"' in html
    assert client.post(url("survey-opened", token)).status_code == 204
    invitation.refresh_from_db()
    first = invitation.opened_at
    assert first is not None and invitation.started_at is None and invitation.submitted_at is None
    client.post(url("survey-opened", token))
    invitation.refresh_from_db()
    assert invitation.opened_at == first
    assert client.get(url("survey-opened", token)).status_code == 405


def test_the_first_autosave_records_the_opening_when_the_script_could_not(client, link):
    invitation, token = link
    reply = client.post(url("survey-save", token), {"answers": {}}, content_type="application/json")
    assert reply.status_code == 200
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_page_greets_the_respondent_and_shows_the_deadline(client, link, campaign):
    _invitation, token = link
    html = client.get(url("survey-start", token)).content.decode()
    assert "Nguyễn Thị Lan" in html
    assert campaign.survey_closes.strftime("%d/%m/%Y") in html
    assert '<html lang="vi">' in html
    assert "Phiếu khảo sát thử" in html


def test_each_question_type_is_the_accessible_control_for_it(client, link):
    _invitation, token = link
    html = client.get(url("survey-start", token)).content.decode()
    # Choice questions are fieldsets with a legend; every option is an input with its own label.
    for code in ("q1", "q2", "q4"):
        assert re.search(rf'<fieldset class="question" id="q-{code}"[^>]*>\s*<legend>', html)
    assert len(re.findall(r'type="radio"[^>]* name="q1"', html)) == 2
    assert len(re.findall(r'type="checkbox"[^>]* name="q2"', html)) == 3
    assert len(re.findall(r'type="radio"[^>]* name="q4"', html)) == 6
    for n in range(1, 7):
        assert re.search(rf'<label class="option[^"]*" for="q-q4-{n}">\s*<input [^>]*id="q-q4-{n}"', html)
    # Text with a decimal keypad: type=number would read "1,5" differently by browser language.
    assert re.search(r'<input type="text" inputmode="decimal"[^>]* name="q3"', html)
    assert re.search(r'<label for="q-q3-input"', html)
    assert re.search(r'<textarea id="q-q5-input" name="q5"[^>]* maxlength="500"', html)
    # Errors are linked to their inputs; the skip-ruled question starts hidden and carries its rule.
    assert 'aria-describedby="q-q1-error"' in html and 'id="q-q1-error"' in html
    q2 = re.search(r'<fieldset [^>]*id="q-q2"[^>]*>', html).group(0)
    rule = re.search(r'data-show-if="([^"]+)"', q2).group(1)
    assert json.loads(unescape(rule)) == {"question": "q1", "equals": "yes"}
    assert q2.endswith(" hidden>")
    # Progress counts the visible required questions: q1, q3, q4 (q2 hidden, q5 optional).
    assert "<span data-progress-answered>0</span>" in html and "<span data-progress-required>3</span>" in html
    assert 'name="csrfmiddlewaretoken"' in html and "surveys/survey.js" in html


def test_autosave_records_started_at_and_returns_the_time(client, link):
    invitation, token = link
    response = save_json(client, token, {"answers": {"q1": "yes", "q2": ["online", "direct"], "q3": "7"}})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "saved" and re.fullmatch(r"\d\d:\d\d", body["saved_at"]) and body["errors"] == {}
    invitation.refresh_from_db()
    assert invitation.started_at is not None and invitation.submitted_at is None
    stored = Response.objects.get(invitation=invitation)
    assert stored.status == "draft"
    assert stored.answers == {"q1": "yes", "q2": ["direct", "online"], "q3": 7}
    started = invitation.started_at
    save_json(client, token, {"answers": {"q1": "no"}})
    invitation.refresh_from_db()
    assert invitation.started_at == started
    assert Response.objects.get(invitation=invitation).answers == {"q1": "no"}


def test_a_draft_is_resumed_on_another_device_with_the_same_link(client, link):
    _invitation, token = link
    save_json(client, token, {"answers": {"q1": "yes", "q2": ["post"], "q3": "12.5", "q5": "Tốt"}})
    html = Client().get(url("survey-start", token)).content.decode()  # no cookie shared with the first
    assert checked(html, "q1") == ["yes"]
    assert checked(html, "q2") == ["post"]
    assert 'name="q3" value="12,5"' in html  # as a Vietnamese types it; read back as 12.5
    assert ">Tốt</textarea>" in html
    assert not re.search(r'id="q-q2"[^>]* hidden>', html)  # q1 = yes shows q2
    assert "<span data-progress-answered>3</span>" in html and "<span data-progress-required>4</span>" in html
    assert 'data-state="saved"' in html


def test_autosave_keeps_valid_answers_and_reports_invalid_ones(client, link):
    invitation, token = link
    body = save_json(client, token, {"answers": {"q3": "100", "q4": "9", "q1": "no"}}).json()
    assert body["status"] == "saved"
    assert set(body["errors"]) == {"q3", "q4"}
    assert Response.objects.get(invitation=invitation).answers == {"q1": "no"}


def test_saving_without_javascript_redirects_back_to_the_page_with_the_answers(client, link):
    invitation, token = link
    response = client.post(url("survey-save", token), {"q1": "yes", "q2": ["direct", "post"], "q4": "0"})
    assert response.status_code == 302
    assert response["Location"] == url("survey-start", token) + "?saved=1"
    stored = Response.objects.get(invitation=invitation).answers
    assert stored == {"q1": "yes", "q2": ["direct", "post"], "q4": 0}
    html = client.get(response["Location"]).content.decode()
    assert 'class="notice"' in html
    assert checked(html, "q2") == ["direct", "post"] and checked(html, "q4") == ["0"]


def test_a_draft_keeps_the_questionnaire_version_it_started_with(client, link, campaign):
    invitation, token = link
    save_json(client, token, {"answers": {"q1": "no"}})
    old = invitation.questionnaire
    old.is_current = False
    old.save()
    new = make_questionnaire(campaign, version=2, title="Phiếu khảo sát thử, bản 2")
    Invitation.objects.filter(pk=invitation.pk).update(questionnaire=new)
    html = client.get(url("survey-start", token)).content.decode()
    assert "Phiếu khảo sát thử</h1>" in html and "bản 2" not in html
    client.post(url("survey-submit", token), {"q1": "no", "q3": "3", "q4": "5"})
    assert Response.objects.get(invitation=invitation).questionnaire == old


def test_a_fresh_link_answers_the_invitations_current_questionnaire(client, campaign, units):
    questionnaire = make_questionnaire(campaign, title="Phiếu mới")
    _invitation, token = make_link(campaign, units["SNV"], questionnaire=questionnaire)
    assert "Phiếu mới</h1>" in client.get(url("survey-start", token)).content.decode()


DEEP = {"answers": {"q1": [[[["x"]]]]}}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param(b"\xff\xfe{}", id="not-utf8"),
        pytest.param([], id="not-an-object"),
        pytest.param({"q1": "yes"}, id="answers-not-wrapped"),
        pytest.param({"answers": ["q1"]}, id="answers-not-a-mapping"),
        pytest.param({"answers": {"q1": ["yes"]}}, id="list-for-a-single-choice"),
        pytest.param({"answers": {"q2": [["direct"]]}}, id="nested-list"),
        pytest.param({"answers": {"q5": {"a": 1}}}, id="mapping-as-a-value"),
        pytest.param({"answers": {"q4": True}}, id="boolean"),
        pytest.param(DEEP, id="deeper-than-three-levels"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="100000-levels"),
        pytest.param(json.dumps({"answers": {"q5": "x" * (MAX_BODY_BYTES + 10)}}), id="over-256KB"),
    ],
)
def test_save_rejects_malformed_huge_or_deep_payloads_with_400(client, link, payload):
    invitation, token = link
    response = save_json(client, token, payload)
    assert response.status_code == 400
    assert response.json()["status"] in ("invalid", "too_large")
    assert not Response.objects.filter(invitation=invitation).exists()


def test_save_accepts_text_that_merely_contains_brackets(client, link):
    invitation, token = link
    text = '[[[{{{ ngoặc }}}]]] \\" [[['
    assert save_json(client, token, {"answers": {"q5": text}}).status_code == 200
    assert Response.objects.get(invitation=invitation).answers == {"q5": text.strip()}


def test_a_huge_form_post_is_refused_before_it_is_read(client, link):
    invitation, token = link
    response = client.post(url("survey-save", token), {"q5": "x" * (MAX_BODY_BYTES + 1)})
    assert response.status_code == 400
    assert not Response.objects.filter(invitation=invitation).exists()


def test_save_needs_the_csrf_token(link):
    _invitation, token = link
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(url("survey-start", token)).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = json.dumps({"answers": {"q1": "no"}})
    without = browser.post(url("survey-save", token), body, content_type="application/json")
    assert without.status_code == 403
    with_header = browser.post(
        url("survey-save", token), body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert with_header.status_code == 200


@pytest.mark.parametrize(("name", "method"), TOKEN_PAGES)
def test_an_unknown_token_gets_a_polite_404_without_detail(client, link, name, method):
    response = getattr(client, method)(url(name, "AAAAAAAAAAAAAAAAAAAAAAAA"))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-page="not-found"' in html
    assert "URLconf" not in html and "Traceback" not in html  # not Django's technical page


@pytest.mark.parametrize(("name", "method"), TOKEN_PAGES)
@pytest.mark.parametrize("how", ["status-closed", "closing-date-passed"])
def test_every_link_of_a_closed_survey_answers_410_politely(client, link, campaign, name, method, how):
    invitation, token = link
    if how == "status-closed":
        campaign.status = campaign.Status.CLOSED
    else:
        campaign.survey_closes = datetime.date.today() - datetime.timedelta(days=1)
    campaign.save()
    response = getattr(client, method)(url(name, token), {"q1": "no", "q3": "1", "q4": "1"})
    assert response.status_code == 410
    assert 'data-page="closed"' in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.opened_at is None and invitation.submitted_at is None
    assert invitation.reminders_opt_out is False
    assert not Response.objects.exists()


@pytest.mark.parametrize(("name", "method"), TOKEN_PAGES)
def test_a_link_used_before_the_survey_opens_says_when_it_opens_and_records_nothing(
    client, link, campaign, name, method
):
    invitation, token = link
    campaign.survey_opens = datetime.date.today() + datetime.timedelta(days=2)
    campaign.survey_closes = datetime.date.today() + datetime.timedelta(days=20)
    campaign.save()
    response = getattr(client, method)(url(name, token), {"q1": "no", "q3": "1", "q4": "1"})
    assert response.status_code == 403
    html = unescape(response.content.decode())
    assert 'data-page="not-open-yet"' in html
    assert campaign.survey_opens.strftime("%d/%m/%Y") in html
    invitation.refresh_from_db()
    assert invitation.opened_at is None and invitation.reminders_opt_out is False
    assert not Response.objects.exists()


def test_a_link_works_from_the_first_survey_day(client, link, campaign):
    _invitation, token = link
    campaign.survey_opens = datetime.date.today()
    campaign.save()
    assert client.get(url("survey-start", token)).status_code == 200


def test_opting_out_asks_for_confirmation_then_stops_reminders(client, link):
    invitation, token = link
    page = client.get(url("survey-opt-out", token))
    assert page.status_code == 200
    assert re.search(r'<form method="post"[^>]*>.*<button type="submit"', page.content.decode(), re.S)
    invitation.refresh_from_db()
    assert invitation.reminders_opt_out is False  # looking is not confirming
    response = client.post(url("survey-opt-out", token))
    assert response.status_code == 302 and response["Location"] == url("survey-opt-out", token)
    invitation.refresh_from_db()
    assert invitation.reminders_opt_out is True
    assert '<form method="post"' not in client.get(url("survey-opt-out", token)).content.decode()


@pytest.mark.parametrize(("name", "method"), TOKEN_PAGES)
def test_personal_pages_are_neither_cached_nor_indexed(client, link, name, method):
    _invitation, token = link
    response = getattr(client, method)(url(name, token))
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_nothing_about_the_device_is_stored(client, link):
    _invitation, token = link
    client.get(url("survey-start", token), REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Secret/1.0")
    save_json(client, token, {"answers": {"q1": "no"}})
    rows = [*Invitation.objects.values(), *Response.objects.values()]
    stored = json.dumps(rows, default=str)
    assert "203.0.113.7" not in stored and "Secret/1.0" not in stored


def test_a_respondent_dropped_from_the_list_can_no_longer_use_the_link(client, link):
    invitation, token = link
    assert client.get(reverse("survey-start", args=[token])).status_code == 200
    respondent = invitation.respondent
    respondent.retired_at = datetime.datetime.now(tz=datetime.UTC)
    respondent.save()
    assert client.get(reverse("survey-start", args=[token])).status_code == 404


@pytest.mark.parametrize(
    "answers",
    [{"q4": "--3"}, {"q4": "9" * 5000}, {"q4": "٣"}, {"q5": "có\x00 NUL"}, {"q3": "1e999"}],
    ids=["double-minus", "5000-digit", "arabic-digit", "nul-in-text", "overflowing-number"],
)
def test_hostile_answers_get_a_clear_answer_never_a_server_error(client, link, answers):
    invitation, token = link
    response = save_json(client, token, answers)
    assert response.status_code in (200, 400)
    stored = Response.objects.filter(invitation=invitation).values_list("answers", flat=True).first() or {}
    assert "\x00" not in json.dumps(stored)
    assert stored.get("q4") in (None, 1, 2, 3, 4, 5)


def test_a_non_numeric_content_length_is_refused_with_400(client, link):
    _invitation, token = link
    response = client.post(
        url("survey-save", token), "{}", content_type="application/json", CONTENT_LENGTH="abc"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("model", ["questionnaire", "invitation", "message", "response"])
def test_superuser_can_inspect_survey_records_in_the_admin(admin_client, link, model):
    assert admin_client.get(f"/admin/surveys/{model}/").status_code == 200
    if model == "invitation":
        invitation, _token = link
        assert admin_client.get(f"/admin/surveys/invitation/{invitation.pk}/change/").status_code == 200
