"""One source of truth for an assessment's survey points: the scoring overview shows the survey points the
indices dashboard counts (the overview used to leave them out: 54.71 beside 79.85 in the 2026 demo)."""

import re

import pytest
from django.urls import reverse

from analysis.indices import campaign_indices
from scoring.survey_points import survey_points
from tests.analysis.indices_setup import scenario
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def computed(tmp_path, province, units, campaign):
    return scenario(tmp_path, province, units, campaign)


def card(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]+)<', html).group(1)


def test_the_scoring_overview_and_the_dashboard_show_the_same_index_and_survey_points(
    client, computed, province
):
    coordinator = MembershipFactory(user=UserFactory(username="dieu-phoi"), province=province).user
    client.force_login(coordinator)
    assessment = computed["assessment"]
    overview = client.get(reverse("scoring-overview", args=["par-2023", assessment.pk])).content.decode()
    dashboard = client.get(reverse("indices-dashboard", args=["par-2023"])).content.decode()
    assert card(overview, "index") == card(dashboard, "index") == "83,17"
    assert card(overview, "total-points") == "16,63"  # 16.6333 of 20, survey points included
    assert card(overview, "survey-points") == "9,73"  # officials 1.7333 + SIPAS 4.80 + 3.20
    assert "officials-876-v1" in overview and 'id="domain-8"' in overview


def test_the_survey_points_of_scoring_are_those_the_index_used(computed):
    result = campaign_indices(computed["assessment"].campaign)
    points = survey_points(computed["assessment"])
    assert points.points == result.surveys.points
    assert points.officials_method == "officials-876-v1"


def test_a_department_assessment_takes_no_survey_points(computed, units):
    from scoring.services.scoring import open_assessment

    unit_assessment = open_assessment(
        campaign=computed["assessment"].campaign, tree=computed["tree"], unit=units["STP"]
    )
    assert survey_points(unit_assessment).points == {}
