"""Benchmark: a province's last-day peak on gunicorn + PostgreSQL, respondent pages and field API together.

    .venv/bin/python bench/peak_load.py [--respondents 2000] [--field-batches 40] [--batch-size 25]
        [--concurrency 8] [--clients 2] [--workers 2] [--threads 4] [--keep-db]
    BENCH_PEAK_DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench_peak (the default)

Creates (drops first) its own database, migrates it and sets up a PAR INDEX campaign on its last day with
--respondents officials invited (the shipped par_officials.yaml questionnaire) and a SIPAS campaign with a
Bưu điện team. Starts gunicorn on loopback (DEBUG off, persistent connections) and drives, from --clients
load-generator processes, every respondent as their browser does (GET the page, autosave a draft as JSON
with the CSRF header, POST the form with the CSRF token, follow the redirect to the thank-you page) while
field batches (--batch-size interviews per POST responses/batch/) arrive in parallel. The 2,000 respondents
of a province's last day spread over 10 minutes; here they go as fast as the machine allows, and the
equivalent peak is printed. Prints throughput, p50/p99 latency per kind of request, errors and the machine
load; target zero errors and p99 < 300 ms; exit 1 if not.

The pieces (throwaway site, gunicorn, browser-like client) are reused by tests/faults/.
"""

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_PEAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parindex_bench_peak")
TARGET_P99_MS = 300
PEAK_RESPONDENTS, PEAK_MINUTES = 2000, 10  # a province's last day (docs/decisions.md D48)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def server_env(db_url: str, static_root: str = "") -> dict[str, str]:
    return {
        "DATABASE_URL": db_url,
        "STATIC_ROOT": static_root or str(ROOT / "staticfiles"),
        "DB_CONN_MAX_AGE": "600",
        "SECRET_KEY": "bench-only-not-secret",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": "",
        "CACHE_URL": "",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback; production sits behind TLS
        "SECURE_COOKIES": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def collect_static(static_root: str) -> None:
    """collectstatic into `static_root`, as a deployment does (DEBUG off serves the hashed copies)."""
    env = {**os.environ, **server_env("sqlite:///:memory:", static_root)}
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def admin_url(db_url: str) -> str:
    return urlparse(db_url)._replace(path="/postgres").geturl()


def recreate_database(db_url: str) -> None:
    import psycopg

    name = urlparse(db_url).path.lstrip("/")
    with psycopg.connect(admin_url(db_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(db_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(db_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlparse(db_url).path.lstrip("/")}" WITH (FORCE)')


def form_pairs(definition: dict, answers: dict) -> list[tuple[str, str]]:
    """Answers as the questionnaire form posts them (one pair per checked box of a multiple choice)."""
    pairs = []
    for code, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((code, str(item)))
    return pairs


def set_up_site(db_url: str, respondents: int) -> dict:
    """Migrate; a PAR campaign on its last day with `respondents` invited officials (their link tokens) and
    a SIPAS field team with an enumerator's device token. Runs Django in this (spawned) process."""
    os.environ.update(server_env(db_url))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from demo.services.field import SIPAS_FILE, sipas_answers, sipas_campaign
    from demo.services.questionnaires import DEFINITIONS, random_answers
    from fieldwork.models import Assignment, FieldMember, FieldTeam
    from respondents.models import Campaign, Province, Respondent, RespondentGroup, Unit
    from respondents.services.setup import create_campaign
    from surveys.models import Invitation, Questionnaire
    from surveys.services.invitations import create_invitations
    from surveys.services.questionnaires import load_questionnaire
    from surveys.services.tokens import issue_token

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    province = Province.objects.create(code="peak", name="Tỉnh Cao Điểm")
    department = Unit.objects.create(
        province=province, code="SNV", name="Sở Nội vụ", kind=Unit.Kind.DEPARTMENT
    )
    district = Unit.objects.create(province=province, code="H1", name="Huyện Một", kind=Unit.Kind.DISTRICT)
    par = create_campaign(
        slug="par-peak", kind=Campaign.Kind.PAR_OFFICIALS, year=today.year, province=province
    )
    par.survey_opens, par.survey_closes = today - datetime.timedelta(days=20), today  # the last day
    par.status = Campaign.Status.SURVEYING
    par.save()
    load_questionnaire(campaign=par, path=DEFINITIONS / "par_officials.yaml")
    definition = Questionnaire.objects.get(campaign=par, is_current=True).definition
    group = RespondentGroup.objects.get(code="dept_leader")
    Respondent.objects.bulk_create(
        Respondent(
            campaign=par,
            unit=department,
            group=group,
            full_name=f"Nguyễn Văn Cán Bộ {i}",
            email=f"can.bo.{i}@snv.example.gov.vn",
            phone=f"+8491{i:07d}",
        )
        for i in range(respondents)
    )
    create_invitations(campaign=par)
    tokens = [
        issue_token(invitation) for invitation in Invitation.objects.filter(campaign=par).order_by("pk")
    ]
    rng = random.Random(11)
    forms = [form_pairs(definition, random_answers(definition, rng)) for _ in range(50)]

    sipas = sipas_campaign(province, today.year, today)
    load_questionnaire(campaign=sipas, path=SIPAS_FILE)
    field_questionnaire = Questionnaire.objects.get(campaign=sipas, is_current=True)
    team = FieldTeam.objects.create(campaign=sipas, code="bd-peak", name="Bưu điện cao điểm")
    user = get_user_model().objects.create_user("bd-peak-a", password=None)
    FieldMember.objects.create(team=team, user=user, role="enumerator")
    assignment = Assignment.objects.create(
        campaign=sipas,
        team=team,
        enumerator=user,
        questionnaire=field_questionnaire,
        area=district,
        quota=10**6,
    )
    field_answers = [
        sipas_answers(field_questionnaire.definition, rng, service_area="land") for _ in range(50)
    ]
    device_token = Token.objects.create(user=user).key
    connections.close_all()
    return {
        "tokens": tokens,
        "forms": forms,
        "field": {
            "token": device_token,
            "assignment": assignment.pk,
            "questionnaire": field_questionnaire.pk,
            "answers": field_answers,
        },
    }


def set_up_in_subprocess(db_url: str, respondents: int) -> dict:
    """set_up_site() in a spawned process, so that this one never imports Django settings."""
    pool = multiprocessing.get_context("spawn").Pool(1)
    try:
        return pool.apply(set_up_site, (db_url, respondents))
    finally:
        pool.close()
        pool.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    db_url: str, port: int, *, static_root: str, workers: int = 2, threads: int = 4
) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "config.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread"]
    command += ["--threads", str(threads), "--keep-alive", "5", "--log-level", "warning"]
    env = {**os.environ, **server_env(db_url, static_root)}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def stop_gunicorn(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class Browser:
    """One keep-alive connection with a cookie jar, as a respondent's browser (or a device) uses it.
    request() returns (status, headers, body, seconds); status 0 when the connection failed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.last_headers: dict[str, str] = {}  # of the last answer
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        reused = self.connection.sock is not None
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            if reused:  # the server closed an idle keep-alive connection: a browser sends again at once
                return self.request(method, path, body, {k: v for k, v in headers.items() if k != "Cookie"})
            self.last_headers = {}
            return 0, {}, b"", time.perf_counter() - started
        elapsed = time.perf_counter() - started
        self.last_headers = dict(response.getheaders())
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, dict(response.getheaders()), content, elapsed


def respondent_visit(browser: Browser, token: str, form: list[tuple[str, str]], record) -> bool:
    """Open the link, autosave half the answers, submit them all, land on the thank-you page, as the
    browser does. record(kind, status, seconds, body) for each request; True when submitted."""
    status, _headers, body, seconds = browser.request("GET", f"/s/{token}/")
    record("page", status, seconds, body)
    match = CSRF_FIELD.search(body.decode(errors="replace")) if status == 200 else None
    if not match:
        return False
    csrf = match.group(1)
    draft = {}
    for code, value in form[: len(form) // 2]:
        draft.setdefault(code, []).append(value)
    draft = {code: values if len(values) > 1 else values[0] for code, values in draft.items()}
    status, _headers, body, seconds = browser.request(
        "POST",
        f"/s/{token}/save/",
        json.dumps({"answers": draft}).encode(),
        {"Content-Type": "application/json", "X-CSRFToken": browser.cookies.get("csrftoken", "")},
    )
    record("save", status, seconds, body)
    data = urlencode([("csrfmiddlewaretoken", csrf), *form]).encode()
    status, headers, body, seconds = browser.request(
        "POST", f"/s/{token}/submit/", data, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    record("submit", status, seconds, body)
    if status != 302:
        return False
    status, _headers, body, seconds = browser.request("GET", urlparse(headers.get("Location", "")).path)
    record("thanks", status, seconds, body)
    return status == 200


def field_batch(setup: dict, size: int, index: int) -> dict:
    interviewed = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    answers = setup["answers"]
    return {
        "items": [
            {
                "client_uuid": str(uuid.uuid4()),
                "assignment": setup["assignment"],
                "questionnaire": setup["questionnaire"],
                "mode": "tablet",
                "interviewed_at": interviewed.isoformat(),
                "duration_seconds": 600 + (index + n) % 600,
                "answers": answers[(index + n) % len(answers)],
            }
            for n in range(size)
        ]
    }


def post_field_batch(browser: Browser, setup: dict, batch: dict):
    """POST a batch; (status, body, seconds)."""
    headers = {"Authorization": f"Token {setup['token']}", "Content-Type": "application/json"}
    status, _headers, body, seconds = browser.request(
        "POST", "/api/v1/field/responses/batch/", json.dumps(batch).encode(), headers
    )
    return status, body, seconds


# ------------------------------------------------------------------------------------------- the bench


def client_process(port, setup, respondents, batches, batch_size, threads, start_at, results, spread=0.0):
    """A load generator: `threads` threads share this process's respondents and field batches. With
    `spread` seconds, arrivals are paced evenly over that time (open loop); otherwise all at once."""
    total = max(len(respondents) + len(batches), 1)
    work = [("respondent", i) for i in respondents] + [("field", i) for i in batches]
    random.Random(respondents[0] if respondents else 0).shuffle(work)
    work = [(kind, index, spread * n / total) for n, (kind, index) in enumerate(work)]
    lock = threading.Lock()
    cursor = iter(work)
    samples: list[tuple[str, int, float]] = []

    def run():
        device, mine = Browser(port), []  # the field tablet of this thread: one keep-alive connection

        def record(kind, status, seconds, _body):
            mine.append((kind, status, seconds))

        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            kind, index, offset = item
            while time.time() < start_at + offset:
                time.sleep(min(0.01, start_at + offset - time.time()))
            if kind == "respondent":
                browser = Browser(port)  # a new respondent: a new browser (cookies, connection)
                form = setup["forms"][index % len(setup["forms"])]
                respondent_visit(browser, setup["tokens"][index], form, record)
                browser.connection.close()
            else:
                status, body, seconds = post_field_batch(
                    device, setup["field"], field_batch(setup["field"], batch_size, index * batch_size)
                )
                created = status == 200 and all(
                    r.get("status") == "created" for r in json.loads(body)["results"]
                )
                mine.append(("field batch", status if created or status != 200 else -1, seconds))
        with lock:
            samples.extend(mine)

    while time.time() < start_at:
        time.sleep(0.001)
    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((samples, time.time()))


OK_STATUS = {"page": 200, "save": 200, "submit": 302, "thanks": 200, "field batch": 200}


def drive(port, setup, respondents: range, batches: range, batch_size, concurrency, clients, spread=0.0):
    results = multiprocessing.Queue()
    start_at = time.time() + 1.0
    processes = [
        multiprocessing.Process(
            target=client_process,
            args=(
                port,
                setup,
                list(respondents[n::clients]),
                list(batches[n::clients]),
                batch_size,
                max(1, concurrency // clients),
                start_at,
                results,
                spread,
            ),
        )
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
    samples = [s for part, _end in collected for s in part]
    elapsed = max(end for _part, end in collected) - start_at
    kinds = {}
    for kind in OK_STATUS:
        latencies = sorted(seconds for k, _status, seconds in samples if k == kind)
        if not latencies:
            continue
        quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
        statuses: dict[int, int] = {}
        for k, status, _seconds in samples:
            if k == kind:
                statuses[status] = statuses.get(status, 0) + 1
        kinds[kind] = {
            "count": len(latencies),
            "p50": quantiles[49] * 1000,
            "p99": quantiles[98] * 1000,
            "errors": sum(n for status, n in statuses.items() if status != OK_STATUS[kind]),
            "statuses": statuses,
        }
    return {"elapsed": elapsed, "kinds": kinds, "requests": len(samples)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=PEAK_RESPONDENTS)
    parser.add_argument("--field-batches", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--minutes", type=float, default=0, help="spread the arrivals over this time (0: as fast as possible)"
    )
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    import psycopg

    try:
        recreate_database(DB_URL)
    except psycopg.OperationalError as exc:
        print(f"SKIP: PostgreSQL not reachable at {urlparse(DB_URL).hostname}: {exc}")
        return 0
    warm = 100
    setup = set_up_in_subprocess(DB_URL, args.respondents + warm)
    static_root = tempfile.mkdtemp(prefix="peak-static-")
    collect_static(static_root)
    port = free_port()
    server = start_gunicorn(DB_URL, port, static_root=static_root, workers=args.workers, threads=args.threads)
    try:
        total = args.respondents + warm
        # Warm-up, untimed: every worker thread serves pages and field batches once (imports, caches).
        drive(port, setup, range(args.respondents, total), range(8), 5, args.concurrency, args.clients)
        load_before = os.getloadavg()[0]
        result = drive(
            port,
            setup,
            range(args.respondents),
            range(args.field_batches),
            args.batch_size,
            args.concurrency,
            args.clients,
            args.minutes * 60,
        )
        load_after = os.getloadavg()[0]
    finally:
        stop_gunicorn(server)
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep_db:
            drop_database(DB_URL)
    kinds = result["kinds"]
    errors = sum(k["errors"] for k in kinds.values())
    worst_p99 = max(k["p99"] for k in kinds.values())
    submitted = kinds.get("submit", {}).get("count", 0)
    per_minute = max(submitted, 1) / result["elapsed"] * 60
    print(
        f"gunicorn {args.workers} x gthread ({args.threads} threads), {args.concurrency} client threads in "
        f"{args.clients} processes, {os.cpu_count()} CPUs"
    )
    rate = result["requests"] / result["elapsed"]
    equivalent = PEAK_RESPONDENTS / per_minute
    print(
        f"{submitted} respondents (page, autosave, submit, thank-you) and {args.field_batches} field "
        f"batches of {args.batch_size} in {result['elapsed']:.1f} s: {rate:.0f} requests/s, "
        f"{per_minute:.0f} submissions/min: the {PEAK_RESPONDENTS} of a last day's {PEAK_MINUTES} minutes "
        f"in {equivalent:.1f} min ({PEAK_MINUTES / equivalent:.1f}x the peak)"
    )
    for kind, figures in kinds.items():
        print(
            f"  {kind:<12} {figures['count']:>6}  p50 {figures['p50']:6.1f} ms  "
            f"p99 {figures['p99']:6.1f} ms  errors {figures['errors']} {figures['statuses']}"
        )
    print(f"load average {load_before:.1f} before, {load_after:.1f} after the run (1 min)")
    ok = errors == 0 and worst_p99 < TARGET_P99_MS
    print(f"target 0 errors and p99 < {TARGET_P99_MS} ms for every kind: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
