"""Demo survey data on top of the demo province: questionnaires, invitations, sent messages and responses.

Synthetic only. About 70% of the invited open their link, 60% start and half submit, spread over the days
since the survey opened, so that the tracking page shows a realistic campaign in progress.
"""

import datetime
import random
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from respondents.models import Campaign
from surveys.models import Invitation, Message, Response
from surveys.services.answers import is_visible
from surveys.services.definitions import parse_definition_file, questions
from surveys.services.invitations import create_invitations, issue_link
from surveys.services.questionnaires import load_questionnaire

DEFINITIONS = Path(__file__).resolve().parents[2] / "surveys" / "definitions"


def random_answers(definition: dict, rng: random.Random, *, positive: float = 0.75) -> dict:
    """Valid answers to every visible question; scales lean positive with probability `positive`."""
    answers: dict = {}
    for question in questions(definition):
        if not is_visible(question, answers):
            continue
        kind = question["type"]
        if kind in ("scale", "single"):
            options = [o for o in question["options"] if not o.get("missing")]
            if kind == "scale" and rng.random() < positive:
                options = options[len(options) // 2 :]
            answers[question["code"]] = rng.choice(options)["value"]
        elif kind == "multiple":
            picked = rng.sample(question["options"], k=rng.randint(1, min(2, len(question["options"]))))
            answers[question["code"]] = [o["value"] for o in question["options"] if o in picked]
        elif kind == "number":
            answers[question["code"]] = rng.randint(int(question.get("min", 0)), int(question.get("max", 10)))
        elif question.get("required", True):
            answers[question["code"]] = "Không có ý kiến thêm."
    return answers


@transaction.atomic
def seed_demo_surveys(*, campaign: Campaign, rng: random.Random, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    if campaign.survey_opens is None:
        campaign.survey_opens = today - datetime.timedelta(days=10)
        campaign.survey_closes = today + datetime.timedelta(days=20)
        campaign.response_targets = {
            "hdnd": 80,
            "dept_leader": 90,
            "division_leader": 80,
            "district_leader": 85,
            "commune_leader": 85,
        }
        campaign.status = Campaign.Status.SURVEYING
        campaign.save()
    surveyed = set(campaign.groups.values_list("code", flat=True))
    for path in sorted(DEFINITIONS.glob("par_*.yaml")):
        groups = set(parse_definition_file(path).definition["groups"])
        if not groups & surveyed:
            continue  # district leaders before July 2025, commune-level leaders after (methodology §6)
        report = load_questionnaire(campaign=campaign, path=path)
        if report.errors:
            raise ValueError(f"{path.name}: {report.errors}")
    create_invitations(campaign=campaign)
    if Message.objects.filter(invitation__campaign=campaign).exists():
        return {"responses": 0}
    opened = datetime.datetime.combine(
        campaign.survey_opens, datetime.time(8), tzinfo=timezone.get_current_timezone()
    )
    days = max((today - campaign.survey_opens).days, 1)
    messages, responses = [], []
    invitations = list(
        Invitation.objects.filter(campaign=campaign).select_related("questionnaire", "respondent")
    )
    for invitation in invitations:
        messages.append(
            Message(
                invitation=invitation,
                channel="email",
                kind="invitation",
                to=invitation.respondent.email,
                status="sent",
                attempts=1,
                sent_at=opened,
                provider_id=f"demo-{invitation.pk}",
            )
        )
        roll = rng.random()
        if roll > 0.7:
            continue
        invitation.opened_at = opened + datetime.timedelta(days=rng.randrange(days), hours=rng.randint(0, 9))
        if roll > 0.6:
            continue
        invitation.started_at = invitation.opened_at + datetime.timedelta(minutes=rng.randint(1, 30))
        submitted = roll < 0.5
        if submitted:
            invitation.submitted_at = invitation.started_at + datetime.timedelta(minutes=rng.randint(5, 40))
        responses.append(
            Response(
                campaign=campaign,
                questionnaire=invitation.questionnaire,
                invitation=invitation,
                answers=random_answers(invitation.questionnaire.definition, rng),
                status=Response.Status.SUBMITTED if submitted else Response.Status.DRAFT,
                submitted_at=invitation.submitted_at,
            )
        )
    Message.objects.bulk_create(messages, batch_size=500)
    Invitation.objects.bulk_update(invitations, ["opened_at", "started_at", "submitted_at"], batch_size=500)
    Response.objects.bulk_create(responses, batch_size=500)
    return {"responses": len(responses)}


def demo_links(*, campaign: Campaign, count: int = 3) -> list[tuple[str, str]]:
    """(who, link) for a few invited respondents who have not submitted yet, one per group: personal links
    that work at once in the demo (each run issues fresh ones; earlier ones stay valid)."""
    waiting = (
        Invitation.objects.filter(campaign=campaign, submitted_at__isnull=True, respondent__retired_at=None)
        .select_related("respondent__group", "respondent__unit")
        .order_by("respondent__group__order", "pk")
    )
    links, groups = [], set()
    for invitation in waiting:
        respondent = invitation.respondent
        if respondent.group_id in groups:
            continue
        groups.add(respondent.group_id)
        link = issue_link(respondent=respondent, reason="demo")
        links.append((f"{respondent.full_name} ({respondent.group.name}, {respondent.unit.name})", link.url))
        if len(links) == count:
            break
    return links
