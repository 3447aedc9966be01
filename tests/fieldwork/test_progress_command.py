"""manage.py field_progress: the page's figures as a table or JSON."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.fieldwork.progress_setup import SCALE_ITEMS, at, field_setup, record


@pytest.fixture
def field(campaign, units):
    f = field_setup(campaign, units)
    record(f["a_land"], f["an"], when=at(1), form="BX-1")
    record(f["a_land"], f["an"], when=at(2), form="BX-2", answers={c: 4 for c in SCALE_ITEMS})
    record(f["b_sapa"], f["chi"], when=at(2), form="SP-1")
    return f


def run(*args) -> str:
    out = io.StringIO()
    call_command("field_progress", *args, stdout=out)
    return out.getvalue()


def test_json_output_has_the_progress_and_the_flags(campaign, field):
    data = json.loads(run("--campaign", campaign.slug, "--format", "json"))
    assert data["overall"] == {"quota": 20, "submitted": 3, "today": 0, "share": 15.0, "remaining": 17}
    assert [(t["code"], t["submitted"]) for t in data["by_team"]] == [("bd-batxat", 2), ("bd-sapa", 1)]
    assert [(d["date"], d["submitted"]) for d in data["by_day"]] == [("2023-11-01", 1), ("2023-11-02", 2)]
    assert [(f["reason"], f["form_number"], f["evidence"]["same"]) for f in data["flags"]] == [
        ("straight_lining", "BX-2", 20)
    ]


def test_table_output_for_one_team(campaign, field):
    text = run("--campaign", campaign.slug, "--team", "bd-sapa")
    assert text.startswith("Overall: 1 of quota 6 (16.7%)")
    assert "bd-sapa" in text and "bd-batxat" not in text
    assert "Flags (0)" in text


def test_an_unknown_campaign_or_team_is_a_clear_error(campaign, field):
    with pytest.raises(CommandError, match="No campaign with slug 'nope'"):
        run("--campaign", "nope")
    with pytest.raises(CommandError, match="No team bd-x in par-2023"):
        run("--campaign", campaign.slug, "--team", "bd-x")
