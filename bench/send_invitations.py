"""Benchmark: e-mailing the invitations of a 10,000-respondent campaign through a real SMTP server.

    .venv/bin/python bench/send_invitations.py [--respondents N] [--profile]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench_s \
        .venv/bin/python bench/send_invitations.py

It runs on a throwaway test database (a temporary SQLite file, or test_<name> on PostgreSQL) created and
migrated here and dropped at the end, so it never touches real data. An aiosmtpd server on a free
loopback port, in a child process as a real mail server would be, stands for the mail server (MAILERS
points at it). The timed part is the real path of a
round: create_invitations + queue_round + send_queued (tokens, rendering, SMTP, state machine, events).

In the same run, to the same server, with the same number of processes and 50 messages per connection:
the peer renders the same Django templates into an EmailMultiAlternatives per message (same headers:
Message-ID, List-Unsubscribe) and sends it with Django's SMTP backend, with no database at all; the floor
sends one pre-built message's bytes with smtplib. Target (issue 17): every message received, the project
at least 1.0x the peer's messages per second, with every message recorded `sent` exactly once. Exit code
1 on FAIL. On a shared machine read the ratio, and the load average printed with it.
"""

import argparse
import cProfile
import datetime
import io
import logging
import multiprocessing
import os
import pstats
import secrets
import smtplib
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
from django.core.mail import EmailMultiAlternatives, mailers  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import (  # noqa: E402
    override_settings,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)
from django.utils import translation  # noqa: E402

from kit.documents import checksum  # noqa: E402
from respondents.models import Campaign, Province, Respondent, RespondentGroup, Unit  # noqa: E402
from surveys.models import InvitationToken, Message, MessageEvent, Questionnaire  # noqa: E402
from surveys.services.definitions import validate_definition  # noqa: E402
from surveys.services.invitations import create_invitations  # noqa: E402
from surveys.services.messaging import queue_round  # noqa: E402
from surveys.services.parallel import send_queued_in_processes  # noqa: E402

TARGET_RATIO = 1.0  # the project's messages/s over the peer's
PER_CONNECTION = 50  # as the project's BATCH_SIZE
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


def _email_bytes() -> bytes:
    """The bytes of one of the project's e-mails as sent, for the floor."""
    from surveys.services.messaging.contents import _email

    message = Message.objects.select_related("invitation__respondent__unit", "invitation__campaign").first()
    mail = _email(message, secrets.token_urlsafe(18)).message()
    return mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))


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


def _peer_worker(count: int, offset: int, port: int) -> None:
    """Django templates + EmailMultiAlternatives + Django's SMTP backend, no database."""
    campaign = Campaign(name=CAMPAIGN_NAME, survey_closes=datetime.date.today() + datetime.timedelta(days=30))
    host = "https://khaosat.snv.laocai.gov.vn"
    sent = 0
    while sent < count:
        with mailers.default as backend:  # MAILERS points at the server (the parent's override_settings)
            for i in range(offset + sent, offset + min(count, sent + PER_CONNECTION)):
                token = secrets.token_urlsafe(18)
                context = {
                    "name": f"Nguyễn Văn Người {i}",
                    "campaign": campaign,
                    "deadline": campaign.survey_closes,
                    "link": f"{host}/s/{token}/",
                    "opt_out": f"{host}/s/{token}/no-reminders/",
                    "reminder": False,
                    "sequence": 0,
                }
                with translation.override(settings.LANGUAGE_CODE):
                    subject = render_to_string("surveys/email/invitation_subject.txt", context)
                    text = render_to_string("surveys/email/invitation.txt", context)
                    html = render_to_string("surveys/email/invitation.html", context)
                mail = EmailMultiAlternatives(
                    subject=" ".join(subject.split()),
                    body=text,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    to=[f"Nguyễn Văn Người {i} <nguoi{i}@s{i % 20:02d}.laocai.gov.vn>"],
                    headers={
                        "Message-ID": f"<msg-{i}@khaosat.snv.laocai.gov.vn>",
                        "List-Unsubscribe": f"<{host}/u/{i}-e-{token[:16]}/>",
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    },
                )
                mail.attach_alternative(html, "text/html")
                backend.send_messages([mail])
        sent = min(count, sent + PER_CONNECTION)


def _floor_worker(count: int, port: int, payload: bytes) -> None:
    """One pre-built message's bytes, sent with smtplib."""
    sent = 0
    while sent < count:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for _ in range(min(PER_CONNECTION, count - sent)):
                smtp.sendmail("khaosat@snv.laocai.gov.vn", ["nguoi@s00.laocai.gov.vn"], payload)
        sent = min(count, sent + PER_CONNECTION)


def in_processes(workers: int, total: int, target, *extra) -> float:
    """Seconds for `workers` forked processes to run target(share, [offset,] *extra) over `total` messages."""
    context = multiprocessing.get_context("fork")
    shares = [total // workers + (1 if n < total % workers else 0) for n in range(workers)]
    offsets = [sum(shares[:n]) for n in range(workers)]
    args = [
        (share, offset, *extra) if target is _peer_worker else (share, *extra)
        for share, offset in zip(shares, offsets, strict=True)
    ]
    start = time.perf_counter()
    processes = [context.Process(target=target, args=a) for a in args]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    if any(process.exitcode for process in processes):
        raise SystemExit(f"a {target.__name__} process failed")
    return time.perf_counter() - start


def run(args) -> bool:
    campaign = create_campaign(args.respondents)
    port = free_port()
    received, connections_count = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(port, received, connections_count, ready, stop))
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
            project_received = received.value
            connections.close_all()
            payload = _email_bytes()
            before = received.value
            peer_elapsed = in_processes(args.workers, args.respondents, _peer_worker, port)
            peer_received = received.value - before
            before = received.value
            floor_elapsed = in_processes(args.workers, args.respondents, _floor_worker, port, payload)
            floor_received = received.value - before
    finally:
        stop.set()
        server.join(timeout=30)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(35)
        print(out.getvalue())
    statuses = dict(Message.objects.values_list("status").annotate(n=Count("pk")).order_by("status"))
    # Exactly once: every message sent, one `sent` event each, one link token each.
    sent_events = MessageEvent.objects.filter(status=Message.Status.SENT)
    sent_once = (
        statuses == {Message.Status.SENT: args.respondents}
        and sent_events.count() == args.respondents
        and sent_events.values("message").distinct().count() == args.respondents
        and InvitationToken.objects.count() == args.respondents
    )
    project_rate = project_received / elapsed
    floor_rate = floor_received / floor_elapsed
    ratio = project_rate / (peer_received / peer_elapsed)
    connections_opened = connections_count.value
    print(
        f"database     {connection.vendor} ({connection.settings_dict['NAME']})\n"
        f"workers      {args.workers} sending processes\n"
        f"respondents  {args.respondents:,}; invitations created {invited.created:,}, "
        f"queued {queued.queued:,}\n"
        f"invite       {step_invite - start:6.2f} s\n"
        f"queue        {step_queue - step_invite:6.2f} s\n"
        f"send         {elapsed - (step_queue - start):6.2f} s   sent {sent.sent:,}, failed {sent.failed}, "
        f"requeued {sent.requeued}, outages {sent.outages or 'none'}\n"
        f"server       received {project_received:,} messages over {connections_opened} connections\n"
        f"messages     {statuses}\n"
        f"total        {elapsed:6.2f} s\n"
        f"project      {project_rate:7,.0f} msg/s   (invite + queue + send, {args.workers} processes)\n"
        f"peer         {peer_received / peer_elapsed:7,.0f} msg/s   (templates + EmailMessage, no database)\n"
        f"floor        {floor_rate:7,.0f} msg/s   (pre-built bytes over smtplib)\n"
        f"ratio        project / peer {ratio:.2f}, project / floor {project_rate / floor_rate:.2f}\n"
        f"load         {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)"
    )
    ok = (
        project_received == args.respondents
        and sent_once
        and not sent.outages
        and ratio >= TARGET_RATIO
        and peer_received == floor_received == args.respondents
    )
    print(
        f"{'PASS' if ok else 'FAIL'}: {connection.vendor} "
        f"{project_received:,}/{args.respondents:,} received, "
        f"{'each recorded sent once' if sent_once else 'NOT each recorded sent once'}, "
        f"{project_rate:,.0f} msg/s = {ratio:.2f}x the peer (target {TARGET_RATIO:.1f}x)"
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
