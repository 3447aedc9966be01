"""The official criteria table (annex) loaded by the province: shapes read, checks, the JSON report, the
export round trip, and replacing a scored placeholder without losing a score."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.models import Assessment, CriteriaTree, Criterion, Evidence, Score, ScoreEvent
from scoring.services import annex
from scoring.services.criteria_table import import_criteria_table, parse_expect, parse_years
from scoring.services.scoring import open_assessment
from scoring.services.trees import load_criteria_tree
from tests.scoring.annex_files import TREE_892, annex_rows, definition, write_docx, write_xlsx

D = Decimal
ARGS = ["--code", "par-province-892", "--title", "Chỉ số CCHC cấp tỉnh (892)", "--decision", "892/QĐ-BNV"]


def run(path, *extra, fmt="json"):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(
            "import_criteria_table",
            str(path),
            *ARGS,
            "--years",
            "2024-2030",
            "--format",
            fmt,
            *extra,
            stdout=out,
            stderr=err,
        )
    except SystemExit as exc:
        code = exc.code
    return code, (json.loads(out.getvalue()) if fmt == "json" else out.getvalue() + err.getvalue())


def official_rows(**changes):
    """The annex rows of the shipped 892 tree with official maxima: 1.4 down to 1 and 1.2 up to 1 (same
    domain total), as if the Ministry's table said so."""
    rows = annex_rows(definition(TREE_892), **changes)
    for row in rows:
        if row[1].startswith("Công tác thông tin, tuyên truyền"):
            row[2] = "1"
        if row[1].startswith("Báo cáo cải cách hành chính định kỳ"):
            row[2] = 1.0
    return rows


@pytest.mark.parametrize("writer", [write_xlsx, write_docx], ids=["xlsx", "docx"])
def test_an_annex_shaped_table_loads_into_the_8_37_88_tree_with_its_maxima_and_survey_items(
    db, tmp_path, writer
):
    path = writer(tmp_path / f"phu-luc.{'xlsx' if writer is write_xlsx else 'docx'}", official_rows())
    code, report = run(path, "--expect", "8/37/88")
    assert code == 0, report["errors"]
    assert (report["status"], report["code"], report["version"]) == ("created", "par-province-892", 1)
    assert (report["domains"], report["criteria"], report["sub_criteria"], report["scored_items"]) == (
        8,
        37,
        88,
        94,
    )
    assert (report["total"], report["survey_total"]) == (100.0, 32.0)
    tree = CriteriaTree.objects.get(code="par-province-892")
    nodes = {c.code: c for c in tree.nodes.all()}
    assert (
        nodes["1"].max_points == D("9.5")
        and nodes["1.4"].max_points == D(1)
        and nodes["1.2"].max_points == D(1)
    )
    assert nodes["6"].max_points == D("12.5") and nodes["3.3.2"].max_points == D("1.5")  # "1,5" as text
    assert (nodes["1.7"].scored_by, nodes["1.7"].survey) == ("survey", "officials")  # "Điều tra XHH"
    assert (nodes["8.1.1"].scored_by, nodes["8.1.1"].survey) == ("survey", "sipas")  # "SIPAS (sự hài lòng)"
    assert nodes["2.1.1"].scored_by == "self"
    assert all(n.confirmed for n in nodes.values())
    assert path.name in nodes["5.2.1"].reference and "SHA-256" in nodes["5.2.1"].reference
    # No tree known yet: the annex has no lead departments, so Sở Nội vụ leads every domain, with a warning.
    assert {n.lead for n in nodes.values()} == {"snv"}
    assert [w["code"] for w in report["warnings"]] == ["leads_default"]


def test_sub_criteria_numbered_a_b_and_domains_1_2_read_the_same(db, tmp_path):
    rows = official_rows(letters=True)
    for row in rows:  # domains typed 1, 2, … and criteria 1.1, 1.2 (no roman numerals)
        if row[0] in ("I", "II", "III", "IV", "V", "VI", "VII", "VIII"):
            domain = str(["I", "II", "III", "IV", "V", "VI", "VII", "VIII"].index(row[0]) + 1)
            row[0] = domain
        elif row[0].isdigit():
            row[0] = f"{domain}.{row[0]}"
    result = import_criteria_table(
        path=write_xlsx(tmp_path / "a.xlsx", rows, merged_title=False),
        file_name="a.xlsx",
        code="par-province-892",
        title="892",
        decision="892/QĐ-BNV",
        years={"from": 2024, "until": 2030},
        expect={"domains": 8, "criteria": 37, "sub_criteria": 88},
    )
    assert result.ok, result.errors
    assert Criterion.objects.filter(tree=result.tree, code="3.3.2", max_points=D("1.5")).exists()


def test_a_broken_table_is_rejected_naming_each_row_and_nothing_is_stored(db, tmp_path):
    rows = official_rows()
    by_name = {row[1]: row for row in rows}
    by_name["Tổ chức Bộ phận Một cửa các cấp theo quy định"][2] = "một điểm"  # a maximum typed as text
    by_name["Công khai kết quả xử lý phản ánh, kiến nghị"][0] = "4.1"  # 3.4.2 typed as 3.4.1 again
    by_name["Phê duyệt vị trí việc làm theo quy định"][2] = "1,25"  # 5.1 no longer adds up
    path = write_xlsx(tmp_path / "sai.xlsx", rows)
    code, report = run(path)
    assert code == 1 and report["status"] == "rejected"
    found = {(e["code"], e["row"], e["column"]) for e in report["errors"]}
    sheet_rows = {row[1]: 6 + i for i, row in enumerate(rows)}  # data starts on row 6 (title, header, (1)…)
    assert ("max_not_a_number", sheet_rows["Tổ chức Bộ phận Một cửa các cấp theo quy định"], "C") in found
    assert ("duplicate_code", sheet_rows["Công khai kết quả xử lý phản ánh, kiến nghị"], "A") in found
    assert ("sum_mismatch", sheet_rows["Vị trí việc làm của cán bộ, công chức, viên chức"], "C") in found
    assert all(e["file"] == "sai.xlsx" and e["sheet"] == "Phụ lục" and e["message"] for e in report["errors"])
    assert (
        "không phải là số" in next(e for e in report["errors"] if e["code"] == "max_not_a_number")["message"]
    )
    assert not CriteriaTree.objects.exists()


def test_counts_other_than_expected_and_domains_off_the_total_are_reported(db, tmp_path):
    rows = [r for r in official_rows() if not r[1].startswith("Kiến nghị đơn giản hóa")]
    code, report = run(write_xlsx(tmp_path / "x.xlsx", rows), "--expect", "8/37/88")
    assert code == 1 and {e["code"] for e in report["errors"]} == {"count_mismatch", "sum_mismatch"}
    assert [e["message"] for e in report["errors"] if e["code"] == "count_mismatch"] == [
        "Cần có 88 tiêu chí thành phần, bảng có 87."
    ]
    for row in rows:
        if row[1].startswith("TÁC ĐỘNG CỦA CẢI CÁCH HÀNH CHÍNH"):
            row[2] = "17"
    code, report = run(write_xlsx(tmp_path / "y.xlsx", rows))
    assert {"total_mismatch", "total_row_mismatch"} <= {e["code"] for e in report["errors"]}


@pytest.mark.parametrize(
    ("cells", "code"),
    [(["Nội dung", "Ghi chú"], "no_header"), (None, "format_unsupported")],
)
def test_files_that_are_not_an_annex_say_why(db, tmp_path, cells, code):
    if cells:
        book = openpyxl.Workbook()
        book.active.append(cells)
        path = tmp_path / "khac.xlsx"
        book.save(path)
    else:
        path = tmp_path / "bang.pdf"
        path.write_bytes(b"%PDF-1.4")
    status, report = run(path)
    assert status == 1 and [e["code"] for e in report["errors"]] == [code]


def test_dry_run_reports_and_stores_nothing_and_usage_errors_exit_2(db, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", official_rows())
    status, report = run(path, "--dry-run")
    assert (status, report["status"], report["version"]) == (0, "created", 1)
    assert not CriteriaTree.objects.exists()
    with pytest.raises(CommandError) as exc:
        call_command("import_criteria_table", str(path), *ARGS, "--years", "năm 2024", stderr=io.StringIO())
    assert exc.value.returncode == 2


def test_export_writes_the_shipped_yaml_shape_and_reloading_it_changes_nothing(db, tmp_path):
    run(write_xlsx(tmp_path / "p.xlsx", official_rows()))
    out = tmp_path / "par-province-892.yaml"
    call_command("export_criteria_tree", "par-province-892", "-o", str(out), stdout=io.StringIO())
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ") and "confirmed: true" in text and "survey: sipas" in text
    report = load_criteria_tree(path=out)
    assert (report.status, report.tree.version) == ("unchanged", 1), report.errors
    shipped = load_criteria_tree(path=TREE_892)  # a different content: the placeholder
    assert shipped.status == "updated"
    call_command("export_criteria_tree", "par-province-892", "-o", str(out), stdout=io.StringIO())
    assert load_criteria_tree(path=out).status == "unchanged"


def test_parsing_the_years_and_expected_counts():
    assert parse_years("2024-2030") == {"from": 2024, "until": 2030}
    assert parse_years("2024–") == {"from": 2024, "until": None}
    assert parse_years("2030-2024") is None and parse_expect("8/37/88") == {
        "domains": 8,
        "criteria": 37,
        "sub_criteria": 88,
    }


# --- replacing a placeholder that has scores ---------------------------------------------------------------


@pytest.fixture
def scored_placeholder(db, province, lead_units):
    from tests.factories import CampaignFactory, UserFactory

    tree = load_criteria_tree(path=TREE_892).tree
    campaign = CampaignFactory(province=province, slug="par-2026", year=2026)
    assessment = open_assessment(campaign=campaign, tree=tree)
    user = UserFactory(username="cham")
    items = {c.code: c for c in tree.nodes.filter(is_leaf=True)}
    for code, self_points, appraised in [("1.4", "1.5", "1.25"), ("1.2", "0.5", None), ("2.1.1", "1", "1")]:
        score = Score.objects.create(
            assessment=assessment,
            criterion=items[code],
            self_points=D(self_points),
            appraised_points=D(appraised) if appraised else None,
            explanation=f"Giải trình {code}",
            self_by=user,
        )
        ScoreEvent.objects.create(score=score, kind="self", points=score.self_points, by=user)
    Evidence.objects.create(
        score=Score.objects.get(assessment=assessment, criterion=items["1.4"]),
        file="scoring/evidence/x/1.4/bao-cao.pdf",
        original_name="bao-cao.pdf",
        size=10,
        sha256="a" * 64,
    )
    return assessment


def test_the_official_table_over_a_scored_placeholder_makes_a_version_and_carries_every_score(
    scored_placeholder, tmp_path
):
    rows = official_rows()
    rows = [
        r for r in rows if not r[1].startswith("Ban hành kịp thời văn bản quy định chi tiết")
    ]  # 2.1.2 gone
    for row in rows:
        if row[1].startswith("Xây dựng và ban hành văn bản quy phạm pháp luật tại tỉnh"):
            row[2] = 1.5
        if row[1] == "CẢI CÁCH THỂ CHẾ":
            row[2] = "8"
        if row[1].startswith("Sáng kiến, giải pháp mới"):
            row[1] = "Sáng kiến cải cách hành chính được công nhận"
            row[2] = "1,5"
        if row[1] == "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH":
            row[2] = "10"
    for row in rows:  # keep the total at 100: domain 8 takes the point domain 2 lost, minus domain 1's half
        if row[1].startswith("TÁC ĐỘNG CỦA CẢI CÁCH HÀNH CHÍNH"):
            row[2] = "18,5"
        if row[1].startswith("Phát triển kinh tế - xã hội"):
            row[2] = "2,5"
        if row[1].startswith("Tỷ lệ chỉ tiêu phát triển kinh tế - xã hội"):
            row[2] = "1,5"
    status, report = run(write_xlsx(tmp_path / "chinh-thuc.xlsx", rows))
    assert status == 0, report["errors"]
    assert (report["status"], report["version"]) == ("created", 2)
    changes = report["changes"]
    assert "2.1.2" in changes["removed"]
    assert [(c["code"], c["after"]) for c in changes["renamed"] if c["code"] == "1.5"] == [
        ("1.5", "Sáng kiến cải cách hành chính được công nhận")
    ]
    assert {(c["code"], c["before"], c["after"]) for c in changes["changed"] if c["attribute"] == "max"} >= {
        ("1.4", "1.5", "1"),
        ("1.5", "1", "1.5"),
        ("2", "9", "8"),
    }
    [carried] = report["carried"]
    assert (carried["carried"], carried["from_version"], carried["to_version"]) == (3, 1, 2)
    assert carried["over_max"] == [{"code": "1.4", "points": "1.5", "max": "1"}]
    old = Assessment.objects.get(pk=scored_placeholder.pk)
    new = old.replaced_by
    assert new.tree.version == 2 and new.campaign_id == old.campaign_id
    score = Score.objects.get(assessment=new, criterion__code="1.4")
    assert (score.self_points, score.appraised_points, score.explanation) == (
        D("1.5"),
        D("1.25"),
        "Giải trình 1.4",
    )
    assert score.over_max  # flagged, not capped
    assert score.evidence.get().original_name == "bao-cao.pdf"
    assert score.events.filter(kind="carried", text="v1 → v2").exists()
    # The old version stays readable with everything entered under it.
    assert Score.objects.filter(assessment=old).count() == 3
    assert CriteriaTree.objects.get(code="par-province-892", version=1).nodes.count() == 8 + 37 + 88
    assert Criterion.objects.get(tree=new.tree, code="1.4").confirmed
    leads = dict(new.tree.nodes.filter(kind="domain").values_list("code", "lead"))
    assert (leads["2"], leads["8"]) == ("stp", "skhdt")  # lead departments from the placeholder
    assert new.tree.nodes.get(code="8.5.1").rule["kind"] == "threshold_or_zero"  # computed rule kept


def test_a_closed_campaign_keeps_its_version(scored_placeholder, tmp_path):
    campaign = scored_placeholder.campaign
    campaign.status = "closed"
    campaign.save()
    rows = official_rows()
    status, report = run(write_xlsx(tmp_path / "p.xlsx", rows))
    assert status == 0 and report["carried"] == []
    assert Assessment.objects.get(pk=scored_placeholder.pk).replaced_by is None


def test_header_search_skips_title_rows_and_accepts_unaccented_headers():
    rows = [
        ["BẢNG TIÊU CHÍ"],
        [],
        ["Stt", "Noi dung tieu chi", "Diem toi da", "Cach cham"],
        ["I", "A", "1", ""],
    ]
    assert annex.find_header(rows) == (2, {"number": 0, "name": 1, "max": 2, "method": 3})
