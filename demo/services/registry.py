"""A demo province (Lào Cai-like) with a PAR campaign, demo users and ~600 synthetic respondents.

The province is shown across the two-level local government (methodology.md §6): until 30 June 2025 the
former Lào Cai had districts (and so had the former Yên Bái, a province of its own); from 1 July 2025 the
merged Lào Cai has communes and wards, no districts. Units are dated, so campaigns of 2023 and 2024 take the
districts and campaigns of 2025 and 2026 the communes and wards (a demo subset of them), and the successions
(former district → new communes, with populations) let figures be compared across the merger.

Synthetic data only: names are drawn from common Vietnamese name parts, e-mails use a demo domain and phone
numbers are random valid mobile numbers. Running it again changes nothing.
"""

import datetime
import random
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from respondents.models import (
    Campaign,
    ImportBatch,
    Membership,
    Province,
    Respondent,
    RespondentGroup,
    Unit,
    UnitSuccession,
)
from respondents.services.setup import create_campaign

PROVINCE = ("lao-cai", "Lào Cai")
COUNCIL = [("HDND", "Hội đồng nhân dân tỉnh")]
DEPARTMENTS = [
    ("SNV", "Sở Nội vụ"),
    ("STP", "Sở Tư pháp"),
    ("VPUBND", "Văn phòng UBND tỉnh"),
    ("STC", "Sở Tài chính"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("STTTT", "Sở Thông tin và Truyền thông"),
    ("SCT", "Sở Công Thương"),
    ("SGTVTXD", "Sở Giao thông vận tải - Xây dựng"),
    ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("SKHCN", "Sở Khoa học và Công nghệ"),
    ("SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("TTT", "Thanh tra tỉnh"),
]
DISTRICTS = [
    ("TPLC", "Thành phố Lào Cai"),
    ("BATXAT", "Huyện Bát Xát"),
    ("BAOTHANG", "Huyện Bảo Thắng"),
    ("BAOYEN", "Huyện Bảo Yên"),
    ("BACHA", "Huyện Bắc Hà"),
    ("MUONGKHUONG", "Huyện Mường Khương"),
    ("SAPA", "Thị xã Sa Pa"),
    ("SIMACAI", "Huyện Si Ma Cai"),
    ("VANBAN", "Huyện Văn Bàn"),
]
# The former Yên Bái province (merged into Lào Cai on 1 July 2025): its districts, dated.
FORMER_PROVINCE = ("yen-bai", "Yên Bái")
FORMER_DISTRICTS = [
    ("TPYB", "Thành phố Yên Bái"),
    ("NGHIALO", "Thị xã Nghĩa Lộ"),
    ("LUCYEN", "Huyện Lục Yên"),
    ("MUCANGCHAI", "Huyện Mù Cang Chải"),
    ("TRANYEN", "Huyện Trấn Yên"),
    ("VANCHAN", "Huyện Văn Chấn"),
    ("YENBINH", "Huyện Yên Bình"),
]
TWO_LEVEL_FROM = datetime.date(2025, 7, 1)
# Communes and wards of the merged province (a demo subset): code, name, predecessor district (code,
# former province or None for Lào Cai itself), population of the predecessor's part.
COMMUNES = [
    ("PLAOCAI", "Phường Lào Cai", ("TPLC", None), 71_000),
    ("PCAMDUONG", "Phường Cam Đường", ("TPLC", None), 52_000),
    ("XBATXAT", "Xã Bát Xát", ("BATXAT", None), 24_000),
    ("XYTY", "Xã Y Tý", ("BATXAT", None), 9_000),
    ("XBAOTHANG", "Xã Bảo Thắng", ("BAOTHANG", None), 31_000),
    ("XBAOYEN", "Xã Bảo Yên", ("BAOYEN", None), 22_000),
    ("XBACHA", "Xã Bắc Hà", ("BACHA", None), 18_000),
    ("XMUONGKHUONG", "Xã Mường Khương", ("MUONGKHUONG", None), 17_000),
    ("PSAPA", "Phường Sa Pa", ("SAPA", None), 26_000),
    ("XSIMACAI", "Xã Si Ma Cai", ("SIMACAI", None), 14_000),
    ("XVANBAN", "Xã Văn Bàn", ("VANBAN", None), 21_000),
    ("PYENBAI", "Phường Yên Bái", ("TPYB", "yen-bai"), 60_000),
    ("PVANPHU", "Phường Văn Phú", ("TPYB", "yen-bai"), 28_000),
    ("PNGHIALO", "Phường Nghĩa Lộ", ("NGHIALO", "yen-bai"), 32_000),
    ("XLUCYEN", "Xã Lục Yên", ("LUCYEN", "yen-bai"), 25_000),
    ("XMUCANGCHAI", "Xã Mù Cang Chải", ("MUCANGCHAI", "yen-bai"), 16_000),
    ("XTRANYEN", "Xã Trấn Yên", ("TRANYEN", "yen-bai"), 23_000),
    ("XVANCHAN", "Xã Văn Chấn", ("VANCHAN", "yen-bai"), 27_000),
    ("XYENBINH", "Xã Yên Bình", ("YENBINH", "yen-bai"), 26_000),
]
# Further predecessors (new unit, former district, former province or None, population of the part):
# a ward formed from parts of two former districts, so comparisons show a population-weighted combination.
EXTRA_SUCCESSIONS = [("PVANPHU", "YENBINH", "yen-bai", 6_000), ("PCAMDUONG", "BAOTHANG", None, 8_000)]
# Units that have not sent their list yet, so the coordinator's page shows who is missing.
NOT_YET_SENT = {"SCT", "SKHCN", "SIMACAI", "XSIMACAI"}

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Giàng",
    "Lò",
    "Vàng",
    "Hà",
    "Lương",
]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Quang", "Thu", "Hữu", "Thanh", "Ngọc", "Xuân", "Mạnh", "Hồng"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Tuấn",
    "Việt",
    "Yến",
]
MOBILE_PREFIXES = [
    "032",
    "033",
    "034",
    "035",
    "036",
    "037",
    "038",
    "039",
    "086",
    "096",
    "097",
    "098",
    "081",
    "082",
    "083",
    "084",
    "085",
    "088",
    "091",
    "094",
    "070",
    "076",
    "077",
    "078",
    "079",
    "089",
    "090",
    "093",
]
DEPT_POSITIONS = ["Giám đốc", "Phó Giám đốc", "Phó Giám đốc"]
DIVISION_POSITIONS = ["Trưởng phòng", "Phó Trưởng phòng", "Chánh Văn phòng", "Chánh Thanh tra"]
COMMUNE_POSITIONS = ["Chủ tịch UBND", "Phó Chủ tịch UBND", "Văn phòng HĐND và UBND"]
DISTRICT_POSITIONS = [
    "Chủ tịch UBND",
    "Phó Chủ tịch UBND",
    "Chánh Văn phòng HĐND và UBND",
    "Trưởng phòng Nội vụ",
    "Trưởng phòng Tư pháp",
]

DEMO_PASSWORD = "demo-par-2026"
DEMO_USERS = [
    # username, role, unit code, full name
    ("admin", "superuser", None, "Quản trị hệ thống"),
    ("snv", Membership.Role.COORDINATOR, None, "Phạm Thu Hà (Sở Nội vụ)"),
    ("snv-2", Membership.Role.COORDINATOR, None, "Trần Văn Nam (Sở Nội vụ)"),
    ("dm-stp", Membership.Role.FOCAL_POINT, "STP", "Đầu mối Sở Tư pháp"),
    ("dm-batxat", Membership.Role.FOCAL_POINT, "XBATXAT", "Đầu mối Xã Bát Xát"),
    ("dm-sct", Membership.Role.FOCAL_POINT, "SCT", "Đầu mối Sở Công Thương"),
    ("phan-tich", Membership.Role.ANALYST, None, "Chuyên viên phân tích (Sở Nội vụ)"),
]


def _joined(position: str, unit_name: str) -> str:
    """A position at its unit, the words they share said once: "Chánh Thanh tra" at "Thanh tra tỉnh" is
    "Chánh Thanh tra tỉnh", not "Chánh Thanh tra Thanh tra tỉnh"."""
    words, unit_words = position.split(), unit_name.split()
    for size in range(min(len(words), len(unit_words)), 0, -1):
        if words[-size:] == unit_words[:size]:
            return " ".join([*words[:-size], *unit_words])
    return f"{position} {unit_name}"


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if ch.isalnum() and ord(ch) < 128).lower()


@transaction.atomic
def seed_demo(*, year: int | None = None) -> dict:
    year = year or timezone.localdate().year
    province, units = demo_units()
    slug = f"par-{year}"
    campaign = Campaign.objects.filter(slug=slug).first() or create_campaign(
        slug=slug, kind=Campaign.Kind.PAR_OFFICIALS, year=year, province=province
    )
    users = _demo_users(province, units)
    created = _demo_respondents(campaign, units, users, random.Random(year))
    return {
        "campaign": campaign,
        "respondents_created": created,
        "users": [u[0] for u in DEMO_USERS],
        "password": DEMO_PASSWORD,
    }


def demo_units() -> tuple[Province, dict[str, Unit]]:
    """The province's units (council, departments, dated districts and communes/wards), the former Yên
    Bái's districts, and the successions between them (docs/decisions.md D209)."""
    province, _ = Province.objects.get_or_create(code=PROVINCE[0], defaults={"name": PROVINCE[1]})
    former, _ = Province.objects.get_or_create(code=FORMER_PROVINCE[0], defaults={"name": FORMER_PROVINCE[1]})
    last_day = TWO_LEVEL_FROM - datetime.timedelta(days=1)
    units = {}
    for kind, rows, dates in (
        (Unit.Kind.COUNCIL, COUNCIL, {}),
        (Unit.Kind.DEPARTMENT, DEPARTMENTS, {}),
        (Unit.Kind.DISTRICT, DISTRICTS, {"valid_until": last_day}),
        (Unit.Kind.COMMUNE, [(c, n) for c, n, *_rest in COMMUNES], {"valid_from": TWO_LEVEL_FROM}),
    ):
        for code, name in rows:
            units[code], _ = Unit.objects.update_or_create(
                province=province, code=code, defaults={"name": name, "kind": kind, **dates}
            )
    former_units = {}
    for code, name in FORMER_DISTRICTS:
        former_units[code], _ = Unit.objects.update_or_create(
            province=former,
            code=code,
            defaults={"name": name, "kind": Unit.Kind.DISTRICT, "valid_until": last_day},
        )
    successions = [
        (code, predecessor, from_province, people)
        for code, _n, (predecessor, from_province), people in COMMUNES
    ]
    for code, predecessor, from_province, population in successions + EXTRA_SUCCESSIONS:
        old = former_units[predecessor] if from_province else units[predecessor]
        UnitSuccession.objects.update_or_create(
            former=old, new=units[code], defaults={"effective": TWO_LEVEL_FROM, "population": population}
        )
    return province, units


def _demo_users(province: Province, units: dict[str, Unit]) -> dict[str, User]:
    User = get_user_model()
    users = {}
    for username, role, unit_code, full_name in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": full_name, "email": f"{username}@demo.laocai.gov.vn"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role == "superuser"
            user.save()
        if role != "superuser":
            Membership.objects.get_or_create(
                user=user, role=role, province=province, unit=units[unit_code] if unit_code else None
            )
        users[username] = user
    return users


def _demo_respondents(
    campaign: Campaign, units: dict[str, Unit], users: dict[str, User], rng: random.Random
) -> int:
    groups = {g.code: g for g in RespondentGroup.objects.all()}
    if Respondent.objects.filter(campaign=campaign).exists():
        return 0
    plan = [(units["HDND"], "hdnd", ["Đại biểu HĐND tỉnh"] * 55)]
    for code, _name in DEPARTMENTS:
        plan.append((units[code], "dept_leader", DEPT_POSITIONS))
        plan.append(
            (
                units[code],
                "division_leader",
                [rng.choice(DIVISION_POSITIONS) for _ in range(rng.randint(24, 30))],
            )
        )
    # The campaign's local units: districts before 1 July 2025, communes and wards after (methodology §6).
    for unit in campaign.units.filter(kind__in=[Unit.Kind.DISTRICT, Unit.Kind.COMMUNE]).order_by("code"):
        if unit.kind == Unit.Kind.DISTRICT:
            plan.append((unit, "district_leader", DISTRICT_POSITIONS * 3))
        else:
            plan.append((unit, "commune_leader", COMMUNE_POSITIONS * 2))
    used_phones, used_emails, rows = set(), set(), []
    batches = {}
    for unit, group_code, positions in plan:
        if unit.code in NOT_YET_SENT:
            continue
        if unit.pk not in batches:
            batches[unit.pk] = ImportBatch.objects.create(
                campaign=campaign,
                unit=unit,
                uploaded_by=users["snv"],
                source=ImportBatch.Source.COMMAND,
                file_name=f"danh-sach-{_ascii(unit.name)}.xlsx",
                sha256="0" * 64,
                status=ImportBatch.Status.IMPORTED,
                report={"demo": True},
            )
        for index, position in enumerate(positions, start=1):
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            email = f"{_ascii(name.split()[-1])}{_ascii(''.join(w[0] for w in name.split()[:-1]))}"
            email = f"{email}.{unit.code.lower()}@demo.laocai.gov.vn"
            while email in used_emails:
                email = email.replace("@", f"{rng.randint(1, 9)}@", 1)
            phone = f"+84{rng.choice(MOBILE_PREFIXES)[1:]}{rng.randint(0, 9_999_999):07d}"
            while phone in used_phones:
                phone = f"+84{rng.choice(MOBILE_PREFIXES)[1:]}{rng.randint(0, 9_999_999):07d}"
            used_emails.add(email)
            used_phones.add(phone)
            unit_position = position if unit.kind != Unit.Kind.DEPARTMENT else _joined(position, unit.name)
            rows.append(
                Respondent(
                    campaign=campaign,
                    unit=unit,
                    group=groups[group_code],
                    full_name=name,
                    position=unit_position,
                    email=email,
                    phone=phone,
                    source_file=batches[unit.pk].file_name,
                    source_sheet="Danh sách",
                    source_row=index + 4,
                    batch=batches[unit.pk],
                )
            )
    Respondent.objects.bulk_create(rows, batch_size=500)
    return len(rows)
