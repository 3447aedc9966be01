"""python manage.py compute_indices --campaign S [--format json|table] [-o report.xlsx]
[--officials-method NAME] [--sipas-method NAME]

The campaign's index: domains (self-assessed, appraised, survey, final points), band, rank, change against
last year, officials' survey and SIPAS results, and the points lost per sub-criterion. Exit status 0 computed,
2 usage error (unknown campaign, no assessment).
"""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from analysis import officials
from analysis.indices import as_dict, campaign_indices
from analysis.report_xlsx import workbook_bytes
from analysis.sipas.methods import DEFAULT_METHOD as SIPAS_DEFAULT
from analysis.sipas.methods import METHODS as SIPAS_METHODS
from respondents.models import Campaign


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Command(BaseCommand):
    help = "PAR INDEX of a campaign: domain scores, index, band, rank, change, survey points, points lost."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="campaign slug")
        parser.add_argument("--format", default="table", choices=["json", "table"])
        parser.add_argument("-o", "--output", help="also write the Excel report to this .xlsx file")
        parser.add_argument(
            "--officials-method",
            default=None,
            choices=sorted(officials.METHODS),
            help="default: the campaign's index settings",
        )
        parser.add_argument("--sipas-method", default=SIPAS_DEFAULT, choices=sorted(SIPAS_METHODS))
        parser.add_argument(
            "--by", action="append", default=None, help="SIPAS breakdown (default: unit and area)"
        )

    def handle(self, *args, **opts):
        campaign = Campaign.objects.filter(slug=opts["campaign"]).first()
        if campaign is None:
            raise CommandError(f"unknown campaign {opts['campaign']!r}", returncode=2)
        result = campaign_indices(
            campaign,
            officials_method=opts["officials_method"],
            sipas_method=opts["sipas_method"],
            sipas_by=opts["by"] if opts["by"] is not None else ["unit", "area"],
        )
        if result.main is None:
            raise CommandError(f"campaign {campaign.slug!r} has no assessment to compute", returncode=2)
        data = as_dict(result)
        if opts["output"]:
            with open(opts["output"], "wb") as handle:
                handle.write(workbook_bytes(result))
        if opts["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        else:
            self.stdout.write(_table(data))
        if opts["output"]:
            self.stderr.write(f"report written to {opts['output']}")


def _standing_line(standing: dict | None) -> str:
    if standing is None:
        return "standing: no national figures loaded (import_published_results)"
    label = "illustrative " if standing["illustrative"] else ""
    return (
        f"standing: {standing['rank']}/{standing['provinces']} in the {label}published table of "
        f"{standing['year']} ({standing['source']}); national mean {_fmt(standing['mean'])}; "
        f"to group A {_fmt(standing['to_group_a'])}; to the leader ({standing['leader']}) "
        f"{_fmt(standing['to_leader'])}"
    )


def _fmt(value, places: int = 2) -> str:
    return "–" if value is None else f"{float(value):.{places}f}"


def _table(data: dict) -> str:
    rank = f"{data['rank']}/{data['rank_of']}" if data.get("rank") else "–"
    basis = data["basis"]
    standing = data["standing"]
    lines = [
        f"{data['campaign']} ({data['year']}): {data.get('assessed', '')}",
        f"criteria: {basis['tree_label']}{'' if basis['confirmed'] else ' (placeholder maxima)'}; "
        f"officials' conversion {basis['officials_method'] or '–'}; "
        f"SIPAS method {basis['sipas_method'] or '–'}",
        f"index {_fmt(data['index'])} / 100; band {data['band'] or '–'}; rank {rank}; "
        f"change {_fmt(data['change'])}",
        _standing_line(standing),
        "",
        f"{'domain':<6} {'max':>6} {'self':>8} {'appraised':>9} {'survey':>8} {'final':>8} {'%':>7}  name",
    ]
    for d in data["domains"]:
        lines.append(
            f"{d['code']:<6} {_fmt(d['max']):>6} {_fmt(d['self']):>8} {_fmt(d['appraised']):>9} "
            f"{_fmt(d['survey']):>8} {_fmt(d['final']):>8} {_fmt(d['share']):>7}  {d['name'][:60]}"
        )
    sipas = data["survey"]["sipas"]
    lines.append("")
    if sipas:
        lines.append(
            f"SIPAS {_fmt(sipas['index'])}% (95% CI {_fmt(sipas['ci_low'])}–{_fmt(sipas['ci_high'])}), "
            f"{sipas['respondents']} respondents, method {sipas['method']}"
        )
    else:
        lines.append("SIPAS: no result")
    survey = data["survey"]["officials"]
    if survey:
        lines.append(
            f"officials' survey: {_fmt(survey['points'], 4)} of {_fmt(survey['max'])} points, "
            f"{survey['respondents']} respondents, method {survey['method']}"
        )
    lines += ["", "points lost (largest first):"]
    for p in data["points_lost"][:15]:
        lines.append(f"  {p['code']:<8} {_fmt(p['lost'], 4):>8} of {_fmt(p['max']):>5}  {p['name'][:70]}")
    for note in data["notes"]:
        lines.append(f"note: {note}")
    return "\n".join(lines)
