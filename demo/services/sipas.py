"""Demo SIPAS weighting: the population table of the current SIPAS campaign's communes and wards (gender ×
age group, synthetic, from the demo's commune populations), proposed by one coordinator and confirmed by
another, and the PAR campaign linked to its SIPAS campaign. Running it again changes nothing."""

import csv
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model

from analysis.models import MarginSet
from analysis.services.margins import decide_margins, propose_margins
from respondents.models import Campaign, Unit

from .registry import COMMUNES

# Adults (18+) by age group and gender, as shares of a commune's people (synthetic, census-like).
AGE_SHARES = {"18-29": 0.27, "30-44": 0.31, "45-59": 0.24, "60+": 0.18}
GENDER_SHARES = {"male": 0.5, "female": 0.5}
ADULT_SHARE = 0.68


def seed_demo_sipas_weighting(*, par: Campaign, sipas: Campaign) -> dict:
    if par.sipas_campaign_id != sipas.pk:
        par.sipas_campaign = sipas
        par.save(update_fields=["sipas_campaign"])
    if MarginSet.objects.filter(campaign=sipas).exists():
        return {"margins": 0}
    populations = {code: people for code, _name, _from, people in COMMUNES}
    areas = [u for u in sipas.units.filter(kind=Unit.Kind.COMMUNE).order_by("code") if u.code in populations]
    if not areas:
        return {"margins": 0}
    User = get_user_model()
    proposer, confirmer = User.objects.get(username="snv"), User.objects.get(username="snv-2")
    with tempfile.TemporaryDirectory(prefix="demo-margins-") as tmp:
        path = Path(tmp) / "dan-so-xa-phuong.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Mã xã, phường", "Giới tính", "Nhóm tuổi", "Dân số"])
            for unit in areas:
                for gender, g_share in GENDER_SHARES.items():
                    for age, a_share in AGE_SHARES.items():
                        people = round(populations[unit.code] * ADULT_SHARE * g_share * a_share)
                        writer.writerow([unit.code, "Nam" if gender == "male" else "Nữ", age, people])
        report = propose_margins(campaign=sipas, path=path, file_name=path.name, user=proposer)
    if not report.ok:
        raise ValueError(f"demo margins: {[str(e) for e in report.errors]}")
    problem = decide_margins(margin_set=report.margin_set, user=confirmer, confirm=True)
    if problem:
        raise ValueError(problem)
    return {"margins": report.rows}
