"""Data-quality flags over stored field records (fieldwork/selectors.py::quality_flags)."""

import pytest
from django.test import override_settings
from django.utils import translation

from fieldwork.selectors import quality_flags
from fieldwork.supervision import describe
from tests.fieldwork.progress_setup import SCALE_ITEMS, at, field_setup, record


@pytest.fixture(autouse=True)
def in_english():
    """The descriptions are compared with their English msgids (Vietnamese is the default language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def field(campaign, units):
    return field_setup(campaign, units)


def test_a_straight_lined_form_is_flagged_with_its_form_number_and_evidence(campaign, field):
    record(field["a_land"], field["an"], when=at(1), form="BX-001")
    all_fives = {code: 5 for code in SCALE_ITEMS} | {"screening.area": "land"}
    flagged = record(field["a_land"], field["an"], when=at(1), form="BX-002", answers=all_fives)
    flags = [f for f in quality_flags(campaign) if f.reason == "straight_lining"]
    assert [(f.record_id, f.form_number, f.enumerator, f.team) for f in flags] == [
        (flagged.pk, "BX-002", "Nguyễn An", "Bưu điện Bát Xát")
    ]
    assert flags[0].evidence == {"answered": 20, "value": 5.0, "same": 20, "share": 1.0}
    assert describe(flags[0]) == "Answer 5 on 20 of 20 scale items answered (100%)."


def test_a_three_minute_floor_flags_a_two_minute_sipas_interview(campaign, field):
    for i in range(3):
        record(field["a_land"], field["an"], when=at(1), duration=900 + 60 * i)
    short = record(field["a_land"], field["an"], when=at(2), duration=120, form="BX-9")
    no_duration = record(field["a_land"], field["an"], when=at(2), duration=None)
    flags = [f for f in quality_flags(campaign) if f.reason in ("below_floor", "below_median_share")]
    assert [(f.record_id, f.reason) for f in flags] == [(short.pk, "below_floor")]
    # median of 120, 900, 960, 1020 = 930 s = 15:30
    assert describe(flags[0]) == "Lasted 2:00 min; the floor is 3:00 min (campaign median 15:30 min)."
    assert no_duration.pk not in {f.record_id for f in quality_flags(campaign)}


@override_settings(FIELD_QUALITY={"SHORT_FLOOR_SECONDS": {"sipas-citizens": 60}})
def test_the_floor_is_a_setting_and_a_third_of_the_median_still_applies(campaign, field):
    for _ in range(3):
        record(field["a_land"], field["an"], when=at(1), duration=1200)
    short = record(field["a_land"], field["an"], when=at(1), duration=300)
    flags = [f for f in quality_flags(campaign) if f.reason.startswith("below")]
    assert [(f.record_id, f.reason, f.evidence["ratio"]) for f in flags] == [
        (short.pk, "below_median_share", 0.25)
    ]


def test_the_same_phone_in_two_teams_is_flagged_for_each_supervisor_on_their_own_form(campaign, field):
    mine = record(field["a_land"], field["an"], when=at(1), phone="+84912345678", form="BX-1")
    theirs = record(field["b_sapa"], field["chi"], when=at(1), phone="+84912345678", form="SP-1")
    record(field["b_sapa"], field["chi"], when=at(1), phone="+84987654321", form="SP-2")
    everyone = [f for f in quality_flags(campaign) if f.reason == "duplicate_phone"]
    assert {f.record_id for f in everyone} == {mine.pk, theirs.pk}
    team_a = quality_flags(campaign, team_ids=[field["team_a"].pk])
    assert [(f.record_id, f.evidence["times"], f.evidence["enumerators"]) for f in team_a] == [
        (mine.pk, 2, 2)
    ]
    assert describe(team_a[0]) == "The same phone is on 2 forms by 2 enumerator(s): BX-1, SP-1."


@override_settings(FIELD_QUALITY={"OUTLIER_MIN_FORMS": 5})
def test_an_enumerator_answering_only_very_satisfied_is_flagged_against_the_campaign(campaign, field):
    for i in range(8):
        record(
            field["a_land"],
            field["an"],
            when=at(1),
            answers={c: (i + k) % 5 + 1 for k, c in enumerate(SCALE_ITEMS)},
        )
        record(
            field["b_sapa"],
            field["chi"],
            when=at(1),
            answers={c: (i + k + 2) % 5 + 1 for k, c in enumerate(SCALE_ITEMS)},
        )
        # binh: 5 and 4 alternate (not straight-lining), against 1–5 evenly for the others
        record(
            field["a_binh"],
            field["binh"],
            when=at(1),
            answers={c: 5 - k % 2 for k, c in enumerate(SCALE_ITEMS)},
        )
    flags = [f for f in quality_flags(campaign) if f.record_id is None]
    assert [(f.reason, f.enumerator, f.team) for f in flags] == [
        ("distribution", "Nguyễn Binh", "Bưu điện Bát Xát")
    ]
    assert flags[0].evidence["forms"] == 8 and flags[0].evidence["mean"] == 4.5
    assert flags[0].evidence["p_adjusted"] < 0.05
    # Team B's supervisor does not see team A's enumerator, but the test was against the whole campaign.
    assert not [f for f in quality_flags(campaign, team_ids=[field["team_b"].pk]) if f.record_id is None]


def test_a_campaign_without_records_has_no_flags(campaign, field):
    assert quality_flags(campaign) == []
