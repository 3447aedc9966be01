"""Demo SIPAS weighting: the sample design of the current SIPAS campaign as a design file drawn on paper (two
strata, the former Lào Cai and the former Yên Bái; the communes and wards the teams work in; three
villages each) loaded with field work's import_sample_design, each interview linked to a village of its
commune; the population table of the campaign's communes and wards (gender × age group, synthetic, from
the demo's commune populations), proposed by one coordinator and confirmed by another; and the PAR
campaign linked to its SIPAS campaign. Running it again changes nothing."""

import csv
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from openpyxl import Workbook

from analysis.models import MarginSet
from analysis.services.margins import decide_margins, propose_margins
from fieldwork.models import DrawnUnit, FieldRecord, SampleDesign
from fieldwork.services.design_file import import_sample_design
from respondents.models import Campaign, Unit

from .registry import COMMUNES

# Adults (18+) by age group and gender, as shares of a commune's people (synthetic, census-like).
AGE_SHARES = {"18-29": 0.27, "30-44": 0.31, "45-59": 0.24, "60+": 0.18}
GENDER_SHARES = {"male": 0.5, "female": 0.5}
ADULT_SHARE = 0.68


VILLAGES = 3  # drawn per commune or ward
VILLAGES_IN_FRAME = 12
PEOPLE_PER_HOUSEHOLD = 4


def seed_demo_sipas_design(*, sipas: Campaign) -> int:
    """The design file of the teams' communes, loaded, and each interview linked to a village; returns the
    number of interviews linked (0 when the campaign already has a design)."""
    if SampleDesign.objects.filter(campaign=sipas).exists():
        return 0
    populations = {code: people for code, _name, _from, people in COMMUNES}
    former = {code for code, _name, (_district, province), _people in COMMUNES if province}
    records = list(
        FieldRecord.objects.filter(assignment__campaign=sipas).select_related("area").order_by("pk")
    )
    worked = sorted({r.area.code for r in records if r.area.code in populations})
    if not worked:
        return 0
    per_commune = {code: sum(r.area.code == code for r in records) for code in worked}
    strata = {
        "LC": [c for c in populations if c not in former],
        "YB": [c for c in populations if c in former],
    }
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("Tầng")
    sheet.append(["Tầng", "Tên tầng", "Số xã trong khung", "Quy mô", "Số xã chọn"])
    for code, communes in strata.items():
        households = sum(populations[c] for c in communes) // PEOPLE_PER_HOUSEHOLD
        drawn = sum(c in worked for c in communes)
        name = "Lào Cai (cũ)" if code == "LC" else "Yên Bái (cũ)"
        sheet.append([code, name, len(communes), households, drawn])
    sheet = book.create_sheet("Xã")
    sheet.append(["Tầng", "Xã", "Quy mô", "Số thôn trong khung", "Số thôn chọn"])
    for code in worked:
        stratum = "YB" if code in former else "LC"
        sheet.append([stratum, code, populations[code] // PEOPLE_PER_HOUSEHOLD, VILLAGES_IN_FRAME, VILLAGES])
    sheet = book.create_sheet("Thôn")
    sheet.append(["Xã", "Thôn", "Quy mô", "Số hộ chọn", "Số phiếu"])
    for code in worked:
        households = populations[code] // PEOPLE_PER_HOUSEHOLD // VILLAGES_IN_FRAME
        drawn = -(-per_commune[code] // VILLAGES)
        for village in range(1, VILLAGES + 1):
            sheet.append([code, f"Thôn {village}", households + 40 * village, drawn, drawn])
    with tempfile.TemporaryDirectory(prefix="demo-design-") as tmp:
        path = Path(tmp) / "thiet-ke-mau-sipas.xlsx"
        book.save(path)
        report = import_sample_design(campaign=sipas, path=path)
    if not report.ok:
        raise ValueError(f"demo design: {[p.as_dict() for p in report.errors]}")
    villages: dict[str, list[DrawnUnit]] = {}
    for village in DrawnUnit.objects.filter(design__campaign=sipas, stage=2).select_related("parent__unit"):
        villages.setdefault(village.parent.unit.code, []).append(village)
    for number, record in enumerate(records):
        choices = sorted(villages.get(record.area.code, []), key=lambda v: v.name)
        record.drawn_village = choices[number % len(choices)] if choices else None
    FieldRecord.objects.bulk_update(records, ["drawn_village"], batch_size=500)
    return sum(r.drawn_village_id is not None for r in records)


def seed_demo_sipas_weighting(*, par: Campaign, sipas: Campaign) -> dict:
    if par.sipas_campaign_id != sipas.pk:
        par.sipas_campaign = sipas
        par.save(update_fields=["sipas_campaign"])
    linked = seed_demo_sipas_design(sipas=sipas)
    if MarginSet.objects.filter(campaign=sipas).exists():
        return {"margins": 0, "design": linked}
    populations = {code: people for code, _name, _from, people in COMMUNES}
    areas = [u for u in sipas.units.filter(kind=Unit.Kind.COMMUNE).order_by("code") if u.code in populations]
    if not areas:
        return {"margins": 0, "design": linked}
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
    return {"margins": report.rows, "design": linked}
