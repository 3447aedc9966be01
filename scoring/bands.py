"""Bands (xếp loại) on the 100-point index: named, versioned settings that a tree file refers to by name.

Each band set lists (lower bound inclusive, label) from the top; an index below every bound gets the last
band's label when its bound is 0, else no band.
"""

from decimal import Decimal

BANDS: dict[str, list[tuple[Decimal, str]]] = {
    # Hà Nam's department and district index (docs/methodology.md §9, Decision 1952/QĐ-UBND 2022).
    "ha-nam-2022": [
        (Decimal(95), "Xuất sắc"),
        (Decimal(85), "Tốt"),
        (Decimal(75), "Khá"),
        (Decimal(70), "Trung bình"),
        (Decimal(0), "Yếu"),
    ],
    # The Ministry's groups of provinces in the 2023–24 rounds (docs/methodology.md §9): A ≥ 90, B 80–<90;
    # below 80 is named here "C" (docs/decisions.md D19: those rounds' reports had no province below 80).
    "bnv-province-groups-2023": [
        (Decimal(90), "Nhóm A"),
        (Decimal(80), "Nhóm B"),
        (Decimal(0), "Nhóm C"),
    ],
}
