"""Personal links cannot be enumerated: a client that opens too many unknown links gets 429 for a while,
on every link page, whether its next link is valid or not; people answering through a valid link never
count toward the limit. Tokens are looked up by their SHA-256 digest (surveys/services/tokens.py)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from kit import ratelimit
from surveys.services.tokens import TOKEN_BYTES, hash_token, invitation_for_token
from tests.surveys.respondent_setup import COMPLETE, make_link

LIMIT = 5


@pytest.fixture
def limits(settings, counting_cache):
    settings.TOKEN_MISS_LIMIT = LIMIT
    settings.TOKEN_MISS_WINDOW = 60
    return settings


@pytest.fixture
def link(campaign, units):
    return make_link(campaign, units["STP"])


def start(client, token, address="203.0.113.7"):
    return client.get(reverse("survey-start", args=[token]), REMOTE_ADDR=address)


def guesses(n):
    return [f"guess-{i:04d}-xxxxxxxxxxxxxx" for i in range(n)]


def test_unknown_links_get_404_until_the_limit_then_429_with_a_polite_page(limits, link):
    client = Client()
    statuses = [start(client, token).status_code for token in guesses(LIMIT + 2)]
    assert statuses == [404] * LIMIT + [429, 429]
    response = start(client, "another-guess-xxxxxxxxxxx")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert 'data-page="rate-limited"' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_limited_client_gets_429_for_a_valid_link_too_so_nothing_is_learnt(limits, link):
    _invitation, token = link
    client = Client()
    for guess in guesses(LIMIT):
        start(client, guess)
    assert start(client, token).status_code == 429
    save = client.post(reverse("survey-save", args=[token]), {}, REMOTE_ADDR="203.0.113.7")
    assert save.status_code == 429


def test_other_clients_are_not_affected(limits, link):
    _invitation, token = link
    for guess in guesses(LIMIT):
        start(Client(), guess)
    assert start(Client(), token, address="198.51.100.20").status_code == 200
    assert start(Client(), guesses(1)[0], address="198.51.100.20").status_code == 404


def test_a_respondent_using_a_valid_link_many_times_is_never_limited(limits, link):
    _invitation, token = link
    client = Client()
    for _ in range(LIMIT * 3):
        assert start(client, token).status_code == 200
        saved = client.post(
            reverse("survey-save", args=[token]),
            json.dumps({"answers": {"q1": "no"}}),
            content_type="application/json",
            REMOTE_ADDR="203.0.113.7",
        )
        assert saved.status_code == 200
    submitted = client.post(reverse("survey-submit", args=[token]), COMPLETE, REMOTE_ADDR="203.0.113.7")
    assert submitted.status_code == 302


def test_the_limit_ends_with_its_window(limits, link, monkeypatch):
    _invitation, token = link
    client = Client()
    now = 1_800_000_000.0
    monkeypatch.setattr(ratelimit.time, "time", lambda: now)
    for guess in guesses(LIMIT):
        start(client, guess)
    assert start(client, token).status_code == 429
    now += 60
    assert start(client, token).status_code == 200


def test_tokens_are_stored_and_looked_up_only_as_their_sha256_digest(link):
    invitation, token = link
    stored = invitation.tokens.get()
    assert stored.token_hash == hash_token(token) != token
    assert len(stored.token_hash) == 64
    assert len(token) == TOKEN_BYTES * 4 // 3  # 144 random bits
    assert invitation_for_token(token) == invitation
    assert invitation_for_token(stored.token_hash) is None  # the digest itself opens nothing
