"""Demo data the index needs on top of the other demos: a SIPAS campaign with answers for the demo year when
field work's demo has not made one, three earlier years (assessment, officials' answers, SIPAS) so that the
dashboard shows a change and a trend, each scored under the criteria set of its year (a 2026 demo has 2023
under 876 and 2024–2026 under 892), and the illustrative national tables (demo/services/published.py).
Synthetic; running it again changes nothing."""

import datetime
import random
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from respondents.models import Campaign, Province, Unit
from respondents.services.setup import create_campaign
from scoring.models import Criterion, Score
from scoring.selectors import trees_for_year
from scoring.services.campaigns import open_province_assessment
from surveys.models import Questionnaire, Response
from surveys.services.questionnaires import load_questionnaire

from .assessment import load_shipped_trees
from .published import seed_published_tables
from .questionnaires import random_answers

DEFINITIONS = Path(__file__).resolve().parents[2] / "surveys" / "definitions"
SIPAS_RESPONSES = 600
EARLIER_YEARS = 3


@transaction.atomic
def seed_demo_indices(*, campaign: Campaign, rng: random.Random) -> dict:
    created = {"sipas_responses": 0, "earlier_campaigns": 0}
    created["sipas_responses"] += _sipas(
        campaign.province, campaign.year, SIPAS_RESPONSES, rng, positive=0.85
    )
    load_shipped_trees()
    for back in range(1, EARLIER_YEARS + 1):
        year = campaign.year - back
        if _earlier_par(campaign, year, rng, level=1 - 0.04 * back):
            created["earlier_campaigns"] += 1
            created["sipas_responses"] += _sipas(
                campaign.province, year, 200, rng, positive=0.85 - 0.04 * back
            )
    created["published_tables"] = seed_published_tables(random.Random(campaign.year + 3))
    return created


def _sipas(province: Province, year: int, count: int, rng: random.Random, *, positive: float) -> int:
    """A SIPAS campaign of the province and year with `count` paper questionnaires, unless one has answers."""
    existing = Campaign.objects.filter(province=province, year=year, kind=Campaign.Kind.SIPAS_CITIZENS)
    if Response.objects.filter(campaign__in=existing, status=Response.Status.SUBMITTED).exists():
        return 0
    campaign = existing.order_by("slug").first() or create_campaign(
        slug=f"sipas-{year}", kind=Campaign.Kind.SIPAS_CITIZENS, year=year, province=province
    )
    report = load_questionnaire(campaign=campaign, path=DEFINITIONS / "sipas_citizens.yaml")
    if report.errors:
        raise ValueError(f"sipas_citizens.yaml: {report.errors}")
    questionnaire = Questionnaire.objects.get(campaign=campaign, code="sipas-citizens", is_current=True)
    units = list(campaign.units.filter(kind__in=[Unit.Kind.DISTRICT, Unit.Kind.COMMUNE]))
    units = units or list(campaign.units.all())
    submitted = datetime.datetime(year, 10, 15, 9, tzinfo=datetime.UTC)
    Response.objects.bulk_create(
        [
            Response(
                campaign=campaign,
                questionnaire=questionnaire,
                mode=Response.Mode.PAPER,
                unit=rng.choice(units),
                answers=random_answers(questionnaire.definition, rng, positive=positive),
                status=Response.Status.SUBMITTED,
                submitted_at=submitted + datetime.timedelta(hours=rng.randrange(24 * 30)),
            )
            for _ in range(count)
        ],
        batch_size=500,
    )
    return count


def _earlier_par(campaign: Campaign, year: int, rng: random.Random, *, level: float) -> bool:
    """An earlier PAR campaign with an appraised assessment under the criteria set of its year and 80
    officials' answers (not tied to people: the demo keeps no respondent lists for past years, so these
    answers have no group). A year no shipped set covers (before 2022) is left out."""
    slug = f"par-{year}"
    if Campaign.objects.filter(slug=slug).exists() or not trees_for_year(year):
        return False
    earlier = create_campaign(
        slug=slug, kind=Campaign.Kind.PAR_OFFICIALS, year=year, province=campaign.province
    )
    earlier.status = Campaign.Status.CLOSED
    earlier.save(update_fields=["status"])
    assessment = open_province_assessment(campaign=earlier)
    tree = assessment.tree
    scores = []
    for item in Criterion.objects.filter(tree=tree, is_leaf=True).exclude(scored_by="survey"):
        share = Decimal(str(min(1.0, max(0.0, rng.gauss(0.85 * level, 0.15)))))
        points = (item.max_points * share).quantize(Decimal("0.01"))
        appraised = (points * Decimal("0.95")).quantize(Decimal("0.01"))
        scores.append(
            Score(assessment=assessment, criterion=item, self_points=points, appraised_points=appraised)
        )
    Score.objects.bulk_create(scores)
    load_questionnaire(campaign=earlier, path=DEFINITIONS / "par_officials.yaml")
    questionnaire = Questionnaire.objects.get(campaign=earlier, code="par-officials", is_current=True)
    Response.objects.bulk_create(
        [
            Response(
                campaign=earlier,
                questionnaire=questionnaire,
                answers=random_answers(questionnaire.definition, rng, positive=0.7 * level),
                status=Response.Status.SUBMITTED,
                submitted_at=datetime.datetime(year, 12, 20, 9, tzinfo=datetime.UTC),
            )
            for _ in range(80)
        ]
    )
    return True
