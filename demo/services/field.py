"""Demo field work for the demo province: a SIPAS campaign collected by two Bưu điện teams.

Synthetic only: 4 enumerators (and a supervisor per team), assignments with quotas per district, and
~600 submitted SIPAS interviews spread over districts, modes, days and service areas. Satisfaction items
lean positive so that the SIPAS index comes out plausible (~80–90% satisfied; Lào Cai had 80.01% in 2020,
docs/methodology.md §6.6), with some "don't know" answers. Running it again changes nothing.
"""

import datetime
import random
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fieldwork.models import Assignment, FieldMember, FieldRecord, FieldTeam, ReviewEvent
from fieldwork.services.submissions import district_of
from respondents.models import Campaign, Province, Unit
from respondents.services.setup import create_campaign
from surveys.models import Questionnaire, Response
from surveys.services.answers import clean_answers, is_visible
from surveys.services.definitions import questions
from surveys.services.questionnaires import load_questionnaire

SIPAS_FILE = Path(__file__).resolve().parents[2] / "surveys" / "definitions" / "sipas_citizens.yaml"
DEMO_PASSWORD = "demo-par-2026"
# team code, name, districts (demo unit codes), members: (username, role, full name)
TEAMS = [
    (
        "bd-team1",
        "Bưu điện tỉnh – Đội 1 (Lào Cai, Bát Xát, Bảo Thắng, Sa Pa, Bảo Yên)",
        ["TPLC", "BATXAT", "BAOTHANG", "SAPA", "BAOYEN"],
        [
            ("bd-team1-a", "enumerator", "Nguyễn Thị Lan (Bưu điện)"),
            ("bd-team1-b", "enumerator", "Lò Văn Hùng (Bưu điện)"),
            ("bd-team1-gs", "supervisor", "Phạm Minh Tuấn (giám sát Đội 1)"),
        ],
    ),
    (
        "bd-team2",
        "Bưu điện tỉnh – Đội 2 (Bắc Hà, Mường Khương, Si Ma Cai, Văn Bàn)",
        ["BACHA", "MUONGKHUONG", "SIMACAI", "VANBAN"],
        [
            ("bd-team2-a", "enumerator", "Giàng Thị Mai (Bưu điện)"),
            ("bd-team2-b", "enumerator", "Hoàng Văn Sơn (Bưu điện)"),
            ("bd-team2-gs", "supervisor", "Vũ Thu Hương (giám sát Đội 2)"),
        ],
    ),
]
MODES = [("paper", 0.45), ("tablet", 0.3), ("phone", 0.2), ("web", 0.05)]
SERVICE_AREAS = [
    ("civil_status", 0.3),
    ("land", 0.25),
    ("labour_social", 0.12),
    ("construction", 0.08),
    ("business", 0.08),
    ("transport", 0.06),
    ("education_health", 0.05),
    ("environment", 0.03),
    ("other", 0.03),
]
# Satisfaction answers: 5 very satisfied … 1 very dissatisfied, 0 don't know (left out of the index).
SATISFACTION = [(5, 0.33), (4, 0.5), (3, 0.09), (2, 0.03), (1, 0.01), (0, 0.04)]


def _pick[T](rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def sipas_answers(definition: dict, rng: random.Random, *, service_area: str, mood: float = 0.0) -> dict:
    """Plausible answers; `mood` (−0.1…0.1) shifts a district's satisfaction a little."""
    answers: dict = {}
    weights = [(v, w * (1 + mood * 3) if v in (4, 5) else w) for v, w in SATISFACTION]
    for question in questions(definition):
        if not is_visible(question, answers):
            continue
        code, kind = question["code"], question["type"]
        if code == "screening.area":
            answers[code] = service_area
        elif code == "screening.channel":
            answers[code] = _pick(rng, [("in_person", 0.7), ("postal", 0.12), ("online", 0.18)])
        elif code == "feedback.given":
            answers[code] = 1 if rng.random() < 0.15 else 2
        elif kind == "scale":
            allowed = {o["value"] for o in question["options"]}
            answers[code] = _pick(rng, [(v, w) for v, w in weights if v in allowed])
        elif kind in ("single", "multiple"):
            options = [o["value"] for o in question["options"] if not o.get("missing")]
            if kind == "single":
                answers[code] = rng.choice(options)
            elif rng.random() < 0.6:
                answers[code] = sorted(rng.sample(options, k=min(2, len(options))), key=options.index)
        elif kind == "number":
            answers[code] = rng.randint(int(question.get("min", 0)), int(question.get("max", 10)))
        elif kind == "text" and rng.random() < 0.1:
            answers[code] = rng.choice(
                ["Cán bộ nhiệt tình.", "Nên rút ngắn thời gian chờ.", "Không có ý kiến."]
            )
    return answers


def sipas_campaign(province: Province, year: int, today: datetime.date) -> Campaign:
    campaign = Campaign.objects.filter(
        province=province, kind=Campaign.Kind.SIPAS_CITIZENS, year=year
    ).first()
    if campaign is None:
        campaign = create_campaign(
            slug=f"sipas-{year}", kind=Campaign.Kind.SIPAS_CITIZENS, year=year, province=province
        )
    if campaign.survey_opens is None:
        campaign.survey_opens = today - datetime.timedelta(days=14)
        campaign.survey_closes = today + datetime.timedelta(days=16)
        campaign.status = Campaign.Status.SURVEYING
        campaign.save()
    return campaign


@transaction.atomic
def seed_field_demo(
    *,
    province: Province,
    year: int,
    rng: random.Random,
    today: datetime.date | None = None,
    target: int = 600,
) -> dict:
    today = today or timezone.localdate()
    campaign = sipas_campaign(province, year, today)
    report = load_questionnaire(campaign=campaign, path=SIPAS_FILE)
    if report.errors:
        raise ValueError(f"{SIPAS_FILE.name}: {report.errors}")
    questionnaire = Questionnaire.objects.get(campaign=campaign, code="sipas-citizens", is_current=True)
    units = {u.code: u for u in Unit.objects.filter(province=province).select_related("parent")}
    User = get_user_model()
    assignments: list[Assignment] = []
    for code, name, districts, members in TEAMS:
        team, _ = FieldTeam.objects.get_or_create(campaign=campaign, code=code, defaults={"name": name})
        enumerators = []
        for username, role, full_name in members:
            user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            FieldMember.objects.get_or_create(team=team, user=user, defaults={"role": role})
            if role == "enumerator":
                enumerators.append(user)
        for index, district in enumerate(d for d in districts if d in units):
            assignment, _ = Assignment.objects.get_or_create(
                campaign=campaign,
                team=team,
                enumerator=enumerators[index % len(enumerators)],
                area=units[district],
                defaults={"questionnaire": questionnaire, "quota": 75},
            )
            assignments.append(assignment)
    if FieldRecord.objects.filter(assignment__campaign=campaign).exists() or not assignments:
        return {"campaign": campaign, "responses": 0}
    start = campaign.survey_opens
    days = max((today - start).days, 1)
    moods = {a.pk: rng.uniform(-0.08, 0.06) for a in assignments}
    counters = {code: 0 for code, *_rest in TEAMS}
    responses, records = [], []
    for n in range(target):
        assignment = assignments[n % len(assignments)]
        service_area = _pick(rng, SERVICE_AREAS)
        answers = sipas_answers(
            questionnaire.definition, rng, service_area=service_area, mood=moods[assignment.pk]
        )
        answers, errors = clean_answers(questionnaire.definition, answers, final=True)
        if errors:
            raise ValueError(f"demo answers invalid: {errors}")
        mode = _pick(rng, MODES)
        day = start + datetime.timedelta(days=rng.randrange(days))
        interviewed = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time(rng.randint(7, 17), rng.randint(0, 59)))
        )
        received = interviewed + datetime.timedelta(
            hours=rng.randint(0, 30) if mode == "paper" else 0, minutes=5
        )
        received = min(received, timezone.now())
        team_code = assignment.team.code
        counters[team_code] += 1
        responses.append(
            Response(
                campaign=campaign,
                questionnaire=questionnaire,
                client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                mode=mode,
                unit=assignment.area,
                entered_by_id=assignment.enumerator_id,
                answers=answers,
                status=Response.Status.SUBMITTED,
                submitted_at=received,
            )
        )
        records.append(
            FieldRecord(
                assignment=assignment,
                enumerator_id=assignment.enumerator_id,
                form_number=f"{team_code.upper()}-{counters[team_code]:05d}" if mode == "paper" else "",
                interviewed_at=interviewed,
                duration_seconds=rng.randint(420, 1500) if rng.random() > 0.02 else rng.randint(60, 150),
                respondent_phone=f"+849{rng.randint(10_000_000, 99_999_999)}" if mode == "phone" else "",
                area=assignment.area,
                district=district_of(assignment.area),
                service_area=service_area,
                received_at=received,
                source=FieldRecord.Source.API if mode != "paper" else FieldRecord.Source.PAGE,
                payload_hash="demo",
            )
        )
    Response.objects.bulk_create(responses, batch_size=500)
    for response, record in zip(responses, records, strict=True):
        record.response = response
    FieldRecord.objects.bulk_create(records, batch_size=500)
    _review(records, today)
    return {"campaign": campaign, "responses": len(responses)}


def _review(records: list[FieldRecord], today: datetime.date) -> None:
    """The supervisors' review (docs/decisions.md D356): interviews older than two days mostly approved,
    a few on hold or rejected with a reason; the last two days' still received. Its own random stream, so
    that the interviews themselves stay as they were."""
    rng = random.Random(8)
    supervisors = dict(
        FieldMember.objects.filter(
            role=FieldMember.Role.SUPERVISOR, team__in={r.assignment.team_id for r in records}
        ).values_list("team_id", "user_id")
    )
    reasons = {
        "on_hold": "Gọi lại người trả lời để xác minh",
        "rejected": "Phỏng vấn không đúng đối tượng",
    }
    events = []
    now = timezone.now()
    for record in records:
        if (today - timezone.localdate(record.interviewed_at)).days < 2:
            continue
        state = _pick(rng, [("approved", 0.95), ("on_hold", 0.03), ("rejected", 0.02)])
        record.review_state, record.reviewed_at = state, now
        record.reviewed_by_id = supervisors.get(record.assignment.team_id)
        events.append(
            ReviewEvent(
                record=record,
                from_state="received",
                to_state=state,
                reason=reasons.get(state, ""),
                by_id=record.reviewed_by_id,
            )
        )
    FieldRecord.objects.bulk_update(
        [r for r in records if r.reviewed_at], ["review_state", "reviewed_at", "reviewed_by"], batch_size=500
    )
    ReviewEvent.objects.bulk_create([e for e in events if e.by_id], batch_size=500)
