"""Benchmark: the supervisor's progress figures and data-quality flags of a SIPAS campaign's field records.

    .venv/bin/python bench/field_progress.py [--interviews N] [--repeat N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench_f .venv/bin/python bench/field_progress.py

Runs on a throwaway test database (a temporary SQLite file, or test_<name> on PostgreSQL), created and
dropped here. The campaign has 10 post-office teams of 10 enumerators, an assignment per team and district
(20 districts × 9 service areas spread over the teams) and N submitted interviews (default 20,000: about
half a national SIPAS round's size per region) with the SIPAS questionnaire's 20 scale items, a few
straight-liners, short interviews and repeated phones, and one enumerator answering mostly 5.
Targets: field_progress under 300 ms and quality_flags under 3 s (best of --repeat); exit 1 on FAIL.
"""

import argparse
import datetime
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)

from fieldwork.models import Assignment, FieldMember, FieldRecord, FieldTeam  # noqa: E402
from fieldwork.selectors import field_progress, quality_flags  # noqa: E402
from respondents.models import Campaign, Province, Unit  # noqa: E402
from surveys.models import Questionnaire, Response  # noqa: E402
from surveys.services.definitions import parse_definition_file, questions  # noqa: E402

PROGRESS_TARGET, FLAGS_TARGET = 0.300, 3.0
SIPAS = Path(__file__).resolve().parent.parent / "surveys" / "definitions" / "sipas_citizens.yaml"
SERVICE_AREAS = ["land", "construction", "civil_status", "business", "labour_social", "transport"]
SERVICE_AREAS += ["environment", "education_health", "other"]
START = datetime.datetime(2025, 5, 5, 1, tzinfo=datetime.UTC)


def create_campaign(interviews: int) -> Campaign:
    rng = random.Random(2025)
    definition = parse_definition_file(SIPAS).definition
    items = [q["code"] for q in questions(definition) if q["type"] == "scale"]
    province = Province.objects.create(code="bench", name="Lào Cai")
    districts = [
        Unit.objects.create(province=province, code=f"H{i:02d}", name=f"Huyện {i}", kind=Unit.Kind.DISTRICT)
        for i in range(20)
    ]
    campaign = Campaign.objects.create(
        slug="bench", name="SIPAS bench", kind=Campaign.Kind.SIPAS_CITIZENS, year=2025, province=province
    )
    questionnaire = Questionnaire.objects.create(
        campaign=campaign, code="sipas-citizens", title="SIPAS", definition=definition, checksum="0" * 64
    )
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(username=f"dtv{i:03d}", first_name=f"Viên {i}", last_name="Nguyễn")
            for i in range(100)
        ]
    )
    teams, assignments, team_of = [], [], {}
    for t in range(10):
        team = FieldTeam.objects.create(campaign=campaign, code=f"bd-{t}", name=f"Bưu điện {t}")
        teams.append(team)
        for user in users[t * 10 : t * 10 + 10]:
            FieldMember.objects.create(team=team, user=user, role=FieldMember.Role.ENUMERATOR)
            team_of[user.pk] = t
    for d, district in enumerate(districts):
        for s, area in enumerate(SERVICE_AREAS):
            assignments.append(
                Assignment(
                    campaign=campaign, team=teams[(d + s) % 10], questionnaire=questionnaire, area=district,
                    service_area=area, quota=interviews // (20 * 9),
                )
            )  # fmt: skip
    assignments = Assignment.objects.bulk_create(assignments)
    by_team = {t: [a for a in assignments if a.team_id == teams[t].pk] for t in range(10)}
    responses, records = [], []
    for i in range(interviews):
        user = users[rng.randrange(100)]
        assignment = rng.choice(by_team[team_of[user.pk]])
        if user.username == "dtv007":
            answers = {code: rng.choice([5, 5, 5, 4]) for code in items}
        elif rng.random() < 0.01:
            answers = dict.fromkeys(items, rng.randrange(1, 6))
        else:
            answers = {code: rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 0]) for code in items}
        answers["screening.area"] = assignment.service_area
        when = START + datetime.timedelta(days=rng.randrange(30), seconds=rng.randrange(12 * 3600))
        responses.append(
            Response(
                campaign=campaign, questionnaire=questionnaire, client_uuid=uuid.UUID(int=i + 1),
                mode=Response.Mode.TABLET, unit=assignment.area, entered_by=user, answers=answers,
                status=Response.Status.SUBMITTED, submitted_at=when,
            )
        )  # fmt: skip
        phone = f"+8491{rng.randrange(10_000_000):07d}" if rng.random() > 0.002 else "+84912345678"
        records.append(
            (assignment, user, when, phone, 60 if rng.random() < 0.01 else rng.randrange(600, 1800))
        )
    responses = Response.objects.bulk_create(responses, batch_size=2000)
    FieldRecord.objects.bulk_create(
        [
            FieldRecord(
                response=response, assignment=a, enumerator=user, form_number=f"F{i:06d}",
                interviewed_at=when, duration_seconds=duration, respondent_phone=phone, area=a.area,
                service_area=a.service_area, received_at=when, payload_hash="0" * 64,
            )
            for i, (response, (a, user, when, phone, duration)) in enumerate(
                zip(responses, records, strict=True)
            )
        ],
        batch_size=2000,
    )  # fmt: skip
    return campaign


def best_of(repeat: int, fn) -> tuple[float, object]:
    fn()  # warm-up
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--queries", action="store_true", help="print each query of field_progress and its time"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-field-") as tmp:
        db = connection.settings_dict
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db["TEST"]["NAME"] = str(Path(tmp) / "bench.sqlite3")
        setup_test_environment()
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            ok = run(args)
        finally:
            teardown_databases(old_config, verbosity=0)
            teardown_test_environment()
    sys.exit(0 if ok else 1)


def run(args) -> bool:
    start = time.perf_counter()
    with transaction.atomic():
        campaign = create_campaign(args.interviews)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    elapsed = time.perf_counter() - start
    print(
        f"database  {connection.vendor}\ncampaign  {FieldRecord.objects.count():,} interviews, 10 teams, "
        f"100 enumerators, {Assignment.objects.count()} assignments (generated in {elapsed:.1f} s)"
    )
    progress_time, report = best_of(args.repeat, lambda: field_progress(campaign))
    if args.queries:
        with CaptureQueriesContext(connection) as captured:
            field_progress(campaign)
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:6.0f} ms  {query['sql'][:200]}")
    flags_time, flags = best_of(args.repeat, lambda: quality_flags(campaign))
    team_time, _ = best_of(
        args.repeat, lambda: quality_flags(campaign, team_ids=[campaign.field_teams.first().pk])
    )
    counts = {}
    for flag in flags:
        counts[flag.reason] = counts.get(flag.reason, 0) + 1
    print(
        f"progress  {report['overall']['submitted']:,} of {report['overall']['quota']:,}, "
        f"{len(report['by_enumerator'])} enumerators, {len(report['by_area'])} areas, "
        f"{len(report['by_day'])} days"
    )
    print("flags     " + ", ".join(f"{reason} {n}" for reason, n in sorted(counts.items())))
    print(f"field_progress  best {progress_time * 1000:.0f} ms")
    print(f"quality_flags   best {flags_time * 1000:.0f} ms (one team's view: {team_time * 1000:.0f} ms)")
    ok = progress_time < PROGRESS_TARGET and flags_time < FLAGS_TARGET
    print(
        f"{'PASS' if ok else 'FAIL'}: progress {progress_time * 1000:.0f} ms "
        f"vs {PROGRESS_TARGET * 1000:.0f} ms, flags {flags_time:.2f} s vs {FLAGS_TARGET:.0f} s"
    )
    return ok


if __name__ == "__main__":
    main()
