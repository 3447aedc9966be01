"""manage.py compute_indices: JSON and table output, the Excel report re-opened with openpyxl."""

import json
import zipfile
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from scoring.models import Score
from tests.analysis.indices_setup import scenario


@pytest.fixture
def computed(tmp_path, province, units, campaign):
    found = scenario(tmp_path, province, units, campaign)
    # User text that looks like a formula must stay text in the report.
    Score.objects.filter(assessment=found["assessment"], criterion__code="1.1").update(
        explanation='=HYPERLINK("http://evil.example","bấm")', appraisal_reason="+1+1"
    )
    return campaign


def run(*args) -> str:
    out = StringIO()
    call_command("compute_indices", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_output_carries_index_band_rank_change_domains_surveys_and_points_lost(computed):
    data = json.loads(run("--campaign", "par-2023", "--format", "json"))
    assert data["campaign"] == "par-2023"
    # No national table loaded: no rank (never "1 of the provinces stored here").
    assert (data["index"], data["band"], data["rank"], data["change"]) == (83.17, "Nhóm B", None, 53.17)
    assert data["standing"] is None
    assert (data["basis"]["tree"], data["basis"]["officials_method"]) == ("tiny-index", "officials-876-v1")
    assert [d["code"] for d in data["domains"]] == ["1", "8"]
    assert data["domains"][1] == {
        "code": "8",
        "name": "Tác động của cải cách hành chính",
        "max": 12.0,
        "self": 1.9,
        "appraised": None,
        "survey": 8.0,
        "final": 9.9,
        "share": 82.5,
    }
    assert data["survey"]["sipas"]["index"] == 80.0
    assert data["survey"]["sipas"]["points"] == {"8.1.1": 4.8, "8.1.2": 3.2}
    assert data["survey"]["officials"]["points"] == 1.7333
    assert data["points_lost"][0] == {
        "code": "8.1.1",
        "name": "Hài lòng về dịch vụ",
        "max": 6.0,
        "points": 4.8,
        "lost": 1.2,
    }


def test_table_output_lists_domains_and_the_sipas_line(computed):
    text = run("--campaign", "par-2023")
    assert "index 83.17 / 100; band Nhóm B; rank –; change 53.17" in text
    assert "SIPAS 80.00%" in text
    assert "8.1.1" in text


def test_unknown_campaign_is_a_usage_error(db):
    with pytest.raises(CommandError, match="unknown campaign"):
        run("--campaign", "nope")


def test_xlsx_report_has_its_sheets_headers_charts_and_no_formulas(computed, tmp_path):
    path = tmp_path / "report.xlsx"
    run("--campaign", "par-2023", "-o", str(path))
    book = load_workbook(path)
    assert book.sheetnames == ["Tổng hợp", "LV1", "LV8", "Khảo sát CBCC", "SIPAS", "Xếp hạng toàn quốc"]
    summary = book["Tổng hợp"]
    assert summary["B4"].value == pytest.approx(83.17)
    # The basis of every figure: the criteria set and the named conversions.
    assert (summary["A8"].value, summary["B8"].value) == ("Bộ tiêu chí", "tiny-index v1")
    assert summary["B9"].value == "officials-876-v1"
    assert book["Xếp hạng toàn quốc"]["A2"].value == "Chưa nhập bảng kết quả công bố của Bộ Nội vụ"
    assert [c.value for c in summary[13]][:8] == [
        "Mã",
        "Lĩnh vực",
        "Điểm tối đa",
        "Tự chấm",
        "Thẩm định",
        "Điều tra XHH",
        "Điểm đạt",
        "Tỷ lệ (%)",
    ]
    domain1 = book["LV1"]
    assert [c.value for c in domain1[3]][:4] == [
        "Mã",
        "Tiêu chí, tiêu chí thành phần",
        "Điểm tối đa",
        "Nguồn điểm",
    ]
    row = next(r for r in domain1.iter_rows(min_row=4) if r[0].value == "1.1")
    assert row[9].value == '=HYPERLINK("http://evil.example","bấm")' and row[9].data_type == "s"
    assert row[10].value == "+1+1" and row[10].data_type == "s"
    assert Decimal(str(row[7].value)) == Decimal("3.0")
    formulas = [c.coordinate for ws in book for r in ws.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == []
    sipas = book["SIPAS"]
    assert [c.value for c in sipas[4]][:5] == [
        "Yếu tố",
        "Tỷ lệ hài lòng (%)",
        "Cận dưới (%)",
        "Cận trên (%)",
        "Số phiếu",
    ]
    assert sipas["B5"].value == pytest.approx(80.0)
    # openpyxl drops charts when reading: look for them in the package (one on the summary, one on SIPAS).
    with zipfile.ZipFile(path) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        drawings = [
            n for n in package.namelist() if n.startswith("xl/drawings/drawing") and n.endswith(".xml")
        ]
        assert len(charts) == 2 and len(drawings) == 2
        assert b"barChart" in package.read(charts[0])
