"""End to end: `make run`'s demo computes an index with plausible figures, shown by dashboard and report."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook


@pytest.fixture
def demo(db, standard_groups):
    call_command("seed_demo", "--year", "2026", stdout=StringIO())
    return "par-2026"


def test_the_demo_campaign_computes_end_to_end_with_plausible_figures(demo, tmp_path, client):
    out = StringIO()
    call_command(
        "compute_indices",
        "--campaign",
        demo,
        "--format",
        "json",
        "-o",
        str(tmp_path / "r.xlsx"),
        stdout=out,
        stderr=StringIO(),
    )
    data = json.loads(out.getvalue())
    assert 60 <= data["index"] <= 95
    assert data["band"] in {"Nhóm A", "Nhóm B", "Nhóm C"}
    # Ranked among the 34 provinces of the latest (illustrative) national table, never "1 of 1".
    standing = data["standing"]
    assert (standing["year"], standing["provinces"], standing["illustrative"]) == (2025, 34, True)
    assert 1 <= data["rank"] <= 34 and data["rank_of"] == 34 and "MINH HOẠ" in standing["source"]
    assert data["change"] is not None and -20 < data["change"] < 20  # earlier demo years exist
    # 2026 under the 892 placeholder, 2023 under 876: each figure names its criteria set.
    assert (data["basis"]["decision"], data["basis"]["tree"]) == ("892/QĐ-BNV", "par-province-892")
    assert [(h["year"], h["basis"].split(" · ")[0]) for h in data["history"]] == [
        (2023, "876/QĐ-BNV"),
        (2024, "892/QĐ-BNV"),
        (2025, "892/QĐ-BNV"),
        (2026, "892/QĐ-BNV"),
    ]
    assert len(data["domains"]) == 8
    assert all(0 <= d["final"] <= d["max"] for d in data["domains"])
    assert sum(d["max"] for d in data["domains"]) == 100
    sipas = data["survey"]["sipas"]
    assert sipas["respondents"] >= 500 and 70 <= sipas["index"] <= 95
    assert sipas["ci_low"] < sipas["index"] < sipas["ci_high"]
    officials = data["survey"]["officials"]
    assert officials["respondents"] > 100 and 10 <= officials["points"] <= 20
    assert all(item["points"] is not None for item in officials["items"])
    assert data["points_lost"] and data["points_lost"][0]["lost"] >= data["points_lost"][-1]["lost"]
    book = load_workbook(tmp_path / "r.xlsx")
    assert book["Tổng hợp"]["B4"].value == pytest.approx(data["index"])

    client.force_login(get_user_model().objects.get(username="snv"))
    html = client.get(reverse("indices-dashboard", args=[demo])).content.decode()
    assert f'id="index">{data["index"]:.2f}'.replace(".", ",") in html
    assert 'id="trend"' in html and 'id="sipas-by-area"' in html
    assert (
        'data-official="0" data-year="2025"' in html
        and "minh hoạ" in html
        and "892/QĐ-BNV · par-province-892 v1" in html
    )


def test_the_2023_demo_campaign_is_scored_under_876_and_its_dashboard_says_so(demo, client):
    client.force_login(get_user_model().objects.get(username="snv"))
    html = client.get(reverse("indices-dashboard", args=["par-2023"])).content.decode()
    assert "876/QĐ-BNV · par-province-876 v1" in html
    # The 2023 table is loaded: the province's published (illustrative) row is the figure.
    assert 'data-official="1" data-year="2023"' in html and 'id="standing-rank"' in html


def test_the_scoring_overview_shows_the_survey_points_the_dashboard_counts(demo, client):
    from scoring.models import Assessment

    client.force_login(get_user_model().objects.get(username="snv"))
    assessment = Assessment.objects.get(campaign__slug=demo, unit__isnull=True, replaced_by__isnull=True)
    overview = client.get(reverse("scoring-overview", args=[demo, assessment.pk])).content.decode()
    dashboard = client.get(reverse("indices-dashboard", args=[demo])).content.decode()
    pick = lambda html: html.split('id="index">')[1].split("<")[0]  # noqa: E731
    assert pick(overview) == pick(dashboard)
