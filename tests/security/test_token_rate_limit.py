"""Personal links: a client address that opens too many unknown links gets 429 for further unknown links
until its misses leave a sliding window (kit/ratelimit.py); a valid link always opens, whoever shares the
address and whatever it missed (docs/decisions.md D132). Tokens are looked up by their SHA-256 digest
(surveys/services/tokens.py)."""

import json
import random

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
    # The oldest miss leaves the window between 60 and 66 s (window + one slice) after it was made.
    assert 1 <= int(response["Retry-After"]) <= 66
    assert 'data-page="rate-limited"' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_valid_link_opens_from_an_address_that_reached_the_miss_limit(limits, link):
    """Colleagues behind one office address are never refused their own link for others' misses (nor
    for their own: a link carries 144 random bits, so the limit protects no secret, D132)."""
    _invitation, token = link
    for guess in guesses(LIMIT + 3):
        start(Client(), guess)
    assert start(Client(), guesses(1)[0]).status_code == 429  # the address is limited for unknown links
    colleague = Client()
    assert start(colleague, token).status_code == 200
    saved = colleague.post(
        reverse("survey-save", args=[token]),
        json.dumps({"answers": {"q1": "no"}}),
        content_type="application/json",
        REMOTE_ADDR="203.0.113.7",
    )
    assert saved.status_code == 200
    submitted = colleague.post(reverse("survey-submit", args=[token]), COMPLETE, REMOTE_ADDR="203.0.113.7")
    assert submitted.status_code == 302


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
    assert start(client, guesses(1)[0]).status_code == 404  # valid links never counted as misses


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, moved by hand."""
    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(ratelimit.time, "time", lambda: now["t"])
    return now


def test_misses_across_a_window_boundary_are_limited_like_any_others(limits, link, clock):
    """A fixed window let a client miss LIMIT times just before its boundary and LIMIT times just after
    (40 misses in 2 s with the default 20): the window slides, so 2 x LIMIT misses in 2 s get only LIMIT
    404s, wherever the boundary of a minute falls."""
    window = 60
    clock["t"] = (clock["t"] // window + 1) * window - 1  # one second before a minute boundary
    client, statuses = Client(), []
    for i, guess in enumerate(guesses(2 * LIMIT)):
        clock["t"] += 2 / (2 * LIMIT) if i else 0
        statuses.append(start(client, guess).status_code)
    assert statuses == [404] * LIMIT + [429] * LIMIT


def test_the_limit_ends_when_the_misses_leave_the_window(limits, link, clock):
    client = Client()
    for guess in guesses(LIMIT):
        start(client, guess)
    assert start(client, "one-more-guess-xxxxxxxxxx").status_code == 429
    clock["t"] += 30
    assert start(client, "one-more-guess-xxxxxxxxxx").status_code == 429  # half a window: still limited
    clock["t"] += 37  # past window + one slice after the misses
    assert start(client, "one-more-guess-xxxxxxxxxx").status_code == 404


@pytest.mark.parametrize("seed", range(5))
def test_no_period_of_one_window_ever_holds_more_than_the_limit_of_answered_misses(
    counting_cache, clock, seed
):
    """The sliding window's guarantee, on random arrival times (some bursts, some gaps): whatever period
    of `window` seconds is looked at, at most `limit` hits were let through."""
    rng, window, limit, allowed = random.Random(seed), 10, 7, []
    for _ in range(400):
        clock["t"] += rng.choice([0.01, 0.05, 0.3, 1.0, 4.0])
        if not ratelimit.is_limited(scope="t", client="c", limit=limit, window=window):
            ratelimit.count_hit(scope="t", client="c", window=window)
            allowed.append(clock["t"])
    assert len(allowed) > 50  # it let hits through all along
    for i, start_time in enumerate(allowed):
        within = [t for t in allowed[i:] if t < start_time + window]
        assert len(within) <= limit, (start_time, within)


def test_tokens_are_stored_and_looked_up_only_as_their_sha256_digest(link):
    invitation, token = link
    stored = invitation.tokens.get()
    assert stored.token_hash == hash_token(token) != token
    assert len(stored.token_hash) == 64
    assert len(token) == TOKEN_BYTES * 4 // 3  # 144 random bits
    assert invitation_for_token(token) == invitation
    assert invitation_for_token(stored.token_hash) is None  # the digest itself opens nothing
