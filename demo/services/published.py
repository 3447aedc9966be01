"""ILLUSTRATIVE national PAR INDEX tables for the demo (minh hoạ): generated figures, never published ones.

They let the dashboard show a standing among all provinces. Anchored on confirmed public facts only where
they exist (docs/methodology.md §1.6, §9): national means 86.98 (2023) and 88.37 (2024), 2024 groups
A 13 / B 50 with every province at 80 or more, Quảng Ninh first in 2023 with 92.18, Hải Phòng first in
2024 with 96.17. Every other figure (each province's index, components, SIPAS, rank, population) is
generated; 2025 (34 provinces after the mergers) has no anchor at all. Each table is stored `illustrative`
and its source says "MINH HOẠ", so the pages mark every figure taken from it. Loaded through
import_published_results' service, from a CSV written here, so the demo also exercises the importer.
Running it again changes nothing.
"""

import csv
import random
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from analysis.models import PublishedTable
from analysis.published import import_published_results

PROVINCES_63 = [
    "Hà Nội",
    "Hà Giang",
    "Cao Bằng",
    "Bắc Kạn",
    "Tuyên Quang",
    "Lào Cai",
    "Điện Biên",
    "Lai Châu",
    "Sơn La",
    "Yên Bái",
    "Hòa Bình",
    "Thái Nguyên",
    "Lạng Sơn",
    "Quảng Ninh",
    "Bắc Giang",
    "Phú Thọ",
    "Vĩnh Phúc",
    "Bắc Ninh",
    "Hải Dương",
    "Hải Phòng",
    "Hưng Yên",
    "Thái Bình",
    "Hà Nam",
    "Nam Định",
    "Ninh Bình",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Quảng Bình",
    "Quảng Trị",
    "Thừa Thiên Huế",
    "Đà Nẵng",
    "Quảng Nam",
    "Quảng Ngãi",
    "Bình Định",
    "Phú Yên",
    "Khánh Hòa",
    "Ninh Thuận",
    "Bình Thuận",
    "Kon Tum",
    "Gia Lai",
    "Đắk Lắk",
    "Đắk Nông",
    "Lâm Đồng",
    "Bình Phước",
    "Tây Ninh",
    "Bình Dương",
    "Đồng Nai",
    "Bà Rịa - Vũng Tàu",
    "Hồ Chí Minh",
    "Long An",
    "Tiền Giang",
    "Bến Tre",
    "Trà Vinh",
    "Vĩnh Long",
    "Đồng Tháp",
    "An Giang",
    "Kiên Giang",
    "Cần Thơ",
    "Hậu Giang",
    "Sóc Trăng",
    "Bạc Liêu",
    "Cà Mau",
]
PROVINCES_34 = [
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
]
# year: (provinces, national mean, leader and its index, provinces at 90 or more)
ANCHORS = {
    2023: (PROVINCES_63, Decimal("86.98"), ("Quảng Ninh", Decimal("92.18")), 8),
    2024: (PROVINCES_63, Decimal("88.37"), ("Hải Phòng", Decimal("96.17")), 13),
    2025: (PROVINCES_34, Decimal("89.00"), (None, None), 10),
}
SOURCE = "Số liệu MINH HOẠ do hệ thống sinh ra cho bản demo, không phải kết quả công bố{anchor}"
ANCHOR_TEXT = {
    2023: " (chỉ trung bình toàn quốc 86,98 và Quảng Ninh 92,18 là số liệu đã công bố)",
    2024: " (chỉ trung bình toàn quốc 88,37, nhóm A 13 / B 50 và Hải Phòng 96,17 là số liệu đã công bố)",
    2025: "",
}
TWO = Decimal("0.01")


def illustrative_table(year: int, rng: random.Random) -> list[dict]:
    """Rows of one illustrative table: the mean, the leader and the number in group A as anchored."""
    provinces, mean, (leader, top), in_a = ANCHORS[year]
    others = [p for p in provinces if p != leader]
    rng.shuffle(others)
    top = top or Decimal("95.40")
    a_values = [Decimal(str(round(rng.uniform(90.1, float(top) - 0.3), 2))) for _ in range(in_a - 1)]
    b_count = len(provinces) - in_a
    b_values = [Decimal(str(round(rng.uniform(81.0, 89.6), 2))) for _ in range(b_count)]
    # Shift group B so that the mean is the anchored one, keeping it within 80–89.99.
    for _ in range(50):
        residual = mean * len(provinces) - top - sum(a_values) - sum(b_values)
        if abs(residual) < TWO:
            break
        step = residual / b_count
        b_values = [min(Decimal("89.99"), max(Decimal("80.01"), (v + step).quantize(TWO))) for v in b_values]
    residual = (mean * len(provinces) - top - sum(a_values) - sum(b_values)).quantize(TWO)
    middle = sorted(range(b_count), key=lambda i: abs(b_values[i] - Decimal(85)))[0]
    b_values[middle] += residual
    first = leader or others.pop(0)
    values = dict(zip([first, *others], [top, *a_values, *b_values], strict=True))
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    rows = []
    for rank, (name, index) in enumerate(ordered, 1):
        components = [
            min(Decimal(100), (index + Decimal(str(round(rng.gauss(0, 3.5), 2)))).quantize(TWO))
            for _ in range(8)
        ]
        rows.append(
            {
                "province": name,
                "index": index,
                "components": components,
                "sipas": (Decimal(str(round(rng.uniform(78, 90), 2)))).quantize(TWO, rounding=ROUND_HALF_UP),
                "rank": rank,
                "population": rng.randrange(500, 9000) * 1000,
            }
        )
    return rows


def seed_published_tables(rng: random.Random) -> int:
    created = 0
    for year in ANCHORS:
        if PublishedTable.objects.filter(year=year).exists():
            continue
        rows = illustrative_table(year, rng)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"par-index-{year}-minh-hoa.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, delimiter=";")
                writer.writerow([f"CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year} (MINH HOẠ)"])
                writer.writerow(
                    ["STT", "Tỉnh, thành phố", "Chỉ số CCHC (%)"]
                    + [f"Lĩnh vực {d}" for d in range(1, 9)]
                    + ["SIPAS (%)", "Xếp hạng", "Dân số"]
                )
                for i, row in enumerate(rows, 1):
                    writer.writerow(
                        [i, row["province"], _comma(row["index"])]
                        + [_comma(c) for c in row["components"]]
                        + [_comma(row["sipas"]), row["rank"], row["population"]]
                    )
            result = import_published_results(
                path=path,
                file_name=path.name,
                year=year,
                source=SOURCE.format(anchor=ANCHOR_TEXT[year]),
                illustrative=True,
            )
        if not result.ok:
            raise ValueError(f"illustrative table {year}: {[p.message for p in result.errors]}")
        created += 1
    return created


def _comma(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")
