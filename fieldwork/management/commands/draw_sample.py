"""python manage.py draw_sample --campaign S [--seed N] [--psus 6] [--villages 3] [--units 30]
[--reserves 5] [--psu-method pps_systematic|srs|all] [--ssu-method …] [--strata none|district]

Draws the campaign's sample from its sampling frame (docs/reference/field-sample.md). The same frame and
seed give the same sample. Exit status: 0 drawn, 1 refused (empty frame, sample already in the field),
2 usage error.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from fieldwork.models import SampleDesign
from fieldwork.services.design import DrawSettings, draw_sample
from respondents.models import Campaign

METHODS = [SampleDesign.Method.PPS, SampleDesign.Method.SRS, SampleDesign.Method.ALL]


class Command(BaseCommand):
    help = "Draw a campaign's multi-stage sample from its sampling frame, seeded and reproducible."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--psus", type=int, default=6, help="communes/wards drawn in all")
        parser.add_argument("--villages", type=int, default=3, help="villages drawn per commune")
        parser.add_argument("--units", type=int, default=30, help="households/people drawn per village")
        parser.add_argument("--reserves", type=int, default=5, help="reserves drawn per village")
        parser.add_argument("--psu-method", choices=METHODS, default=SampleDesign.Method.PPS)
        parser.add_argument("--ssu-method", choices=METHODS, default=SampleDesign.Method.PPS)
        parser.add_argument(
            "--final-method", choices=[SampleDesign.Method.SRS, SampleDesign.Method.ALL], default="srs"
        )
        parser.add_argument("--strata", choices=SampleDesign.Strata.values, default=SampleDesign.Strata.NONE)

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        settings = DrawSettings(
            psu_count=opts["psus"],
            ssu_per_psu=opts["villages"],
            units_per_ssu=opts["units"],
            reserves_per_ssu=opts["reserves"],
            psu_method=opts["psu_method"],
            ssu_method=opts["ssu_method"],
            final_method=opts["final_method"],
            stratify_by=opts["strata"],
            seed=opts["seed"],
        )
        report = draw_sample(campaign=campaign, user=None, settings=settings)
        if not report.ok:
            for message in report.errors:
                self.stderr.write(f"ERROR {message}")
            sys.exit(1)
        self.stdout.write(
            f"{campaign.slug}: drawn with seed {report.design.seed}; strata {report.strata}, communes "
            f"{report.psus}, villages {report.ssus}, households/people {report.units}, "
            f"reserves {report.reserves}"
        )
