"""python manage.py create_campaign --slug S --kind par_officials --year 2023 --province "Lào Cai" """

import datetime

from django.core.management.base import BaseCommand, CommandError

from respondents.models import Campaign, Province
from respondents.services.setup import create_campaign


class Command(BaseCommand):
    help = "Create a campaign with the province's units valid in its year and the groups its kind surveys."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--kind", required=True, choices=Campaign.Kind.values)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--province", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--deadline", type=datetime.date.fromisoformat, help="list deadline (default Dec 10)"
        )
        parser.add_argument("--groups", help="comma-separated group codes (default: by kind and year)")

    def handle(self, *args, **opts):
        province = Province.objects.filter(name__iexact=opts["province"]).first()
        if province is None:
            raise CommandError(f"unknown province {opts['province']!r}; import its units first", returncode=2)
        if Campaign.objects.filter(slug=opts["slug"]).exists():
            raise CommandError(f"campaign {opts['slug']!r} exists already", returncode=2)
        groups = [g.strip() for g in opts["groups"].split(",")] if opts["groups"] else None
        try:
            campaign = create_campaign(
                slug=opts["slug"],
                kind=opts["kind"],
                year=opts["year"],
                province=province,
                name=opts["name"],
                list_deadline=opts["deadline"],
                group_codes=groups,
            )
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(
            f"{campaign.slug}: {campaign.units.count()} units, "
            f"groups {', '.join(campaign.groups.values_list('code', flat=True))}, "
            f"list deadline {campaign.list_deadline}"
        )
