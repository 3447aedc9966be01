"""Benchmark: the response-tracking figures (surveys.selectors.response_rates) of 100,000 invitations.

    .venv/bin/python bench/tracking.py [--invitations N] [--repeat N] [--export]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench_t .venv/bin/python bench/tracking.py

It runs on a throwaway test database (a temporary SQLite file, or test_<name> on PostgreSQL) created and
migrated here and dropped at the end, so it never touches real data. The campaign has ~30 units, 4 groups,
invitation e-mails (mostly sent, some failed or bounced, a few still queued), reminder e-mails and SMS that
must not count, and opened/started/submitted times over 20 days, written with COPY (PostgreSQL) or
executemany (SQLite). Target: response_rates under 200 ms (best of --repeat after one warm-up); exit 1 on
FAIL. --export also times the tracking workbook (all non-responders listed), for information.

In the same run, on the same database: the peer, hand-written SQL for the same figures (one GROUP BY
query with the database's own local-day expression, rows fetched, no roll-up), and the floor, one scan of
the invitations (four counts). On a shared machine read the ratios: project / peer and project / floor.
"""

import argparse
import datetime
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)

from respondents.models import Campaign, Province, Respondent, RespondentGroup, Unit  # noqa: E402
from surveys.models import Invitation, Message, Questionnaire  # noqa: E402
from surveys.selectors import response_rates  # noqa: E402
from surveys.services.tracking_export import export_tracking  # noqa: E402

TARGET_SECONDS = 0.200
UTC = datetime.UTC
OPENS = datetime.date(2025, 10, 1)
DAYS = 20
GROUPS = ["hdnd", "dept_leader", "division_leader", "district_leader"]


def insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Many rows at once, bypassing model instances: COPY on PostgreSQL, executemany elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in fields]
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({marks})", rows)


def reset_sequences(*models) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def moment(rng: random.Random, day: int) -> datetime.datetime:
    start = datetime.datetime.combine(OPENS, datetime.time(1), tzinfo=UTC) + datetime.timedelta(days=day)
    return start + datetime.timedelta(seconds=rng.randrange(14 * 3600))


def db_time(value: datetime.datetime | None):
    return None if value is None else connection.ops.adapt_datetimefield_value(value)


def create_campaign(invitations: int) -> Campaign:
    """~30 units (council, 12 departments, 5 districts with 12 communes), a PAR campaign of N invitations."""
    rng = random.Random(2025)
    province = Province.objects.create(code="bench", name="Lào Cai")
    council = Unit.objects.create(province=province, code="HDND", name="HĐND tỉnh", kind=Unit.Kind.COUNCIL)
    units = [council]
    units += [
        Unit.objects.create(province=province, code=f"S{i:02d}", name=f"Sở số {i}", kind=Unit.Kind.DEPARTMENT)
        for i in range(12)
    ]
    districts = [
        Unit.objects.create(province=province, code=f"H{i}", name=f"Huyện {i}", kind=Unit.Kind.DISTRICT)
        for i in range(5)
    ]
    units += districts
    units += [
        Unit.objects.create(
            province=province,
            code=f"X{i:02d}",
            name=f"Xã {i}",
            kind=Unit.Kind.COMMUNE,
            parent=districts[i % len(districts)],
        )
        for i in range(12)
    ]
    campaign = Campaign.objects.create(
        slug="bench",
        name="PAR INDEX bench",
        kind=Campaign.Kind.PAR_OFFICIALS,
        year=2025,
        province=province,
        survey_opens=OPENS,
        survey_closes=OPENS + datetime.timedelta(days=DAYS - 1),
        response_targets={"hdnd": 60, "dept_leader": 70, "division_leader": 50, "district_leader": 70},
    )
    campaign.units.set(units)
    groups = {g.code: g for g in RespondentGroup.objects.filter(code__in=GROUPS)}
    campaign.groups.set(groups.values())
    questionnaire = Questionnaire.objects.create(
        campaign=campaign, code="bench", title="Phiếu", definition={}, checksum="0" * 64
    )
    questionnaire.groups.set(groups.values())

    now = db_time(datetime.datetime.now(UTC))
    respondents, invitation_rows, message_rows = [], [], []
    message_id = 0
    for pk in range(1, invitations + 1):
        unit = units[rng.randrange(len(units))]
        if unit.kind == Unit.Kind.COUNCIL:
            group = groups["hdnd"]
        elif unit.kind == Unit.Kind.DEPARTMENT:
            group = groups["dept_leader" if rng.random() < 0.2 else "division_leader"]
        else:
            group = groups["district_leader"]
        retired = db_time(moment(rng, 0)) if rng.random() < 0.01 else None
        email = f"nguoi{pk}@laocai.gov.vn"
        respondents.append(
            (pk, campaign.pk, unit.pk, group.pk, f"Người {pk}", "Chuyên viên", email,
             f"+8491{pk:07d}", "[]", "{}", "", "", now, now, retired)
        )  # fmt: skip
        opened = started = submitted = None
        if rng.random() < 0.75:
            day = rng.randrange(DAYS)
            opened = moment(rng, day)
            if rng.random() < 0.85:
                started = opened + datetime.timedelta(minutes=rng.randrange(1, 60))
                if rng.random() < 0.8:
                    submitted = started + datetime.timedelta(minutes=rng.randrange(5, 3000))
        invitation_rows.append(
            (pk, campaign.pk, pk, questionnaire.pk, False, "", False, now, db_time(opened),
             db_time(started), db_time(submitted))
        )  # fmt: skip
        roll = rng.random()
        if roll < 0.98:  # 2% have no e-mail queued yet
            status = (
                "sent" if roll < 0.55 else "delivered" if roll < 0.90 else "failed" if roll < 0.94
                else "bounced" if roll < 0.96 else "queued"
            )  # fmt: skip
            messages = [("email", "invitation", 0, status)]
            if submitted is None and rng.random() < 0.6:
                messages.append(("email", "reminder", 1, rng.choice(["sent", "failed"])))
            if rng.random() < 0.3:
                messages.append(("sms", "invitation", 0, rng.choice(["delivered", "failed"])))
            for channel, kind, sequence, status in messages:
                message_id += 1
                message_rows.append(
                    (message_id, pk, channel, kind, sequence, email, status, 1, "", "", now, now, now, now)
                )
    insert(
        Respondent,
        ["id", "campaign", "unit", "group", "full_name", "position", "email", "phone", "alternate_phones",
         "raw", "source_file", "source_sheet", "created_at", "updated_at", "retired_at"],
        respondents,
    )  # fmt: skip
    insert(
        Invitation,
        ["id", "campaign", "respondent", "questionnaire", "is_test", "test_label", "reminders_opt_out",
         "created_at", "opened_at", "started_at", "submitted_at"],
        invitation_rows,
    )  # fmt: skip
    insert(
        Message,
        ["id", "invitation", "channel", "kind", "sequence", "to", "status", "attempts", "provider_id",
         "error", "queued_at", "claimed_at", "sent_at", "updated_at"],
        message_rows,
    )  # fmt: skip
    reset_sequences(Respondent, Invitation, Message)
    return campaign


PEER_DAY = {
    "sqlite": "date({col}, '+25200 seconds')",
    "postgresql": "(({col}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date",
}


def peer_sql(campaign: Campaign) -> tuple[str, list]:
    """The same figures as one hand-written query: per (unit, group, local days) counts of invitations
    and of invitation e-mails sent or failed, for current respondents."""
    day = PEER_DAY[connection.vendor]
    days = ", ".join(day.format(col=f"i.{c}") for c in ("opened_at", "started_at", "submitted_at"))
    sql = f"""
        SELECT {days}, r.unit_id, r.group_id, COUNT(*),
               COUNT(e.status) FILTER (WHERE e.status IN ('sent', 'delivered')),
               COUNT(e.status) FILTER (WHERE e.status IN ('failed', 'bounced'))
        FROM surveys_invitation i
        JOIN respondents_respondent r ON r.id = i.respondent_id
        LEFT JOIN surveys_message e ON e.invitation_id = i.id AND e.channel = 'email'
             AND e.kind = 'invitation' AND e.sequence = 0
        WHERE i.campaign_id = %s AND NOT i.is_test AND r.campaign_id = %s AND r.retired_at IS NULL
        GROUP BY 1, 2, 3, 4, 5"""
    return sql, [campaign.pk, campaign.pk]


FLOOR_SQL = (
    "SELECT COUNT(*), COUNT(opened_at), COUNT(started_at), COUNT(submitted_at) "
    "FROM surveys_invitation WHERE campaign_id = %s"
)


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def fetch(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs after one warm-up; the best is kept"
    )
    parser.add_argument("--export", action="store_true", help="also time the tracking workbook")
    parser.add_argument("--queries", action="store_true", help="print each query of one run and its time")
    parser.add_argument("--keepdb", action="store_true", help="keep the test database and its campaign")
    parser.add_argument("--explain", action="store_true", help="with --queries: PostgreSQL's plans too")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-tracking-") as tmp:
        db = connection.settings_dict
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")  # a file, as in production
        setup_test_environment()
        old_config = setup_databases(verbosity=0, interactive=False, keepdb=args.keepdb)
        try:
            ok = run(args)
        finally:
            if not args.keepdb:
                teardown_databases(old_config, verbosity=0)
            teardown_test_environment()
    sys.exit(0 if ok else 1)


def run(args) -> bool:
    start = time.perf_counter()
    campaign = Campaign.objects.filter(slug="bench").first() if args.keepdb else None
    if campaign is None:
        with transaction.atomic():
            campaign = create_campaign(args.invitations)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have done by the time anyone looks
    print(
        f"database  {connection.vendor} ({connection.settings_dict['NAME']})\n"
        f"campaign  {Invitation.objects.count():,} invitations, {Message.objects.count():,} messages, "
        f"{campaign.units.count()} units (generated in {time.perf_counter() - start:.1f} s)"
    )
    today = OPENS + datetime.timedelta(days=DAYS + 5)
    report = response_rates(campaign, today=today)  # warm-up, as are the next two
    peer_rows = len(fetch(*peer_sql(campaign)))
    fetch(FLOOR_SQL, [campaign.pk])
    # Interleaved rounds, so that a burst of load elsewhere on the machine hits all three alike.
    project, peer, floor = [], [], []
    for _ in range(args.repeat):
        project.append(timed(lambda: response_rates(campaign, today=today)))
        peer.append(timed(lambda: fetch(*peer_sql(campaign))))
        floor.append(timed(lambda: fetch(FLOOR_SQL, [campaign.pk])))
    best, best_peer, best_floor = min(project), min(peer), min(floor)
    if args.queries:
        with CaptureQueriesContext(connection) as captured:
            response_rates(campaign, today=today)
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:6.0f} ms  {query['sql'][:300]}")
            if args.explain and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\n".join("      " + line for (line,) in cursor.fetchall()))
    overall = report["overall"]
    print(
        "overall   "
        + ", ".join(
            f"{key} {overall[key]:,}"
            for key in ("invited", "email_sent", "email_failed", "opened", "started", "submitted")
        )
        + f", rate {overall['response_rate']}%"
    )
    print(
        f"rows      {len(report['by_group'])} groups, {len(report['by_unit'])} units, "
        f"{len(report['by_district'])} district rows, {len(report['by_day'])} days"
    )
    print(
        f"project   response_rates                      {best * 1000:6.0f} ms (best of {args.repeat})\n"
        f"peer      hand-written SQL, {peer_rows:,} rows{'':>11}{best_peer * 1000:6.0f} ms\n"
        f"floor     one scan of the invitations          {best_floor * 1000:6.0f} ms\n"
        f"ratio     project / peer {best / best_peer:.2f}, project / floor {best / best_floor:.1f}\n"
        f"load      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min)"
    )
    if args.export:
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        buffer = io.BytesIO()
        export_tracking(campaign=campaign, stream=buffer, today=today)
        elapsed = time.perf_counter() - start
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        print(
            f"export    {elapsed:.1f} s, {buffer.tell() / 1e6:.1f} MB workbook, "
            f"{report['overall']['invited'] - report['overall']['submitted']:,} non-responders listed, "
            f"peak memory grew by {grown / 1024:.0f} MB"
        )
    ok = best < TARGET_SECONDS
    print(
        f"{'PASS' if ok else 'FAIL'}: {connection.vendor} response_rates {best * 1000:.0f} ms "
        f"vs target {TARGET_SECONDS * 1000:.0f} ms ({best / best_peer:.2f}x the peer)"
    )
    return ok


if __name__ == "__main__":
    main()
