"""python manage.py seed_demo: the demo province end to end (registry, surveys, field work, scoring, indices;
idempotent). It lives in demo, on top of every app it builds on."""

import random

from django.core.management.base import BaseCommand

from demo.services.assessment import seed_demo_scoring
from demo.services.field import seed_field_demo
from demo.services.indices import seed_demo_indices
from demo.services.questionnaires import demo_links, seed_demo_surveys
from demo.services.registry import seed_demo
from demo.services.sipas import seed_demo_sipas_weighting


class Command(BaseCommand):
    help = "Load a demo province (Lào Cai-like): PAR campaign, users, respondents, questionnaires, responses."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="campaign year (default: this year)")

    def handle(self, *args, **opts):
        result = seed_demo(year=opts["year"])
        campaign = result["campaign"]
        survey = seed_demo_surveys(campaign=campaign, rng=random.Random(campaign.year))
        field = seed_field_demo(
            province=campaign.province, year=campaign.year, rng=random.Random(campaign.year + 1)
        )
        scoring = seed_demo_scoring(
            campaign=campaign, password=result["password"], rng=random.Random(campaign.year)
        )
        self.stdout.write(
            f"Demo campaign: {campaign.slug} ({campaign.name}); "
            f"{result['respondents_created']} respondents and {survey['responses']} responses created"
        )
        self.stdout.write(f"Scoring: {scoring['assessment']} ({scoring['scores']} scores entered)")
        self.stdout.write(
            f"SIPAS field campaign: {field['campaign'].slug}; {field['responses']} field responses created"
        )
        weighting = seed_demo_sipas_weighting(par=campaign, sipas=field["campaign"])
        self.stdout.write(
            f"SIPAS weighting: {weighting['design']} interviews linked to the sample design, "
            f"{weighting['margins']} population cells confirmed for {field['campaign'].slug}"
        )
        indices = seed_demo_indices(campaign=campaign, rng=random.Random(campaign.year + 2))
        self.stdout.write(
            f"Indices: {indices['earlier_campaigns']} earlier campaigns for the trend, "
            f"{indices['published_tables']} ILLUSTRATIVE national tables (minh hoạ, not published figures)"
        )
        self.stdout.write(f"Demo logins (password for all: {result['password']}):")
        for line in (
            "admin      superuser (Django admin at /admin/)",
            "snv        coordinator, Sở Nội vụ (snv-2: a second coordinator, confirms margins and methods)",
            "dm-stp     focal point, Sở Tư pháp",
            "dm-batxat  focal point, Xã Bát Xát (a commune of the merged province)",
            "dm-sct     focal point, Sở Công Thương (list not sent yet)",
            "phan-tich  analyst (tracking and index results, pseudonymised)",
            "bd-team1-a, bd-team1-b, bd-team2-a, bd-team2-b  Bưu điện enumerators (SIPAS field work)",
            "bd-team1-gs, bd-team2-gs                        Bưu điện team supervisors",
            "cham-stp   scorer, Sở Tư pháp (also cham-snv, cham-vpubnd, cham-stc, cham-stttt, cham-skhdt)",
            "hdtd       appraisal council member",
        ):
            self.stdout.write("  " + line)
        self.stdout.write(
            "Personal survey links (answer as a respondent; a new one: manage.py survey_link ID):"
        )
        for who, url in demo_links(campaign=campaign):
            self.stdout.write(f"  {url}  {who}")
