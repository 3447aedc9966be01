"""Submitting through the personal link: exactly once, validated against the definition, skip rules
re-checked on the server, and — on PostgreSQL — eight simultaneous submissions leave one response."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from surveys.models import Invitation, Response
from surveys.services.responses import save_draft, submit
from tests.concurrency import run_at_once
from tests.surveys.respondent_setup import COMPLETE, make_link


@pytest.fixture
def link(campaign, units):
    return make_link(campaign, units["STP"])


def url(name, token):
    return reverse(name, args=[token])


def test_submitting_records_the_time_and_shows_the_thank_you_page(client, link):
    invitation, token = link
    client.get(url("survey-start", token))
    response = client.post(url("survey-submit", token), COMPLETE)
    assert response.status_code == 302 and response["Location"] == url("survey-thanks", token)
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and 'data-page="thanks"' in thanks.content.decode()
    invitation.refresh_from_db()
    assert invitation.opened_at <= invitation.started_at <= invitation.submitted_at
    stored = Response.objects.get(invitation=invitation)
    assert (stored.status, stored.mode, stored.campaign_id) == ("submitted", "web", invitation.campaign_id)
    assert stored.submitted_at == invitation.submitted_at
    assert stored.answers == {"q1": "no", "q3": 12, "q4": 4}
    assert stored.questionnaire == invitation.questionnaire
    assert stored.unit == invitation.respondent.unit


def test_submitting_turns_the_draft_into_the_response(client, link):
    invitation, token = link
    save_draft(invitation=invitation, answers={"q1": "no", "q5": "Nháp"})
    draft = Response.objects.get(invitation=invitation)
    client.post(url("survey-submit", token), {**COMPLETE, "q5": "Bản cuối"})
    final = Response.objects.get(invitation=invitation)
    assert final.pk == draft.pk and final.status == "submitted"
    assert final.answers["q5"] == "Bản cuối"


def test_thank_you_page_before_submitting_leads_back_to_the_questionnaire(client, link):
    _invitation, token = link
    response = client.get(url("survey-thanks", token))
    assert response.status_code == 302 and response["Location"] == url("survey-start", token)


@pytest.mark.parametrize(
    ("posted", "error_codes"),
    [
        pytest.param({}, {"q1", "q3", "q4"}, id="nothing-answered"),
        pytest.param({"q1": "no", "q4": "4"}, {"q3"}, id="number-missing"),
        pytest.param({**COMPLETE, "q3": "61"}, {"q3"}, id="number-above-max"),
        pytest.param({**COMPLETE, "q3": "-1"}, {"q3"}, id="number-below-min"),
        pytest.param({**COMPLETE, "q3": "mười"}, {"q3"}, id="number-not-a-number"),
        pytest.param({**COMPLETE, "q4": "9"}, {"q4"}, id="scale-value-not-offered"),
        pytest.param({**COMPLETE, "q1": "maybe"}, {"q1"}, id="single-value-not-offered"),
        pytest.param({**COMPLETE, "q1": "yes"}, {"q2"}, id="skip-rule-shows-a-required-question"),
        pytest.param({**COMPLETE, "q1": "yes", "q2": ["fax"]}, {"q2"}, id="multiple-value-not-offered"),
        pytest.param({**COMPLETE, "q5": "x" * 501}, {"q5"}, id="text-too-long"),
    ],
)
def test_invalid_answers_re_render_the_page_with_messages_and_status_400(client, link, posted, error_codes):
    invitation, token = link
    response = client.post(url("survey-submit", token), posted)
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert set(re.findall(r'href="#q-([a-z0-9]+)"', summary)) == error_codes
    for code in error_codes:
        message = re.search(rf'<p class="error-message" id="q-{code}-error">([^<]*)</p>', html).group(1)
        assert message.strip()
        assert re.search(rf'aria-describedby="q-{code}-error[^"]*" aria-invalid="true"', html)
        assert f'class="question has-error" id="q-{code}"' in html
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert not Response.objects.filter(status="submitted").exists()


def test_a_rejected_submission_keeps_what_was_entered(client, link):
    invitation, token = link
    html = client.post(url("survey-submit", token), {"q1": "yes", "q2": ["post"], "q3": "75", "q5": "Ý kiến"})
    html = html.content.decode()
    assert re.search(r'name="q1" value="yes" checked', html)
    assert re.search(r'name="q2" value="post" checked', html)
    assert 'name="q3" value="75"' in html  # shown again to be corrected
    assert ">Ý kiến</textarea>" in html
    # The valid answers are kept as a draft, as an autosave would have done.
    kept = Response.objects.get(invitation=invitation).answers
    assert kept == {"q1": "yes", "q2": ["post"], "q5": "Ý kiến"}


def test_answers_to_questions_hidden_by_a_skip_rule_are_dropped_on_the_server(client, link):
    invitation, token = link
    response = client.post(url("survey-submit", token), {**COMPLETE, "q2": ["direct", "online"]})
    assert response.status_code == 302
    assert Response.objects.get(invitation=invitation).answers == {"q1": "no", "q3": 12, "q4": 4}


def test_a_question_shown_by_a_skip_rule_is_stored_when_answered(client, link):
    invitation, token = link
    client.post(url("survey-submit", token), {**COMPLETE, "q1": "yes", "q2": ["online", "direct"]})
    assert Response.objects.get(invitation=invitation).answers["q2"] == ["direct", "online"]


def test_a_second_submission_shows_already_submitted_and_leaves_one_response(client, link):
    invitation, token = link
    client.post(url("survey-submit", token), COMPLETE)
    first = Response.objects.get(invitation=invitation)
    invitation.refresh_from_db()
    submitted_at = invitation.submitted_at
    again = client.post(url("survey-submit", token), {**COMPLETE, "q4": "1"})
    assert again.status_code == 200
    assert 'data-page="already-submitted"' in again.content.decode()
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.get(invitation=invitation).answers == first.answers
    invitation.refresh_from_db()
    assert invitation.submitted_at == submitted_at


def test_the_link_after_submission_shows_already_submitted(client, link):
    _invitation, token = link
    client.post(url("survey-submit", token), COMPLETE)
    response = client.get(url("survey-start", token))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-page="already-submitted"' in html and 'id="survey"' not in html


def test_an_autosave_after_submission_changes_nothing(client, link):
    invitation, token = link
    client.post(url("survey-submit", token), COMPLETE)
    body = '{"answers": {"q1": "yes"}}'
    response = client.post(url("survey-save", token), body, content_type="application/json")
    assert response.status_code == 409 and response.json()["status"] == "already_submitted"
    no_js = client.post(url("survey-save", token), {"q1": "yes"})
    assert no_js.status_code == 302
    stored = Response.objects.get(invitation=invitation)
    assert (stored.status, stored.answers["q1"]) == ("submitted", "no")


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        pytest.param("nothing", ["submitted", "already_submitted"], id="fresh-link"),
        pytest.param("draft", ["submitted", "already_submitted"], id="after-a-draft"),
        pytest.param("invalid", ["invalid", "submitted", "already_submitted"], id="after-a-rejected-try"),
    ],
)
def test_submit_service_submits_once_whatever_came_before(link, before, expected):
    invitation, _token = link
    statuses = []
    if before == "draft":
        save_draft(invitation=invitation, answers={"q1": "yes"})
    if before == "invalid":
        statuses.append(submit(invitation=invitation, answers={"q1": "no"}).status)
    statuses += [submit(invitation=invitation, answers=COMPLETE).status for _ in range(2)]
    assert statuses == expected
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Invitation.objects.get(pk=invitation.pk).submitted_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("draft", [False, True], ids=["fresh-link", "after-a-draft"])
def test_eight_simultaneous_submissions_of_one_link_make_exactly_one_response(campaign, units, draft):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: CI runs the suite with DATABASE_URL=postgres://…")
    invitation, _token = make_link(campaign, units["STP"])
    if draft:  # the response row exists already: only the invitation lock keeps the others out
        save_draft(invitation=invitation, answers={"q1": "no"})

    def run():
        mine = Invitation.objects.get(pk=invitation.pk)  # each thread: its own connection and object
        return submit(invitation=mine, answers=COMPLETE).status

    results = run_at_once(run, times=8)
    assert sorted(results) == ["already_submitted"] * 7 + ["submitted"]
    assert Response.objects.filter(invitation=invitation).count() == 1
    assert Response.objects.get(invitation=invitation).status == "submitted"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_http_submissions_answer_one_thanks_and_seven_already_submitted(campaign, units):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks: CI runs the suite with DATABASE_URL=postgres://…")
    invitation, token = make_link(campaign, units["STP"])
    codes = run_at_once(lambda: Client().post(url("survey-submit", token), COMPLETE).status_code, times=8)
    assert sorted(codes) == [200] * 7 + [302]
    assert Response.objects.filter(invitation=invitation, status="submitted").count() == 1
