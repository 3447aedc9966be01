"""Benchmark: e-mailing the invitations of a 10,000-respondent campaign through a real SMTP server.

    .venv/bin/python bench/send_invitations.py [--respondents N] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench_s \
        .venv/bin/python bench/send_invitations.py

It runs on a throwaway test database (a temporary SQLite file, or test_<name> on PostgreSQL) created and
migrated here and dropped at the end, so it never touches real data. An aiosmtpd server on a free
loopback port, in a child process as a real mail server would be, stands for the mail server (MAILERS
points at it). The timed part is the real path of a
round: create_invitations + queue_round + send_queued (tokens, rendering, SMTP, state machine, events).
Target: all N messages received by the server in under 60 s. Exit code 1 on FAIL.
"""

import argparse
import cProfile
import datetime
import io
import logging
import multiprocessing
import os
import pstats
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)

from kit.documents import checksum  # noqa: E402
from respondents.models import Campaign, Province, Respondent, RespondentGroup, Unit  # noqa: E402
from surveys.models import Message, Questionnaire  # noqa: E402
from surveys.services.definitions import validate_definition  # noqa: E402
from surveys.services.invitations import create_invitations  # noqa: E402
from surveys.services.messaging import queue_round  # noqa: E402
from surveys.services.parallel import send_queued_in_processes  # noqa: E402

TARGET_SECONDS = 60.0
CAMPAIGN_NAME = "Khảo sát cán bộ, công chức phục vụ Chỉ số CCHC (PAR INDEX) 2026 – Lào Cai"
DEFINITION = {
    "code": "lanh-dao",
    "title": "Phiếu khảo sát lãnh đạo",
    "groups": ["dept_leader"],
    "sections": [
        {
            "code": "s1",
            "title": "Đánh giá",
            "questions": [{"code": "q1", "type": "number", "text": "Số năm công tác", "min": 0, "max": 60}],
        }
    ],
}


class Counter:
    """The mail server's handler: counts what it accepts (in memory shared with the benchmark)."""

    def __init__(self, received, connections):
        self.received, self.connections = received, connections

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.connections.get_lock():
            self.connections.value += 1
        return responses

    async def handle_DATA(self, server, session, envelope):
        with self.received.get_lock():
            self.received.value += len(envelope.rcpt_tos)
        return "250 OK"


def serve(port: int, received, connections, ready, stop) -> None:
    """The mail server, in its own process as a real one would be (not competing for this one's GIL)."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    controller = Controller(Counter(received, connections), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_campaign(respondents: int) -> Campaign:
    province = Province.objects.create(code="bench", name="Lào Cai")
    units = [
        Unit(province=province, code=f"S{i:02d}", name=f"Sở số {i}", kind=Unit.Kind.DEPARTMENT)
        for i in range(20)
    ]
    for unit in units:
        unit.save()
    today = datetime.date.today()
    campaign = Campaign.objects.create(
        slug="bench",
        name=CAMPAIGN_NAME,
        kind=Campaign.Kind.PAR_OFFICIALS,
        year=today.year,
        province=province,
        survey_opens=today - datetime.timedelta(days=1),
        survey_closes=today + datetime.timedelta(days=30),
    )
    campaign.units.set(units)
    result = validate_definition(DEFINITION)
    assert result.ok, result.errors
    questionnaire = Questionnaire.objects.create(
        campaign=campaign,
        code="lanh-dao",
        title=result.definition["title"],
        definition=result.definition,
        checksum=checksum(result.definition),
    )
    group = RespondentGroup.objects.get(code="dept_leader")
    questionnaire.groups.set([group])
    Respondent.objects.bulk_create(
        [
            Respondent(
                campaign=campaign,
                unit=units[i % len(units)],
                group=group,
                full_name=f"Nguyễn Văn Người {i}",
                position="Trưởng phòng",
                email=f"nguoi{i}@s{i % len(units):02d}.laocai.gov.vn",
                phone=f"+8491{i:07d}",
            )
            for i in range(respondents)
        ],
        batch_size=1000,
    )
    return campaign


def run(args) -> bool:
    campaign = create_campaign(args.respondents)
    port = free_port()
    received, connections = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(port, received, connections, ready, stop))
    server.start()
    if not ready.wait(timeout=30):
        raise SystemExit("the SMTP server did not start")
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 30},
    }
    profiler = cProfile.Profile() if args.profile else None
    try:
        with override_settings(MAILERS={"default": mailer}, SITE_URL="https://khaosat.snv.laocai.gov.vn"):
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            invited = create_invitations(campaign=campaign)
            step_invite = time.perf_counter()
            queued = queue_round(campaign=campaign, channel=Message.Channel.EMAIL, reminders=False)
            step_queue = time.perf_counter()
            sent = send_queued_in_processes(campaign=campaign, workers=args.workers)
            if profiler:
                profiler.disable()
            elapsed = time.perf_counter() - start
    finally:
        stop.set()
        server.join(timeout=30)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(35)
        print(out.getvalue())
    statuses = dict(Message.objects.values_list("status").annotate(n=Count("pk")).order_by("status"))
    print(
        f"database     {connection.vendor} ({connection.settings_dict['NAME']})\n"
        f"workers      {args.workers} sending processes\n"
        f"respondents  {args.respondents:,}; invitations created {invited.created:,}, "
        f"queued {queued.queued:,}\n"
        f"invite       {step_invite - start:6.2f} s\n"
        f"queue        {step_queue - step_invite:6.2f} s\n"
        f"send         {elapsed - (step_queue - start):6.2f} s   sent {sent.sent:,}, failed {sent.failed}, "
        f"requeued {sent.requeued}, outages {sent.outages or 'none'}\n"
        f"server       received {received.value:,} messages over {connections.value} connections\n"
        f"messages     {statuses}\n"
        f"total        {elapsed:6.2f} s   ({received.value / elapsed:,.0f} messages/s)"
    )
    ok = received.value == args.respondents and elapsed < TARGET_SECONDS and not sent.outages
    print(
        f"{'PASS' if ok else 'FAIL'}: {received.value:,}/{args.respondents:,} received in "
        f"{elapsed:.1f} s (target {TARGET_SECONDS:.0f} s)"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the timed part")
    parser.add_argument(
        "--workers", type=int, default=settings.SENDING_WORKERS, help="sending processes (SENDING_WORKERS)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-send-") as tmp:
        db = connection.settings_dict
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")  # a file, as in production, not :memory:
        setup_test_environment()
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            ok = run(args)
        finally:
            teardown_databases(old_config, verbosity=0)
            teardown_test_environment()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
