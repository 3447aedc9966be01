"""Standing among all provinces: the Ministry's published table (import_published_results), the rank,
the distance to group A and to the leader, the components where the province loses most, a merged
province against its predecessors; without a table, no rank at all."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from analysis.indices import campaign_indices
from analysis.published import import_published_results, national_tables
from analysis.standing import NationalRow, NationalTable, combined, province_key, standing
from tests.analysis.indices_setup import scenario
from tests.factories import MembershipFactory, UserFactory

D = Decimal
CSV_2023 = """BẢNG CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023
;;;;
STT;Tỉnh, thành phố;Chỉ số CCHC (%);LV1;LV2;LV3;LV4;LV5;LV6;LV7;LV8;SIPAS (%);Xếp hạng
1;Quảng Ninh;92,18;95;94;93;92;91;90;92;90;88,5;1
2;Hải Phòng;91,87;94;93;92;91;90;89;91;91;87;2
3;Tỉnh Yên Bái;85,00;90;84;86;85;83;82;84;86;84;3
4;Đắk Lắk;80,00;85;80;79;81;78;80;82;75;80;4
;Trung bình cả nước;87,26;;;;;;;;;;
"""


def write(tmp_path, text: str, name: str = "par-2023.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_published_table_with_messy_headers_is_stored_with_every_province(db, tmp_path):
    result = import_published_results(
        path=write(tmp_path, CSV_2023), file_name="par-2023.csv", year=2023, source="BNV 2023"
    )
    assert result.ok, result.errors
    assert (result.status, result.provinces, result.components) == (
        "created",
        4,
        [str(d) for d in range(1, 9)],
    )
    [table] = national_tables()
    yen_bai = table.row("yen bai")
    assert (yen_bai.province, yen_bai.index, yen_bai.components["8"], yen_bai.sipas, yen_bai.rank) == (
        "Tỉnh Yên Bái",
        D("85.00"),
        D("86.00"),
        D("84.00"),
        3,
    )
    again = import_published_results(
        path=write(tmp_path, CSV_2023), file_name="par-2023.csv", year=2023, source="BNV 2023"
    )
    assert again.status == "unchanged"


def test_a_broken_published_table_names_each_row_and_stores_nothing(db, tmp_path):
    text = (
        CSV_2023.replace("85,00", "tám lăm")
        .replace("80,00;85", "180;85")
        .replace("2;Hải Phòng", "2;Quảng Ninh")
    )
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command(
            "import_published_results", str(write(tmp_path, text)), "--year", "2023", stdout=out, stderr=err
        )
    assert exc.value.code == 1
    report = err.getvalue()
    assert "par-2023.csv / par-2023 / row 6 / column C: [not_a_number]" in report  # Yên Bái's index
    assert "row 7 / column C: [out_of_range]" in report  # Đắk Lắk 180
    assert "row 5 / column B: [duplicate_province]" in report  # Quảng Ninh again on the Hải Phòng row
    assert national_tables() == []


def table(year, rows, source="BNV"):
    return NationalTable(
        year,
        source,
        False,
        [NationalRow(p, D(i), {k: D(v) for k, v in c.items()}, population=pop) for p, i, c, pop in rows],
    )


def test_standing_is_hand_computable_rank_group_a_leader_and_losses():
    t = table(
        2024,
        [
            ("A", "96", {"1": 99, "8": 90}, None),
            ("B", "91", {"1": 95, "8": 88}, None),
            ("C", "84", {"1": 90, "8": 80}, None),
        ],
    )
    s = standing(
        tables=[t], campaign_year=2024, name="Tỉnh D", computed=D("88.5"), components={"1": D(80), "8": D(92)}
    )
    # Not in the table: placed among A 96, B 91, C 84 → third of four.
    assert (s.official, s.rank, s.provinces, s.figure) == (False, 3, 4, D("88.50"))
    assert (s.to_group_a, s.leader, s.to_leader, s.mean) == (D("1.50"), "A", D("7.50"), D("90.33"))
    # Means: domain 1 (99+95+90)/3 = 94.67, domain 8 86.00 → domain 1 loses 14.67, domain 8 gains 6.
    assert [(g.code, g.gap) for g in s.gaps] == [("1", D("-14.67")), ("8", D("6.00"))]
    assert [g.code for g in s.losses] == ["1"]


def test_the_published_row_of_the_year_is_the_official_figure_and_last_year_gives_the_change():
    t23 = table(2023, [("A", "90", {}, None), ("D", "85", {}, None)])
    t24 = table(2024, [("A", "96", {}, None), ("D", "88.37", {}, None)])
    s = standing(tables=[t23, t24], campaign_year=2024, name="D", computed=D("80"), components={})
    assert (s.official, s.figure, s.rank, s.computed) == (True, D("88.37"), 2, D("80.00"))
    assert (s.previous_year, s.previous, s.change) == (2023, D("85"), D("3.37"))


def test_a_merged_province_compares_with_its_predecessors_weighted_by_population():
    t24 = table(
        2024,
        [("Lào Cai", "90", {"1": 90}, 800_000), ("Yên Bái", "86", {"1": 80}, 850_000), ("X", "95", {}, None)],
    )
    s = standing(
        tables=[t24],
        campaign_year=2026,
        name="Lào Cai",
        computed=D("89"),
        components={"1": D(85)},
        predecessors=["Lào Cai", "Yên Bái"],
        merged_from_year=2025,
    )
    # (90 × 800,000 + 86 × 850,000) / 1,650,000 = 87.9394 → 87.94
    assert (s.previous, s.previous_combined, s.combined_weights) == (
        D("87.94"),
        ["Lào Cai", "Yên Bái"],
        "population",
    )
    assert (s.rank, s.provinces, s.merged_note) == (2, 2, "merged")  # the predecessors are not its rivals
    row, kind = combined(t24.rows[:2])
    assert (row.components["1"], kind) == (D("84.85"), "population")
    assert combined([NationalRow("a", D(90)), NationalRow("b", D(80))])[1] == "equal"


def test_province_names_match_without_prefix_case_or_diacritics():
    assert province_key("Tỉnh Lào Cai") == province_key("LAO CAI") == "lao cai"
    assert province_key("Thành phố Hải Phòng") == "hai phong"


def test_without_a_table_there_is_no_standing():
    assert standing(tables=[], campaign_year=2024, name="D", computed=D(80), components={}) is None


def test_the_dashboard_ranks_the_province_among_the_imported_table(
    client, tmp_path, province, units, campaign
):
    scenario(tmp_path, province, units, campaign)  # Lào Cai 2023, index 83.17 (domain 1: 84.17%, 8: 82.50%)
    call_command(
        "import_published_results",
        str(write(tmp_path, CSV_2023)),
        "--year",
        "2023",
        "--source",
        "BNV 2023",
        stdout=io.StringIO(),
    )
    result = campaign_indices(campaign)
    assert (result.standing.rank, result.standing.provinces) == (4, 5)  # below 92.18, 91.87, 85.00; above 80
    client.force_login(MembershipFactory(user=UserFactory(username="dp"), province=province).user)
    html = client.get(reverse("indices-dashboard", args=["par-2023"])).content.decode()
    assert 'id="rank">4/5<' in html and 'id="standing-rank">4/5<' in html
    assert 'id="standing-group-a">6,83<' in html  # 90 − 83.17
    assert 'id="standing-leader">9,01<' in html  # Quảng Ninh 92.18 − 83.17
    assert "BNV 2023" in html and 'id="no-national"' not in html
