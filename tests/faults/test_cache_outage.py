"""Redis (the shared cache of the rate limits) stopped under the real views: pages still answer, limits
count in the process with one logged warning, /healthz reports the cache as failed without taking the
site out of a load balancer, and counting returns to Redis when it answers again (docs/decisions.md
D130, D131).

The Redis server is this test's own (a free port on 127.0.0.1, no persistence), never the shared one.
"""

import logging
import shutil
import subprocess
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from kit import ratelimit
from tests.surveys.respondent_setup import make_link
from tests.surveys.sending_setup import free_port

LIMIT = 3


class OwnRedis:
    def __init__(self):
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is needed (CI starts Redis; Debian package redis-server)")
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, check=False
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        pytest.fail("own redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def keys(self) -> list[str]:
        found = subprocess.run(
            ["redis-cli", "-p", str(self.port), "--scan", "--pattern", "*ratelimit*"],
            capture_output=True,
            text=True,
            check=True,
        )
        return found.stdout.split()


@pytest.fixture
def redis_cache(settings):
    server = OwnRedis()
    server.start()
    try:
        yield from _using(server, settings)
    finally:  # also when the set-up below fails: never leave the server running
        server.stop()
        cache.close()
        ratelimit._state.update(down=False, retry_at=0.0)
        ratelimit._local.clear()


def _using(server, settings):
    url = f"redis://127.0.0.1:{server.port}/0"
    settings.CACHE_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.TOKEN_MISS_LIMIT = LIMIT
    ratelimit._state.update(down=False, retry_at=0.0)
    ratelimit._local.clear()
    yield server


def start(client, token):
    return client.get(reverse("survey-start", args=[token]), REMOTE_ADDR="203.0.113.7")


def test_with_redis_stopped_personal_links_answer_and_limits_count_in_the_process(
    redis_cache, campaign, units, caplog, monkeypatch
):
    _invitation, token = make_link(campaign, units["STP"])
    client = Client()
    assert start(client, "guess-before-xxxxxxxxxxxxx").status_code == 404
    assert redis_cache.keys(), "misses are counted in Redis while it answers"
    health = client.get("/healthz").json()
    assert (health["database"], health["cache"]) == ("ok", "ok")

    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="kit.ratelimit"):
        assert start(client, token).status_code == 200  # was a 500 (redis ConnectionError)
        statuses = [start(client, f"guess-{i}-xxxxxxxxxxxxxxxxx").status_code for i in range(LIMIT + 1)]
    assert statuses == [404] * LIMIT + [429]  # counted in this process meanwhile: still limited
    warnings = [r for r in caplog.records if r.name == "kit.ratelimit"]
    assert len(warnings) == 1 and "does not answer" in warnings[0].getMessage()

    health = client.get("/healthz")
    assert health.status_code == 200  # a load balancer keeps the process: pages answer
    assert health.json()["status"] == "degraded" and health.json()["cache"] == "error"
    assert client.get("/healthz?strict=1").status_code == 503  # monitoring is told
    assert str(redis_cache.port) not in health.content.decode()

    # Redis back: after RETRY_SECONDS the counters are in Redis again.
    redis_cache.start()
    later = time.monotonic() + ratelimit.RETRY_SECONDS + 1
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: later)
    assert redis_cache.keys() == []  # a fresh server, without persistence
    assert start(client, "guess-after-xxxxxxxxxxxxxx").status_code == 404  # Redis has no earlier misses
    assert redis_cache.keys() != []
    assert client.get("/healthz").json()["cache"] == "ok"


def test_with_redis_stopped_logins_still_work_and_failures_are_throttled(redis_cache, settings, db):
    from tests.factories import UserFactory

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    UserFactory(username="snv", password="right password")
    redis_cache.stop()
    login = reverse("login")
    ok = Client().post(login, {"username": "snv", "password": "right password"}, REMOTE_ADDR="203.0.113.7")
    assert ok.status_code == 302
    for _ in range(2):
        Client().post(login, {"username": "snv-x", "password": "wrong"}, REMOTE_ADDR="203.0.113.7")
    refused = Client().post(
        login, {"username": "snv", "password": "right password"}, REMOTE_ADDR="203.0.113.7"
    )
    assert refused.status_code == 429
