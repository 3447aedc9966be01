"""Login throttling: after too many wrong passwords a user name is locked out from that address for a while,
even with the right password; the page says so in Vietnamese; an administrator can unlock it at once."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import UserFactory

PASSWORD = "correct horse battery"
LIMIT = 5  # settings.AXES_FAILURE_LIMIT (LOGIN_FAILURE_LIMIT)


@pytest.fixture
def official(db):
    return UserFactory(username="snv-chuyenvien", password=PASSWORD)


def log_in(client, password, username="snv-chuyenvien", path="login", address="203.0.113.7"):
    return client.post(reverse(path), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, times, **kwargs):
    return [log_in(client, "wrong", **kwargs).status_code for _ in range(times)]


def test_a_few_wrong_passwords_still_let_the_right_one_in(official, client):
    assert fail(client, LIMIT - 1) == [200] * (LIMIT - 1)  # the form again, with its error
    response = log_in(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(official.pk)


def test_after_the_limit_the_right_password_is_refused_with_a_vietnamese_page(official, client):
    assert fail(client, LIMIT) == [200] * (LIMIT - 1) + [429]
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert 'lang="vi"' in body
    with translation.override("vi"):
        assert (
            gettext("Too many failed logins. Please try again in %(minutes)s minutes.") % {"minutes": 15}
            in body
        )


def test_the_lockout_ends_after_the_cool_off_period(official, client, settings):
    fail(client, LIMIT)
    assert log_in(client, PASSWORD).status_code == 429
    # The cool-off is measured from the last failure: move it further back than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC)
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lockout_is_per_user_name_and_address(official, client):
    UserFactory(username="dm-stp", password=PASSWORD)
    fail(client, LIMIT)
    assert log_in(client, PASSWORD).status_code == 429
    # Another official behind the same office address, and the same official from elsewhere, still log in.
    assert log_in(Client(), PASSWORD, username="dm-stp").status_code == 302
    assert log_in(Client(), PASSWORD, address="198.51.100.20").status_code == 302


def test_the_admin_login_is_throttled_too(official, client):
    official.is_staff = True
    official.save()
    for _ in range(LIMIT):
        log_in(client, "wrong", path="admin:login")
    assert log_in(client, PASSWORD, path="admin:login").status_code == 429


def test_the_reset_command_unlocks_a_user_name_at_once(official, client):
    fail(client, LIMIT)
    assert log_in(client, PASSWORD).status_code == 429
    out = io.StringIO()
    call_command("axes_reset_username", "snv-chuyenvien", stdout=out)
    assert log_in(client, PASSWORD).status_code == 302


def test_the_address_behind_a_trusted_proxy_is_the_forwarded_one(official, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for i in range(LIMIT):
        # A client that forges the left part of X-Forwarded-For does not dodge the lockout.
        response = client.post(
            reverse("login"),
            {"username": "snv-chuyenvien", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.7",
        )
    assert response.status_code == 429
    other = client.post(
        reverse("login"),
        {"username": "snv-chuyenvien", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert other.status_code == 302


def test_a_forged_or_missing_address_is_never_stored_as_one(official, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.post(
        reverse("login"),
        {"username": "snv-chuyenvien", "password": "wrong"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert response.status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.2"]
    client.force_login(official)  # a login without a real request: no address at all
    assert client.get(reverse("login")).status_code == 200


# --- per address, before any hashing (config/auth.py, docs/decisions.md D136) ---------------------------

ADDRESS_LIMIT = 4


@pytest.fixture
def address_limit(settings, counting_cache):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = ADDRESS_LIMIT
    settings.LOGIN_ADDRESS_WINDOW = 60
    return settings


@pytest.fixture
def hashing(monkeypatch):
    """How often a password was hashed (checked or made), whatever the hasher."""
    from django.contrib.auth import hashers

    calls = {"n": 0}
    for name in ("verify", "encode"):
        for hasher in (hashers.MD5PasswordHasher, hashers.PBKDF2PasswordHasher):
            original = getattr(hasher, name)

            def counted(self, *args, _original=original, **kwargs):
                calls["n"] += 1
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(hasher, name, counted)
    return calls


@pytest.fixture
def clock(monkeypatch):
    from kit import ratelimit

    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    return now


def test_failed_logins_under_many_user_names_from_one_address_stop_before_any_hashing(
    official, address_limit, hashing, client
):
    """New user names are never locked by axes (the lockout is per name), so a guesser changed names; now
    the address is throttled first and a refused login costs no hash (each used to cost ~330 ms)."""
    for i in range(ADDRESS_LIMIT):
        assert log_in(Client(), "wrong", username=f"nobody-{i}").status_code == 200
    hashed = hashing["n"]
    assert hashed >= ADDRESS_LIMIT  # unknown names are hashed too (Django evens out their timing)
    refused = [log_in(Client(), "wrong", username=f"other-{i}") for i in range(20)]
    assert {r.status_code for r in refused} == {429}
    right = log_in(Client(), PASSWORD)  # even the right password: its check would cost a hash
    assert right.status_code == 429
    assert hashing["n"] == hashed
    assert 1 <= int(right["Retry-After"]) <= 66
    body = right.content.decode()
    assert 'data-page="locked-out"' in body
    with translation.override("vi"):
        wait = int(right["Retry-After"])
        text = gettext("Too many failed logins from your network. Please try again in %(seconds)s seconds.")
        assert text % {"seconds": wait} in body and "giây" in text


def test_the_address_throttle_ends_within_a_minute_and_spares_other_addresses(official, address_limit, clock):
    for i in range(ADDRESS_LIMIT):
        log_in(Client(), "wrong", username=f"nobody-{i}")
    assert log_in(Client(), PASSWORD).status_code == 429
    assert log_in(Client(), PASSWORD, address="198.51.100.20").status_code == 302
    clock["t"] += 30
    assert log_in(Client(), PASSWORD).status_code == 429  # refusals are not counted as failures
    clock["t"] += 37
    assert log_in(Client(), PASSWORD).status_code == 302


def test_successful_logins_do_not_count_toward_the_address_limit(official, address_limit):
    for _ in range(ADDRESS_LIMIT * 2):
        assert log_in(Client(), PASSWORD).status_code == 302


@pytest.mark.parametrize("username", ["x" * 256, "y" * 10_000])
def test_an_over_long_user_name_is_a_form_error_without_hashing(db, hashing, client, username):
    response = log_in(client, "wrong", username=username)
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert hashing["n"] == 0
    assert not AccessAttempt.objects.exists()


def test_an_over_long_user_name_on_the_admin_login_is_a_form_error(db, client):
    response = log_in(client, "wrong", username="z" * 300, path="admin:login")
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
