"""Benchmark: single field submissions per second through gunicorn on PostgreSQL.

    .venv/bin/python bench/field_api.py [--workers 2] [--worker-class gthread|sync] [--threads 4]
        [--requests 3000] [--concurrency 16] [--clients 2] [--keep-db]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench_field (the default)

Creates (drops first) its own database, migrates it and sets up a SIPAS campaign with one Bưu điện team,
an enumerator with a device token and an assignment for the shipped SIPAS questionnaire. Starts gunicorn
on loopback (DEBUG off, persistent connections, CONN_MAX_AGE=600), then drives POST /api/v1/field/responses/
from --clients load-generator processes, each with --concurrency/--clients threads using http.client
(keep-alive where the worker class allows it). Every request is a fresh valid interview (unique UUID, full
SIPAS answers). Prints submissions/s, p50, p90, p99, errors; target >= 300/s with p99 < 200 ms; exit 1 if not.
In the same run, with the same gunicorn settings and clients (bench/field_peer.py): the peer, one Django
view under the project's settings inserting the body as one row (before and after the project's run), and
the floor, a bare WSGI callable; target (issue 17): the project >= 0.5x the peer's rate.
"""

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parindex_bench_field")
TARGET_RATE = 300
TARGET_P99_MS = 200
TARGET_PEER_RATIO = 0.5  # issue 17: at least half the rate of one Django view inserting one row
CREATE_TABLE = (
    "CREATE TABLE bench_peer_submission (id bigserial PRIMARY KEY, client_uuid uuid UNIQUE, body jsonb)"
)
SERVER_ENV = {
    "DATABASE_URL": DB_URL,
    "DB_CONN_MAX_AGE": "600",
    "SECRET_KEY": "bench-only-not-secret",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    "CELERY_BROKER_URL": "",
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; production sits behind TLS
}


def recreate_database() -> None:
    import psycopg

    parsed = urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database() -> None:
    import psycopg

    parsed = urlparse(DB_URL)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def set_up_data() -> dict:
    """Migrate and create the campaign, team, enumerator (token) and assignment; in this process."""
    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from demo.services.field import SIPAS_FILE, sipas_answers, sipas_campaign
    from fieldwork.models import Assignment, FieldMember, FieldTeam
    from respondents.models import Province, Unit
    from respondents.services.api_tokens import issue_api_token
    from surveys.models import Questionnaire
    from surveys.services.questionnaires import load_questionnaire

    call_command("migrate", verbosity=0)
    province = Province.objects.create(code="bench", name="Tỉnh Bench")
    district = Unit.objects.create(province=province, code="H1", name="Huyện Một", kind=Unit.Kind.DISTRICT)
    today = timezone.localdate()
    campaign = sipas_campaign(province, today.year, today)
    load_questionnaire(campaign=campaign, path=SIPAS_FILE)
    questionnaire = Questionnaire.objects.get(campaign=campaign, is_current=True)
    team = FieldTeam.objects.create(campaign=campaign, code="bd-bench", name="Bưu điện bench")
    user = get_user_model().objects.create_user("bd-bench-a", password=None)
    FieldMember.objects.create(team=team, user=user, role="enumerator")
    assignment = Assignment.objects.create(
        campaign=campaign, team=team, enumerator=user, questionnaire=questionnaire, area=district, quota=10**6
    )
    token = issue_api_token(user=user).key
    rng = random.Random(7)
    answers = [sipas_answers(questionnaire.definition, rng, service_area="land") for _ in range(50)]
    connections.close_all()
    return {
        "token": token,
        "assignment": assignment.pk,
        "questionnaire": questionnaire.pk,
        "answers": answers,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    port: int, workers: int, worker_class: str, threads: int, app: str = "config.wsgi:application"
) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
    ]
    env = {**os.environ, **SERVER_ENV, "DJANGO_SETTINGS_MODULE": "config.settings"}
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (gunicorn's master and workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def postgres_cpu_seconds() -> float:
    """CPU time of the PostgreSQL backends connected to the bench database (same machine, readable /proc)."""
    import psycopg

    parsed = urlparse(DB_URL)
    with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [parsed.path.lstrip("/")]
            )
        ]
    return sum(cpu_seconds(pid) for pid in pids)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks, sum(values) / ticks


def body(setup: dict, index: int) -> bytes:
    interviewed = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    return json.dumps(
        {
            "client_uuid": str(uuid.uuid4()),
            "assignment": setup["assignment"],
            "questionnaire": setup["questionnaire"],
            "mode": "tablet",
            "interviewed_at": interviewed.isoformat(),
            "duration_seconds": 600 + index % 600,
            "answers": setup["answers"][index % len(setup["answers"])],
        }
    ).encode()


def client_process(port: int, setup: dict, count: int, threads: int, start_at: float, queue) -> None:
    """A load-generator process: `threads` threads, each with its own connection, `count` requests in all."""
    payloads = [body(setup, i) for i in range(count)]
    headers = {"Authorization": f"Token {setup['token']}", "Content-Type": "application/json"}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    cursor = iter(range(count))

    def run():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, codes = [], {}
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            started = time.perf_counter()
            try:
                connection.request("POST", "/api/v1/field/responses/", payloads[index], headers)
                response = connection.getresponse()
                response.read()
                code = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                code = 0
            mine.append(time.perf_counter() - started)
            codes[code] = codes.get(code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    while time.time() < start_at:
        time.sleep(0.001)
    cpu_start = time.process_time()
    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put((latencies, statuses, time.time(), time.process_time() - cpu_start))


def drive(port: int, setup: dict, requests: int, concurrency: int, clients: int) -> dict:
    queue = multiprocessing.Queue()
    start_at = time.time() + 1.0
    per_client = requests // clients
    processes = [
        multiprocessing.Process(
            target=client_process, args=(port, setup, per_client, concurrency // clients, start_at, queue)
        )
        for _ in range(clients)
    ]
    for process in processes:
        process.start()
    results = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    latencies = sorted(x for lat, _s, _t, _c in results for x in lat)
    statuses: dict[int, int] = {}
    for _lat, codes, _t, _c in results:
        for code, n in codes.items():
            statuses[code] = statuses.get(code, 0) + n
    elapsed = max(t for _l, _s, t, _c in results) - start_at
    client_cpu = sum(c for _l, _s, _t, c in results)
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "elapsed": elapsed,
        "rate": len(latencies) / elapsed,
        "p50": quantiles[49] * 1000,
        "p90": quantiles[89] * 1000,
        "p99": quantiles[98] * 1000,
        "statuses": statuses,
        "errors": sum(n for code, n in statuses.items() if code != 201),
        "client_cpu_ms": client_cpu / max(len(latencies), 1) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Measured here: gthread keeps connections alive and beats 4 sync workers (no keep-alive): 521/s vs 394/s.
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    import psycopg

    try:
        recreate_database()
    except psycopg.OperationalError as exc:
        host = f"{urlparse(DB_URL).hostname}:{urlparse(DB_URL).port or 5432}"
        print(f"SKIP: PostgreSQL not reachable at {host}: {exc}")
        return 0
    setup_process = multiprocessing.get_context("spawn").Pool(1)  # Django set up away from this process
    setup = setup_process.apply(set_up_data)
    setup_process.close()
    setup_process.join()
    import psycopg

    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute(CREATE_TABLE)
    peers = {}
    try:
        # The peer and the floor first, then the project, then the peer again: the two peer runs bracket
        # the project's, so a change of the machine's load shows as two different peer figures.
        for name, app in (("peer", "bench.field_peer:application"), ("floor", "bench.field_peer:floor")):
            peers[name] = serve(app, args, setup, args.requests)[0]
        port = free_port()
        server = start_gunicorn(port, args.workers, args.worker_class, args.threads)
        try:
            drive(port, setup, 200, args.concurrency, args.clients)  # warm-up: imports, connections, caches
            server_before, (busy_before, total_before) = cpu_seconds(server.pid), machine_busy()
            postgres_before = postgres_cpu_seconds()
            result = drive(port, setup, args.requests, args.concurrency, args.clients)
            server_cpu = cpu_seconds(server.pid) - server_before
            postgres_cpu = postgres_cpu_seconds() - postgres_before
            busy_after, total_after = machine_busy()
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        peers["peer again"] = serve("bench.field_peer:application", args, setup, args.requests)[0]
    finally:
        if not args.keep_db:
            drop_database()
    ok = result["rate"] >= TARGET_RATE and result["p99"] < TARGET_P99_MS and result["errors"] == 0
    print(
        f"gunicorn {args.workers} x {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f", {args.concurrency} client threads in {args.clients} processes, {os.cpu_count()} CPUs"
    )
    print(
        f"{result['requests']} submissions in {result['elapsed']:.2f} s: {result['rate']:.0f}/s; "
        f"p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms; "
        f"errors {result['errors']} (statuses {result['statuses']})"
    )
    per_request = server_cpu / result["requests"] * 1000
    busy = (busy_after - busy_before) / (total_after - total_before)
    print(
        f"gunicorn CPU {per_request:.2f} ms per submission (capacity of 2 idle cores for the app alone "
        f"~{2000 / per_request:.0f}/s); machine busy {100 * busy:.0f}% "
        f"during the run (other jobs included; load average {os.getloadavg()[0]:.1f}); load generator CPU "
        f"{result['client_cpu_ms']:.2f} ms, PostgreSQL backends "
        f"{postgres_cpu / result['requests'] * 1000:.2f} ms per submission"
    )
    print(f"target >= {TARGET_RATE}/s with p99 < {TARGET_P99_MS} ms: {'PASS' if ok else 'FAIL'}")
    print(
        f"same run, gunicorn as above, {args.requests} requests each (load average {os.getloadavg()[0]:.1f}):"
    )
    print(f"  project: field submission API       {result['rate']:6.0f}/s  p99 {result['p99']:5.1f} ms")
    for name, label in (
        ("peer", "peer:    one Django view, one INSERT"),
        ("peer again", "peer:    the same, after the project"),
        ("floor", "floor:   bare WSGI, no Django"),
    ):
        r = peers[name]
        print(f"  {label:<36} {r['rate']:6.0f}/s  p99 {r['p99']:5.1f} ms  errors {r['errors']}")
    peer_rate = max(peers["peer"]["rate"], peers["peer again"]["rate"])
    ratio = result["rate"] / peer_rate
    print(
        f"ratio     project/peer {ratio:.2f}x (against the faster peer run), "
        f"project/floor {result['rate'] / peers['floor']['rate']:.2f}x"
    )
    peer_ok = ratio >= TARGET_PEER_RATIO and result["errors"] == 0
    print(
        f"{'PASS' if peer_ok else 'FAIL'}: project {ratio:.2f}x the peer's rate "
        f"(target >= {TARGET_PEER_RATIO}x)"
    )
    return 0 if ok and peer_ok else 1


def serve(app: str, args, setup: dict, requests: int) -> tuple[dict, float]:
    """(drive()'s figures, gunicorn CPU ms per request) for the WSGI app `app` on a fresh gunicorn."""
    port = free_port()
    server = start_gunicorn(port, args.workers, args.worker_class, args.threads, app)
    try:
        drive(port, setup, 200, args.concurrency, args.clients)  # warm-up
        before = cpu_seconds(server.pid)
        result = drive(port, setup, requests, args.concurrency, args.clients)
        return result, (cpu_seconds(server.pid) - before) / result["requests"] * 1000
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
