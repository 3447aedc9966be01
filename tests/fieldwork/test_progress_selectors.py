"""Progress against quota (fieldwork/selectors.py): per team, enumerator, area and day, counted in SQL."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fieldwork.selectors import field_progress, progress_team_ids
from surveys.models import Response
from tests.factories import UserFactory
from tests.fieldwork.progress_setup import at, field_setup, record


@pytest.fixture
def field(campaign, units):
    f = field_setup(campaign, units)
    record(f["a_land"], f["an"], when=at(1, 9))
    record(f["a_land"], f["an"], when=at(1, 15))
    record(f["a_land"], f["an"], when=at(3, 10))
    record(f["a_binh"], f["binh"], when=at(2, 11))
    # 00:30 on 2 November in Vietnam is still 1 November in UTC: it counts on the 2nd.
    record(f["a_binh"], f["binh"], when=at(2, 0, 30))
    record(f["b_sapa"], f["chi"], when=at(1, 10))
    record(f["b_sapa"], f["chi"], when=at(1, 11), status=Response.Status.DRAFT)  # not submitted: not counted
    return f


def test_progress_counts_submitted_interviews_against_each_teams_quota(campaign, field):
    report = field_progress(campaign, today=datetime.date(2023, 11, 3))
    teams = {r["code"]: r for r in report["by_team"]}
    assert (teams["bd-batxat"]["quota"], teams["bd-batxat"]["submitted"], teams["bd-batxat"]["today"]) == (
        14,
        5,
        1,
    )
    assert teams["bd-batxat"]["share"] == 35.7  # 5 of 14
    assert (teams["bd-sapa"]["quota"], teams["bd-sapa"]["submitted"]) == (6, 1)
    assert report["overall"] == {"quota": 20, "submitted": 6, "today": 1, "share": 30.0, "remaining": 14}


def test_progress_per_enumerator_shows_personal_quota_days_worked_and_idle_members(campaign, field):
    extra = UserFactory(username="dung")
    field["team_b"].members.create(user=extra, role="enumerator")
    rows = {r["username"]: r for r in field_progress(campaign)["by_enumerator"]}
    assert set(rows) == {"an", "binh", "chi", "dung"}  # supervisors are not enumerators
    assert (rows["an"]["submitted"], rows["an"]["days"], rows["an"]["quota"]) == (3, 2, None)
    assert (rows["binh"]["submitted"], rows["binh"]["days"], rows["binh"]["quota"]) == (2, 1, 4)
    assert rows["binh"]["share"] == 50.0
    assert (rows["dung"]["submitted"], rows["dung"]["team"]) == (0, "Bưu điện Sa Pa")


def test_progress_per_area_is_counted_under_the_assignment_area_and_service_area(campaign, field):
    rows = {(r["code"], r["service_area"]): r for r in field_progress(campaign)["by_area"]}
    assert rows[("BATXAT", "land")]["quota"] == 10 and rows[("BATXAT", "land")]["submitted"] == 3
    assert rows[("BATXAT", "land")]["service_area_label"] == "Đất đai"  # from the questionnaire's options
    commune = rows[("TRINHTUONG", "")]
    assert (commune["quota"], commune["submitted"], commune["remaining"], commune["district"]) == (
        4,
        2,
        2,
        "Huyện Bát Xát",
    )
    assert rows[("SAPA", "")]["submitted"] == 1 and rows[("SAPA", "")]["enumerators"] == 1


def test_progress_per_day_uses_vietnam_days_and_fills_empty_days(campaign, field):
    by_day = field_progress(campaign)["by_day"]
    assert [(r["date"].day, r["submitted"], r["cumulative"]) for r in by_day] == [
        (1, 3, 3),
        (2, 2, 5),
        (3, 1, 6),
    ]
    record(field["a_land"], field["an"], when=at(6))
    days = [(r["date"].day, r["submitted"]) for r in field_progress(campaign)["by_day"]]
    assert days == [(1, 3), (2, 2), (3, 1), (4, 0), (5, 0), (6, 1)]


def test_a_supervisor_progress_covers_only_their_team(campaign, field):
    team_ids = progress_team_ids(field["sup-b"], campaign)
    assert team_ids == [field["team_b"].pk]
    report = field_progress(campaign, team_ids=team_ids)
    assert [r["code"] for r in report["by_team"]] == ["bd-sapa"]
    assert {r["username"] for r in report["by_enumerator"]} == {"chi"}
    assert [r["code"] for r in report["by_area"]] == ["SAPA"]
    assert report["overall"]["submitted"] == 1 and report["overall"]["quota"] == 6


def test_coordinators_see_all_teams_and_enumerators_or_focal_points_none(
    campaign, field, coordinator, focal_stp
):
    assert progress_team_ids(coordinator, campaign) is None
    assert progress_team_ids(field["an"], campaign) == []
    assert progress_team_ids(focal_stp, campaign) == []


def test_progress_takes_a_fixed_number_of_queries_whatever_the_number_of_records(campaign, field):
    with CaptureQueriesContext(connection) as few:
        field_progress(campaign)
    for i in range(20):
        record(field["a_land"], field["an"], when=at(4 + i % 3))
    with CaptureQueriesContext(connection) as many:
        field_progress(campaign)
    assert len(many) == len(few) <= 12


def test_a_district_assignment_shows_its_district_and_one_without_service_area_says_all(campaign, field):
    rows = {(r["name"], r["service_area"]): r for r in field_progress(campaign)["by_area"]}
    batxat = rows[("Huyện Bát Xát", "land")]  # a district's own assignment: the district column is its own
    assert batxat["district"] == "Huyện Bát Xát"
    sapa = rows[("Thị xã Sa Pa", "")]  # no service area: every area, said so rather than left empty
    assert (sapa["district"], sapa["service_area_label"]) == ("Thị xã Sa Pa", "Mọi lĩnh vực")
