"""PostgreSQL restarted under a submission load: requests fail cleanly and the service recovers by itself.

The database is a throwaway PostgreSQL instance of this test (initdb into a temporary directory, its own
port), never the shared server. gunicorn serves the app on it (DEBUG off, persistent connections) while
threads submit through the respondent page, as a browser does, and through the field API (single and
batch); the instance is stopped (`pg_ctl stop -m fast`) mid-load and started again.
"""

import glob
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection

from bench.peak_load import (
    Browser,
    collect_static,
    field_batch,
    free_port,
    post_field_batch,
    respondent_visit,
    set_up_in_subprocess,
    start_gunicorn,
    stop_gunicorn,
)
from surveys.services.tokens import hash_token
from tests.faults.workers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.integration, pytest.mark.timeout(120)]

PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
RESPONDENTS = 600
OK = {"page": {200}, "save": {200}, "submit": {302}, "thanks": {200}, "field": {201}, "field batch": {200}}


class ThrowawayPostgres:
    """A PostgreSQL instance in a temporary directory, run as the `postgres` user when this is root (the
    server refuses to run as root), listening on 127.0.0.1 and its own port only."""

    def __init__(self, bin_dir: str):
        self.bin = Path(bin_dir)
        self.dir = Path(tempfile.mkdtemp(prefix="pi-faults-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, user="postgres")

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run(prefix + list(command), check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-o", options,
                 "-w", "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Load:
    """What the clients sent and got: one Exchange per request."""

    exchanges: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def add(self, **exchange) -> None:
        with self.lock:
            self.exchanges.append(exchange)

    def count(self, predicate) -> int:
        with self.lock:
            return sum(1 for e in self.exchanges if predicate(e))


def ok(exchange) -> bool:
    return exchange["status"] in OK[exchange["kind"]]


@pytest.fixture
def throwaway_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL test: CI runs the suite with DATABASE_URL=postgres://…")
    if not PG_BINS:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    server = ThrowawayPostgres(PG_BINS[-1])
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.destroy()


def respondents_thread(port, tokens, forms, load: Load) -> None:
    while not load.stop.is_set():
        token = next(tokens, None)
        if token is None:
            return
        browser = Browser(port)
        started = time.monotonic()

        def record(kind, status, _seconds, body, browser=browser, token=token, started=started):
            load.add(kind=kind, status=status, body=body, headers=browser.last_headers, token=token,
                     started=started)  # fmt: skip

        respondent_visit(browser, token, forms[hash(token) % len(forms)], record)
        browser.connection.close()


def field_thread(port, setup, load: Load) -> None:
    device = Browser(port)
    headers = {"Authorization": f"Token {setup['token']}", "Content-Type": "application/json"}
    for n in itertools.count():
        if load.stop.is_set():
            return
        started = time.monotonic()
        if n % 2:
            batch = field_batch(setup, 5, n)
            status, body, _seconds = post_field_batch(device, setup, batch)
            created = []
            if status == 200:
                results = json.loads(body)["results"]
                created = [r["client_uuid"] for r in results if r["status"] == "created"]
            load.add(kind="field batch", status=status, body=body, headers=device.last_headers,
                     created=created, started=started)  # fmt: skip
        else:
            item = field_batch(setup, 1, n)["items"][0]
            status, _h, body, _s = device.request(
                "POST", "/api/v1/field/responses/", json.dumps(item).encode(), headers
            )
            created = [item["client_uuid"]] if status == 201 else []
            load.add(kind="field", status=status, body=body, headers=device.last_headers, created=created,
                     started=started)  # fmt: skip


def test_postgresql_restarted_under_load_gives_clean_503s_loses_nothing_and_recovers_alone(
    throwaway_postgres,
):
    db_url = throwaway_postgres.url("faults")
    import psycopg

    with psycopg.connect(throwaway_postgres.url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE faults")
    setup = set_up_in_subprocess(db_url, RESPONDENTS)
    static_root = tempfile.mkdtemp(prefix="pi-faults-static-")
    collect_static(static_root)
    port = free_port()
    server = start_gunicorn(db_url, port, static_root=static_root, workers=2, threads=4)
    load = Load()
    tokens = iter(setup["tokens"])
    token_lock = threading.Lock()

    def next_token(default=None):
        with token_lock:
            return next(tokens, default)

    shared_tokens = iter(next_token, None)
    threads = [
        threading.Thread(target=respondents_thread, args=(port, shared_tokens, setup["forms"], load))
        for _ in range(3)
    ] + [threading.Thread(target=field_thread, args=(port, setup["field"], load)) for _ in range(2)]
    try:
        for thread in threads:
            thread.start()
        wait_for(lambda: load.count(ok) >= 40, timeout=40, what="submissions before the restart")
        stopped_at = time.monotonic()
        throwaway_postgres.stop("fast")
        wait_for(
            lambda: load.count(lambda e: e["started"] > stopped_at and e["status"] == 503) >= 10,
            timeout=20,
            what="requests refused while the database is down",
        )
        throwaway_postgres.start()
        restarted_at = time.monotonic()
        wait_for(
            lambda: load.count(lambda e: e["started"] > restarted_at and ok(e)) >= 40,
            timeout=40,
            what="submissions after the restart",
        )
        assert server.poll() is None  # recovered by itself: the same gunicorn, never restarted
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        stop_gunicorn(server)
        shutil.rmtree(static_root, ignore_errors=True)

    exchanges = load.exchanges
    statuses = {(e["kind"], e["status"]) for e in exchanges}
    # Every answer is the expected success or a clean 503: no 500, no dropped connection (status 0).
    assert {status for _kind, status in statuses} <= {200, 201, 302, 503}, statuses
    assert all(e["status"] in OK[e["kind"]] | {503} for e in exchanges), statuses
    refused = [e for e in exchanges if e["status"] == 503]
    assert len(refused) >= 10
    for e in refused:
        assert e["headers"].get("Retry-After") == "5"
        assert b"Traceback" not in e["body"] and b"OperationalError" not in e["body"]
        if e["kind"].startswith("field") or e["kind"] == "save":  # the API, and the page's JSON autosave
            assert json.loads(e["body"])["code"] == "database_unavailable"
        else:
            assert b'data-page="unavailable"' in e["body"]

    with psycopg.connect(db_url) as db:
        # Every interview the API confirmed (201, or "created" in a batch) is stored exactly once.
        confirmed = [u for e in exchanges for u in e.get("created", [])]
        assert len(confirmed) == len(set(confirmed)) > 0
        stored = db.execute(
            "SELECT client_uuid::text, count(*) FROM surveys_response WHERE client_uuid = ANY(%s::uuid[])"
            " GROUP BY client_uuid",
            [confirmed],
        ).fetchall()
        assert {u: n for u, n in stored} == dict.fromkeys(confirmed, 1)
        # Nothing half-written: every field response has its field record, every submitted response
        # its invitation marked submitted (and the other way round).
        half_field = db.execute(
            "SELECT count(*) FROM surveys_response r WHERE r.client_uuid IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM fieldwork_fieldrecord f WHERE f.response_id = r.id)"
        ).fetchone()[0]
        assert half_field == 0
        mismatched = db.execute(
            "SELECT count(*) FROM surveys_invitation i LEFT JOIN surveys_response r ON r.invitation_id = i.id"
            " WHERE (i.submitted_at IS NOT NULL) <> (r.status IS NOT DISTINCT FROM 'submitted')"
        ).fetchone()[0]
        assert mismatched == 0
        # Every respondent whose submission was confirmed (redirected to the thank-you page) is stored.
        submitted = {
            hash_token(e["token"]) for e in exchanges if e["kind"] == "submit" and e["status"] == 302
        }
        stored_submitted = db.execute(
            "SELECT t.token_hash FROM surveys_invitationtoken t JOIN surveys_invitation i"
            " ON i.id = t.invitation_id WHERE i.submitted_at IS NOT NULL"
        ).fetchall()
        assert submitted and submitted <= {h for (h,) in stored_submitted}
