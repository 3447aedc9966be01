"""Response tracking: the figures by group, unit, district and day, the command, the pages and the export.

The campaign below is small enough to count by hand; every expected number in these tests was worked out
from the table in `tracked` (times are UTC; Asia/Ho_Chi_Minh is UTC+7).
"""

import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from respondents.models import Respondent, RespondentGroup, Unit
from surveys.models import Invitation, Message, Response
from surveys.selectors import _fixed_utc_offset, district_bucket, non_responders, percent, response_rates
from tests.factories import (
    CampaignFactory,
    InvitationFactory,
    MembershipFactory,
    MessageFactory,
    ProvinceFactory,
    QuestionnaireFactory,
    RespondentFactory,
    UnitFactory,
    UserFactory,
)
from tests.jobs.follow import follow_job

UTC = datetime.UTC
TODAY = datetime.date(2023, 12, 10)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A UTC moment in December 2023."""
    return datetime.datetime(2023, 12, day, hour, minute, tzinfo=UTC)


# name, unit, group, invitation e-mail status (None: no e-mail queued), opened, started, submitted
PEOPLE = [
    ("A1", "HDND", "hdnd", "delivered", at(4, 2), at(4, 2, 5), at(4, 2, 30)),
    ("A2", "HDND", "hdnd", "sent", at(4, 23, 30), at(5, 0, 10), at(5, 1)),
    ("A3", "HDND", "hdnd", "bounced", at(5, 16, 59), None, None),
    ("A4", "HDND", "hdnd", "queued", None, None, None),
    ("B1", "STP", "dept_leader", "delivered", at(5, 17), at(6, 1), at(6, 23, 30)),
    ("B2", "STP", "dept_leader", "failed", None, None, None),
    ("B3", "STP", "division_leader", "delivered", at(6, 3), at(6, 3, 10), None),
    ("C1", "SNV", "dept_leader", "sent", at(4, 3), at(4, 3, 5), at(4, 3, 40)),
    ("C2", "SNV", "division_leader", None, at(7, 10), None, None),
    ("C3", "SNV", "division_leader", "sending", None, None, None),
    ("D1", "BATXAT", "district_leader", "delivered", at(6, 4), at(6, 4, 1), at(8, 9)),
    ("D2", "BATXAT", "district_leader", "bounced", at(8, 1), at(8, 1, 2), None),
    ("E1", "SAPA", "district_leader", "delivered", at(4, 5), at(4, 5, 5), at(4, 5, 30)),
    ("F1", "BANVUOC", "district_leader", "failed", at(8, 16, 30), at(8, 16, 40), at(8, 17, 10)),
]
FIGURES = ("invited", "email_sent", "email_failed", "opened", "started", "submitted", "response_rate")


def figures(row: dict) -> tuple:
    return tuple(row[name] for name in FIGURES)


def invite(
    campaign, questionnaire, respondent, *, email_status=None, opened=None, started=None, submitted=None
):
    invitation = InvitationFactory(
        respondent=respondent,
        questionnaire=questionnaire,
        opened_at=opened,
        started_at=started,
        submitted_at=submitted,
    )
    if email_status:
        MessageFactory(invitation=invitation, status=email_status)
    if submitted:
        Response.objects.create(
            campaign=campaign,
            questionnaire=questionnaire,
            invitation=invitation,
            status=Response.Status.SUBMITTED,
            submitted_at=submitted,
        )
    return invitation


@pytest.fixture
def tracked(campaign, units, province):
    """The campaign of PEOPLE, plus people who must not count: a retired one and one never invited."""
    units["BANVUOC"] = UnitFactory(
        province=province, code="BANVUOC", name="Xã Bản Vược", kind=Unit.Kind.COMMUNE, parent=units["BATXAT"]
    )
    campaign.units.add(units["BANVUOC"])
    campaign.survey_opens = datetime.date(2023, 12, 4)
    campaign.survey_closes = datetime.date(2023, 12, 8)
    campaign.response_targets = {"hdnd": 50, "dept_leader": 60, "district_leader": 80}
    campaign.save()
    questionnaire = QuestionnaireFactory(campaign=campaign)
    groups = {g.code: g for g in RespondentGroup.objects.all()}
    for name, unit, group, email_status, opened, started, submitted in PEOPLE:
        person = RespondentFactory(
            campaign=campaign,
            unit=units[unit],
            group=groups[group],
            full_name=f"Người {name}",
            position="PGĐ",
        )
        invite(
            campaign,
            questionnaire,
            person,
            email_status=email_status,
            opened=opened,
            started=started,
            submitted=submitted,
        )
    # B3's SMS and a failed reminder e-mail do not change the invitation e-mail figures.
    b3 = Invitation.objects.get(respondent__full_name="Người B3")
    MessageFactory(invitation=b3, channel="sms", to="+84911111111", status="delivered")
    MessageFactory(invitation=b3, kind="reminder", sequence=1, status="failed")
    retired = RespondentFactory(
        campaign=campaign, unit=units["STP"], full_name="Người đã thay", retired_at=at(3, 0)
    )
    invite(campaign, questionnaire, retired, email_status="delivered", opened=at(3, 1), submitted=at(3, 2))
    RespondentFactory(campaign=campaign, unit=units["STC"], full_name="Người chưa mời")
    return campaign


# --- figures ----------------------------------------------------------------------------------------------


def test_overall_counts_current_respondents_invitations_and_invitation_email_outcomes(tracked):
    overall = response_rates(tracked, today=TODAY)["overall"]
    assert figures(overall) == (14, 7, 4, 11, 9, 7, 50.0)


def test_overall_target_is_what_the_group_targets_require_of_everyone_invited(tracked):
    overall = response_rates(tracked, today=TODAY)["overall"]
    # Required: 50% of 4 = 2, 60% of 3 = 1.8 → 2, 80% of 4 = 3.2 → 4; 8 of the 14 invited = 57.1%.
    # The overall rate is 50%; district leaders need one more submission, so the target is not met.
    assert (overall["target"], overall["required"], overall["target_met"], overall["needed"]) == (
        57.1,
        8,
        False,
        1,
    )


def test_overall_target_is_met_when_every_targeted_group_is(tracked):
    Invitation.objects.filter(respondent__full_name="Người D2").update(submitted_at=at(8, 2))
    overall = response_rates(tracked, today=TODAY)["overall"]
    assert (overall["submitted"], overall["target_met"], overall["needed"]) == (8, True, 0)


def test_groups_carry_figures_target_and_whether_it_is_met(tracked):
    rows = response_rates(tracked, today=TODAY)["by_group"]
    table = [(r["code"], *figures(r), r["target"], r["target_met"], r["required"], r["needed"]) for r in rows]
    assert table == [
        ("hdnd", 4, 2, 1, 3, 2, 2, 50.0, 50.0, True, 2, 0),
        ("dept_leader", 3, 2, 1, 2, 2, 2, 66.7, 60.0, True, 2, 0),
        ("division_leader", 3, 1, 0, 2, 1, 0, 0.0, None, None, None, None),
        ("district_leader", 4, 2, 2, 4, 4, 3, 75.0, 80.0, False, 4, 1),
    ]


def test_units_are_all_listed_by_kind_and_name_with_their_figures(tracked):
    rows = response_rates(tracked, today=TODAY)["by_unit"]
    assert [(r["code"], r["kind"], *figures(r)) for r in rows] == [
        ("BANVUOC", "commune", 1, 0, 1, 1, 1, 1, 100.0),
        ("HDND", "council", 4, 2, 1, 3, 2, 2, 50.0),
        ("SNV", "department", 3, 1, 0, 2, 1, 1, 33.3),
        ("STC", "department", 0, 0, 0, 0, 0, 0, None),
        ("STP", "department", 3, 2, 1, 2, 2, 1, 33.3),
        ("BATXAT", "district", 2, 1, 1, 2, 2, 1, 50.0),
        ("SAPA", "district", 1, 1, 0, 1, 1, 1, 100.0),
    ]


def test_districts_gather_their_communes_and_the_rest_is_province_level(tracked):
    rows = response_rates(tracked, today=TODAY)["by_district"]
    assert [(r["level"], r["code"], *figures(r)) for r in rows] == [
        ("province", None, 10, 5, 2, 7, 5, 4, 40.0),
        ("district", "BATXAT", 3, 1, 2, 3, 3, 2, 66.7),
        ("district", "SAPA", 1, 1, 0, 1, 1, 1, 100.0),
    ]
    assert rows[1]["name"] == "Huyện Bát Xát"


def test_days_are_calendar_days_in_vietnam_with_a_cumulative_total(tracked):
    rows = response_rates(tracked, today=TODAY)["by_day"]
    # B1 submitted at 23:30 UTC on the 6th, 06:30 on the 7th in Hà Nội; F1's 17:10 UTC on the 8th is the 9th,
    # after the survey closed, so the series runs past survey_closes to include it.
    assert [
        (r["date"].day, r["opened"], r["started"], r["submitted"], r["submitted_cumulative"]) for r in rows
    ] == [
        (4, 3, 3, 3, 3),
        (5, 2, 1, 1, 4),
        (6, 3, 3, 0, 4),
        (7, 1, 0, 1, 5),
        (8, 2, 2, 1, 6),
        (9, 0, 0, 1, 7),
    ]


def test_day_series_covers_the_survey_period_up_to_today(tracked):
    Invitation.objects.update(opened_at=None, started_at=None, submitted_at=None)
    rows = response_rates(tracked, today=datetime.date(2023, 12, 6))["by_day"]
    assert [(r["date"].day, r["submitted_cumulative"]) for r in rows] == [(4, 0), (5, 0), (6, 0)]


def test_day_series_is_empty_before_anything_happens(campaign):
    assert response_rates(campaign, today=TODAY)["by_day"] == []


def test_a_campaign_without_invitations_has_zero_figures_and_no_rate(campaign):
    report = response_rates(campaign, today=TODAY)
    assert figures(report["overall"]) == (0, 0, 0, 0, 0, 0, None)
    assert (report["overall"]["target"], report["overall"]["target_met"]) == (None, None)
    assert [r["code"] for r in report["by_group"]] == [
        "hdnd",
        "dept_leader",
        "division_leader",
        "district_leader",
    ]
    assert {r["response_rate"] for r in report["by_unit"]} == {None}


def test_after_2025_communes_are_counted_at_commune_level(province, standard_groups):
    campaign = CampaignFactory(province=province, year=2026, groups=["hdnd", "dept_leader"])
    council = UnitFactory(province=province, code="HDND26", name="HĐND tỉnh", kind=Unit.Kind.COUNCIL)
    commune = UnitFactory(province=province, code="XA-SAPA", name="Phường Sa Pa", kind=Unit.Kind.COMMUNE)
    campaign.units.set([council, commune])
    questionnaire = QuestionnaireFactory(campaign=campaign)
    for unit, submitted in ((council, at(4, 1)), (commune, None), (commune, at(5, 1))):
        invite(campaign, questionnaire, RespondentFactory(campaign=campaign, unit=unit), submitted=submitted)
    rows = response_rates(campaign, today=TODAY)["by_district"]
    assert [(r["level"], r["code"], r["invited"], r["submitted"]) for r in rows] == [
        ("province", None, 1, 1),
        ("commune", None, 2, 1),
    ]


@pytest.mark.parametrize(
    ("kind", "parent_kind", "expected"),
    [
        ("district", None, ("district", "SELF")),
        ("commune", "district", ("district", "PARENT")),
        ("commune", None, ("commune", None)),
        ("commune", "commune", ("commune", None)),
        ("department", None, ("province", None)),
        ("council", None, ("province", None)),
    ],
)
def test_district_bucket_rule(kind, parent_kind, expected):
    parent_code = "PARENT" if parent_kind else None
    assert (
        district_bucket(kind=kind, code="SELF", parent_kind=parent_kind, parent_code=parent_code) == expected
    )


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, None), (0, 3, 0.0), (2, 3, 66.7), (1, 3, 33.3), (1, 16, 6.3), (1, 8, 12.5), (7, 7, 100.0)],
)
def test_percent_has_one_decimal_with_halves_rounded_up(part, whole, expected):
    assert percent(part, whole) == expected


@pytest.mark.parametrize("people", [2, 200])
def test_response_rates_takes_the_same_few_queries_whatever_the_number_of_respondents(
    campaign, units, people, django_assert_max_num_queries
):
    questionnaire = QuestionnaireFactory(campaign=campaign)
    group = RespondentGroup.objects.get(code="dept_leader")
    unit_list = list(units.values())
    respondents = Respondent.objects.bulk_create(
        Respondent(
            campaign=campaign,
            unit=unit_list[i % len(unit_list)],
            group=group,
            full_name=f"Người {i}",
            email=f"n{i}@laocai.gov.vn",
        )
        for i in range(people)
    )
    invitations = Invitation.objects.bulk_create(
        Invitation(
            campaign=campaign,
            respondent=r,
            questionnaire=questionnaire,
            opened_at=at(4 + i % 3, 3),
            submitted_at=at(5 + i % 3, 3) if i % 2 else None,
        )
        for i, r in enumerate(respondents)
    )
    Message.objects.bulk_create(
        Message(invitation=inv, channel="email", kind="invitation", to="x@laocai.gov.vn", status="sent")
        for inv in invitations
    )
    with django_assert_max_num_queries(4):
        report = response_rates(campaign, today=TODAY)
    assert report["overall"]["invited"] == people
    assert report["overall"]["email_sent"] == people
    assert report["overall"]["submitted"] == people // 2


def test_non_responders_are_invited_current_people_without_a_submission_by_unit_and_name(tracked):
    people = non_responders(tracked)
    assert [(p.unit.code, p.full_name, p.email_status) for p in people] == [
        ("HDND", "Người A3", "bounced"),
        ("HDND", "Người A4", "queued"),
        ("SNV", "Người C2", None),
        ("SNV", "Người C3", "sending"),
        ("STP", "Người B2", "failed"),
        ("STP", "Người B3", "delivered"),
        ("BATXAT", "Người D2", "bounced"),
    ]


def test_non_responders_of_one_unit(tracked, units):
    assert [p.full_name for p in non_responders(tracked, units["STP"])] == ["Người B2", "Người B3"]


# --- command ----------------------------------------------------------------------------------------------


def test_command_prints_every_breakdown_as_json_with_iso_dates(tracked):
    out = io.StringIO()
    call_command(
        "response_rates", "--campaign", "par-2023", "--format", "json", "--today", "2023-12-10", stdout=out
    )
    data = json.loads(out.getvalue())
    assert list(data) == ["overall", "by_group", "by_unit", "by_district", "by_day"]
    assert figures(data["overall"]) == (14, 7, 4, 11, 9, 7, 50.0)
    assert set(data["by_group"][0]) == {
        "code",
        "name",
        *FIGURES,
        "target",
        "target_met",
        "required",
        "needed",
    }
    assert set(data["by_unit"][0]) == {"code", "name", "kind", *FIGURES}
    assert set(data["by_district"][0]) == {"level", "code", "name", *FIGURES}
    assert data["by_day"][0] == {
        "date": "2023-12-04",
        "opened": 3,
        "started": 3,
        "submitted": 3,
        "submitted_cumulative": 3,
    }
    assert len(data["by_unit"]) == 7 and len(data["by_day"]) == 6


def test_command_text_output_is_aligned_tables(tracked):
    out = io.StringIO()
    call_command("response_rates", "--campaign", "par-2023", "--today", "2023-12-10", stdout=out)
    sections = [block.splitlines() for block in out.getvalue().strip().split("\n\n")]
    assert len(sections) == 4  # by group, unit, district and day
    by_unit = sections[1][1:]  # header and 7 units, the rate right-aligned in the last column
    assert len(by_unit) == 8 and len({len(line) for line in by_unit}) == 1
    stp = next(line for line in by_unit if line.startswith("Sở Tư pháp"))
    assert stp.split()[-7:] == ["3", "2", "1", "2", "2", "1", "33.3"]
    assert sections[3][-1].split() == ["2023-12-09", "0", "0", "1", "7"]


def test_command_refuses_an_unknown_campaign(db):
    with pytest.raises(CommandError, match="unknown campaign"):
        call_command("response_rates", "--campaign", "nope", stdout=io.StringIO())


# --- pages ------------------------------------------------------------------------------------------------


def test_coordinator_sees_the_dashboard_with_badges_and_an_accessible_chart(client, tracked, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("campaign-tracking", args=[tracked.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    # Groups met: hdnd and dept_leader; not met: district_leader and the overall target.
    assert html.count('data-met="yes"') == 2 and html.count('data-met="no"') == 2
    svg = ET.fromstring(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "chart-title chart-desc"
    assert svg.find(f"{ns}title").text and svg.find(f"{ns}desc").text
    points = [tuple(map(float, xy.split(","))) for xy in svg.find(f"{ns}polyline").get("points").split()]
    assert len(points) == 6 and len(svg.findall(f"{ns}g/{ns}rect")) == 6
    assert points[0][1] > points[-1][1]  # the cumulative line climbs (SVG y grows downwards)
    assert "cdn" not in html.lower() and "<script" not in html


def test_dashboard_and_export_are_for_the_coordinator_only(client, tracked, focal_stp):
    client.force_login(focal_stp)
    assert client.get(reverse("campaign-tracking", args=[tracked.slug])).status_code == 403
    assert client.post(reverse("campaign-tracking-export", args=[tracked.slug])).status_code == 403


def test_dashboard_needs_a_login(client, tracked):
    response = client.get(reverse("campaign-tracking", args=[tracked.slug]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_provinces_coordinator_does_not_find_the_campaign(client, tracked):
    other = MembershipFactory(
        user=UserFactory(username="coordinator-yb"), province=ProvinceFactory(code="yen-bai", name="Yên Bái")
    ).user
    client.force_login(other)
    assert client.get(reverse("campaign-tracking", args=[tracked.slug])).status_code == 404
    assert client.get(reverse("campaign-non-responders", args=[tracked.slug])).status_code == 404


def non_responder_rows(html: str) -> list[tuple[str, str]]:
    """(unit code, name) of each listed person."""
    rows = []
    for table in re.findall(r'<table class="non-responders" data-unit="([^"]+)">(.*?)</table>', html, re.S):
        code, body = table
        rows += [(code, name) for name in re.findall(r"<td>(Người [^<]+)</td>", body)]
    return rows


def test_coordinator_lists_every_non_responder_by_unit(client, tracked, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("campaign-non-responders", args=[tracked.slug])).content.decode()
    assert non_responder_rows(html) == [
        ("HDND", "Người A3"),
        ("HDND", "Người A4"),
        ("SNV", "Người C2"),
        ("SNV", "Người C3"),
        ("STP", "Người B2"),
        ("STP", "Người B3"),
        ("BATXAT", "Người D2"),
    ]
    assert 'data-email="bounced"' in html and 'data-progress="started"' in html
    html = client.get(
        reverse("campaign-non-responders", args=[tracked.slug]), {"unit": "STP"}
    ).content.decode()
    assert non_responder_rows(html) == [("STP", "Người B2"), ("STP", "Người B3")]


@pytest.mark.parametrize(
    ("query", "status", "listed"),
    [
        ({}, 200, [("STP", "Người B2"), ("STP", "Người B3")]),
        ({"unit": "STP"}, 200, [("STP", "Người B2"), ("STP", "Người B3")]),
        ({"unit": "SNV"}, 404, None),
        ({"unit": "NOWHERE"}, 404, None),
    ],
)
def test_focal_point_sees_the_non_responders_of_its_own_unit_only(
    client, tracked, focal_stp, query, status, listed
):
    client.force_login(focal_stp)
    response = client.get(reverse("campaign-non-responders", args=[tracked.slug]), query)
    assert response.status_code == status
    if listed is not None:
        assert non_responder_rows(response.content.decode()) == listed


def test_a_member_without_a_unit_or_coordination_gets_no_list(client, tracked, province):
    # A focal point whose unit is outside the campaign has no accessible unit there.
    elsewhere = UnitFactory(province=province, code="OTHER", name="Ban khác")
    user = UserFactory(username="focal-other")
    MembershipFactory(user=user, province=province, role="focal_point", unit=elsewhere)
    client.force_login(user)
    assert client.get(reverse("campaign-non-responders", args=[tracked.slug])).status_code == 403


# --- export -----------------------------------------------------------------------------------------------


def test_export_has_a_sheet_per_breakdown_with_the_same_figures(client, tracked, coordinator):
    client.force_login(coordinator)
    response = follow_job(client, client.post(reverse("campaign-tracking-export", args=[tracked.slug])))
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Theo nhóm", "Theo đơn vị", "Theo huyện", "Theo ngày", "Chưa trả lời"]
    groups = [list(row) for row in book["Theo nhóm"].iter_rows(min_row=2, values_only=True)]
    assert groups[-1][1:8] == [14, 7, 4, 11, 9, 7, 50]
    assert [row[8:] for row in groups] == [
        [50, "Đạt", 2, 0],
        [60, "Đạt", 2, 0],
        [None, None, None, None],
        [80, "Chưa đạt", 4, 1],
        [57.1, "Chưa đạt", 8, 1],
    ]
    units = {row[0]: row[2:] for row in book["Theo đơn vị"].iter_rows(min_row=2, values_only=True)}
    assert units["STP"] == (3, 2, 1, 2, 2, 1, 33.3)
    districts = [row[1:3] for row in book["Theo huyện"].iter_rows(min_row=2, values_only=True)]
    assert [d[1] for d in districts] == [10, 3, 1]
    days = list(book["Theo ngày"].iter_rows(min_row=2, values_only=True))
    assert (days[3][0].date(), days[3][3:]) == (datetime.date(2023, 12, 7), (1, 5))
    people = list(book["Chưa trả lời"].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in people] == [
        "Người A3",
        "Người A4",
        "Người C2",
        "Người C3",
        "Người B2",
        "Người B3",
        "Người D2",
    ]
    assert people[0][5].startswith("0") and people[0][6].endswith("@laocai.gov.vn")


def test_a_formula_like_name_stays_text_in_the_export(client, tracked, coordinator):
    formula = '=HYPERLINK("http://evil.example","Người A3")'
    Respondent.objects.filter(full_name="Người A3").update(full_name=formula)
    client.force_login(coordinator)
    book = load_workbook(
        io.BytesIO(
            follow_job(client, client.post(reverse("campaign-tracking-export", args=[tracked.slug]))).content
        )
    )
    cell = next(c for c in book["Chưa trả lời"]["C"] if c.value == formula)
    assert cell.data_type == "s"


@pytest.fixture
def many_non_responders(campaign, units):
    """250 non-responders in STP (named so that name order is number order) and 3 in SNV."""
    questionnaire = QuestionnaireFactory(campaign=campaign)
    group = RespondentGroup.objects.get(code="division_leader")
    people = Respondent.objects.bulk_create(
        Respondent(campaign=campaign, unit=units[code], group=group, full_name=f"Người {code} {i:03d}")
        for code, count in (("STP", 250), ("SNV", 3))
        for i in range(1, count + 1)
    )
    Invitation.objects.bulk_create(
        Invitation(campaign=campaign, respondent=p, questionnaire=questionnaire) for p in people
    )
    return campaign


def listed_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', html)]


@pytest.mark.parametrize(
    ("query", "first", "last", "names"),
    [
        ({"unit": "STP"}, 1, 200, ("Người STP 001", "Người STP 200")),
        ({"unit": "STP", "page": "2"}, 201, 250, ("Người STP 201", "Người STP 250")),
        ({"unit": "STP", "page": "9"}, 201, 250, ("Người STP 201", "Người STP 250")),  # past the end: last
        ({"unit": "STP", "page": "x"}, 1, 200, ("Người STP 001", "Người STP 200")),
        ({"page": "2"}, 201, 253, ("Người STP 198", "Người STP 250")),  # SNV first, then STP by name
    ],
)
def test_non_responders_are_listed_200_to_a_page_numbered_across_pages(
    client, many_non_responders, coordinator, query, first, last, names
):
    client.force_login(coordinator)
    url = reverse("campaign-non-responders", args=[many_non_responders.slug])
    html = client.get(url, query).content.decode()
    assert listed_numbers(html) == list(range(first, last + 1))
    listed = [name for _, name in non_responder_rows(html)]
    assert (listed[0], listed[-1]) == names


def test_page_links_keep_the_unit_filter(client, many_non_responders, coordinator):
    client.force_login(coordinator)
    url = reverse("campaign-non-responders", args=[many_non_responders.slug])
    html = client.get(url, {"unit": "STP"}).content.decode()
    links = re.findall(r'<nav class="actions pagination".*?</nav>', html, re.S)[0]
    assert 'href="?unit=STP&amp;page=2"' in links and 'rel="next"' in links and 'rel="prev"' not in links
    assert 'aria-current="page" href="?unit=STP&amp;page=1"' in links
    html = client.get(url, {"unit": "STP", "page": "2"}).content.decode()
    assert 'rel="prev" href="?unit=STP&amp;page=1"' in html and 'rel="next"' not in html


def test_a_short_list_has_no_page_links(client, tracked, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("campaign-non-responders", args=[tracked.slug])).content.decode()
    assert "pagination" not in html and listed_numbers(html) == list(range(1, 8))


def test_export_lists_every_non_responder_past_the_page_size(client, many_non_responders, coordinator):
    client.force_login(coordinator)
    started = client.post(reverse("campaign-tracking-export", args=[many_non_responders.slug]))
    content = follow_job(client, started).content
    sheet = load_workbook(io.BytesIO(content), read_only=True)["Chưa trả lời"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == list(range(1, 254))
    assert rows[-1][2] == "Người STP 250" and rows[-1][8] == "Chưa gửi"


@pytest.mark.parametrize(
    ("zone", "offset"),
    [
        ("Asia/Ho_Chi_Minh", datetime.timedelta(hours=7)),
        ("UTC", datetime.timedelta(0)),
        ("Europe/Paris", None),
    ],
)
def test_days_are_shifted_by_a_fixed_offset_only_in_a_zone_without_summer_time(zone, offset):
    assert _fixed_utc_offset(zoneinfo.ZoneInfo(zone)) == offset


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Europe/Paris"])
def test_a_day_is_the_local_calendar_day_with_or_without_summer_time(tracked, settings, zone):
    settings.TIME_ZONE = zone
    rows = response_rates(tracked, today=TODAY)["by_day"]
    # Paris is UTC+1 in December: B1's 23:30 UTC on the 6th is the 7th in both zones, F1's 17:10 UTC on the
    # 8th is the 9th in Hà Nội (UTC+7) but still the 8th in Paris.
    submitted = {r["date"].day: r["submitted"] for r in rows if r["submitted"]}
    assert submitted == (
        {4: 3, 5: 1, 7: 1, 8: 1, 9: 1} if zone == "Asia/Ho_Chi_Minh" else {4: 3, 5: 1, 7: 1, 8: 2}
    )
