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
    assert data["rank"] == 1
    assert data["change"] is not None and -20 < data["change"] < 20  # earlier demo years exist
    assert len(data["history"]) == 3
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
