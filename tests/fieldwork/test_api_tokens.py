"""API tokens: stored only as the digest of their key, expiring after API_TOKEN_DAYS, rotated by
`field_token USER --rotate`, with their last use recorded; clear tokens of earlier versions are hashed by
a migration; a token reads the respondent API without contacts (docs/decisions.md D134)."""

import datetime
import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from respondents.models import ApiToken
from respondents.services.api_tokens import LAST_USED_EVERY, hash_key, issue_api_token
from tests.factories import RespondentFactory
from tests.fieldwork.conftest import payload

URL = "/api/v1/field/responses/"


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def issue(username: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("field_token", username, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_a_token_is_stored_only_as_the_digest_of_its_key(field):
    key = issue("field-a")
    stored = ApiToken.objects.get(user__username="field-a")
    assert stored.key_hash == hash_key(key) and len(stored.key_hash) == 64
    assert key not in str(list(ApiToken.objects.values_list()))  # nowhere in the row
    assert stored.prefix == key[:6] and len(key) >= 40
    assert token_client(key).post(URL, payload(field["assignments"]["a"]), format="json").status_code == 201
    assert token_client(stored.key_hash).get(URL).status_code == 401  # the digest opens nothing


def test_a_token_cannot_be_shown_again_and_rotation_replaces_it_at_once(field):
    first = issue("field-a")
    with pytest.raises(CommandError, match="--rotate"):
        issue("field-a")
    out = io.StringIO()
    call_command("field_token", "field-a", "--rotate", stdout=out, stderr=io.StringIO())
    second = out.getvalue().strip()
    assert second and second != first
    assert token_client(first).get(URL).status_code == 401
    assert token_client(second).get(URL).status_code == 200
    assert ApiToken.objects.filter(user__username="field-a").count() == 1


def test_a_token_expires_after_the_configured_days_on_both_apis(field, settings, campaign, coordinator):
    settings.API_TOKEN_DAYS = 30
    key = issue("field-a")
    token = ApiToken.objects.get(user__username="field-a")
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    answer = token_client(key).get(URL)
    assert answer.status_code == 401
    with translation.override("vi"):
        assert answer.json()["errors"]["detail"] == [gettext("Token expired: ask for a new one.")]
        assert "hết hạn" in gettext("Token expired: ask for a new one.")
    coordinator_key = issue_api_token(user=coordinator).key
    ApiToken.objects.filter(user=coordinator).update(expires_at=timezone.now())
    assert token_client(coordinator_key).get(reverse("api-campaigns")).status_code == 401
    # An expired token may be replaced without --rotate.
    assert issue("field-a") != key


def test_the_last_use_is_recorded_without_a_write_per_request(field):
    key = issue("field-a")
    client = token_client(key)
    assert ApiToken.objects.get(user__username="field-a").last_used_at is None
    client.get(URL)
    used = ApiToken.objects.get(user__username="field-a").last_used_at
    assert used is not None
    client.get(URL)
    assert ApiToken.objects.get(user__username="field-a").last_used_at == used  # not written again
    ApiToken.objects.filter(user__username="field-a").update(last_used_at=used - LAST_USED_EVERY)
    client.get(URL)
    assert ApiToken.objects.get(user__username="field-a").last_used_at > used - LAST_USED_EVERY


def test_clear_tokens_of_earlier_versions_are_hashed_by_the_migration_and_keep_working(field, settings):
    """rest_framework.authtoken kept keys in clear; the data migration moves them to digests (valid
    API_TOKEN_DAYS from the migration) and deletes the clear rows."""
    user = field["users"]["a"]
    clear_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp with time zone, "
            "user_id integer NOT NULL)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime, "
            "user_id integer)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, created, user_id) VALUES (%s, %s, %s)",
            [clear_key, timezone.now() - datetime.timedelta(days=400), user.pk],
        )
    migration = importlib.import_module("respondents.migrations.0006_hash_clear_api_tokens")
    # What the function uses of a schema editor (a real one cannot open inside SQLite's test transaction).
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    migration.hash_clear_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0  # no clear key left
        cursor.execute("DROP TABLE authtoken_token")
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_key(clear_key)
    assert token.expires_at > timezone.now() + datetime.timedelta(days=settings.API_TOKEN_DAYS - 1)
    assert (
        token_client(clear_key).post(URL, payload(field["assignments"]["a"]), format="json").status_code
        == 201
    )


def test_a_coordinators_token_reads_the_respondent_list_without_contacts(campaign, coordinator, units):
    """The pages give contacts to a logged-in coordinator; a token (a bearer key in a script) gets the
    list without e-mails and phones."""
    RespondentFactory(
        campaign=campaign,
        unit=units["STP"],
        email="a@stp.gov.vn",
        phone="+84912345678",
        alternate_phones=["+84987654321"],
    )
    url = reverse("api-respondents", args=[campaign.slug])
    [row] = token_client(issue_api_token(user=coordinator).key).get(url).json()["results"]
    assert (row["email"], row["phone"], row["alternate_phones"]) == (None, None, [])
    assert row["full_name"] and row["unit"] == "STP"
    browser = APIClient()
    browser.force_login(coordinator)
    [row] = browser.get(url).json()["results"]
    assert (row["email"], row["phone"], row["alternate_phones"]) == (
        "a@stp.gov.vn",
        "+84912345678",
        ["+84987654321"],
    )
