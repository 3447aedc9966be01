"""python manage.py seed_demo: load the demo province, campaign, users and respondents (idempotent)."""

from django.core.management.base import BaseCommand

from respondents.services.demo import seed_demo


class Command(BaseCommand):
    help = "Load a demo province (Lào Cai-like) with a PAR campaign, demo users and synthetic respondents."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="campaign year (default: this year)")

    def handle(self, *args, **opts):
        result = seed_demo(year=opts["year"])
        campaign = result["campaign"]
        self.stdout.write(
            f"Demo campaign: {campaign.slug} ({campaign.name}); "
            f"{result['respondents_created']} respondents created this run"
        )
        self.stdout.write(f"Demo logins (password for all: {result['password']}):")
        for line in (
            "admin      superuser (Django admin at /admin/)",
            "snv        coordinator, Sở Nội vụ",
            "dm-stp     focal point, Sở Tư pháp",
            "dm-batxat  focal point, Huyện Bát Xát",
            "dm-sct     focal point, Sở Công Thương (list not sent yet)",
        ):
            self.stdout.write("  " + line)
