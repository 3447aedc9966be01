"""Logged-in sessions on shared office computers: the cookie ends with the browser, the session ends after
SESSION_IDLE_MINUTES without a request, and activity keeps it alive (config/sessions.py, D138). The
respondent's page needs no session: it resumes from the personal link alone."""

import datetime
import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tests.surveys.respondent_setup import make_link

PASSWORD = "correct horse battery"


@pytest.fixture
def logged_in(db):
    UserFactory(username="snv-chuyenvien", password=PASSWORD)
    client = Client()
    response = client.post(reverse("login"), {"username": "snv-chuyenvien", "password": PASSWORD})
    assert response.status_code == 302
    return client, response


def stored(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_the_session_cookie_ends_with_the_browser(logged_in):
    _client, response = logged_in
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie


def test_the_default_idle_timeout_is_two_hours(settings):
    assert settings.SESSION_IDLE_MINUTES == 120
    assert settings.SESSION_COOKIE_AGE == 120 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_a_session_expires_two_hours_after_the_last_request(logged_in):
    client, _response = logged_in
    expiry = stored(client).expire_date
    assert abs(expiry - (timezone.now() + datetime.timedelta(hours=2))) < datetime.timedelta(minutes=1)


def test_activity_moves_the_expiry_forward_at_most_once_a_minute(logged_in):
    from config import sessions

    client, _response = logged_in
    client.get(reverse("home"))  # the first request after the login notes the time of activity
    soon = timezone.now() + datetime.timedelta(minutes=10)
    Session.objects.filter(pk=stored(client).pk).update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    assert stored(client).expire_date == soon  # touched less than a minute ago: no write
    session = client.session
    session[sessions.KEY] -= sessions.TOUCH_SECONDS
    session.save()
    Session.objects.filter(pk=stored(client).pk).update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    assert stored(client).expire_date > timezone.now() + datetime.timedelta(minutes=119)


def test_an_idle_session_is_logged_out(logged_in):
    client, _response = logged_in
    Session.objects.filter(pk=stored(client).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_respondent_resumes_from_the_link_alone_without_any_session(campaign, units):
    _invitation, token = make_link(campaign, units["STP"])
    first = Client()
    saved = first.post(
        reverse("survey-save", args=[token]),
        json.dumps({"answers": {"q1": "no"}}),
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert "sessionid" not in first.cookies
    later = Client()  # another day, the browser closed in between
    page = later.get(reverse("survey-start", args=[token]))
    assert page.status_code == 200
    assert 'value="no" checked' in page.content.decode().replace('checked=""', "checked")
