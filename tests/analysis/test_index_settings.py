"""A campaign's criteria set (by year, chosen by a coordinator, refused when not valid for the year) and its
conversion of the officials' answers (named settings, defined as data, printed on every report)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from analysis import officials
from analysis.indices import campaign_indices
from scoring.models import Score
from scoring.selectors import campaign_tree
from scoring.services.campaigns import choose_campaign_tree, open_province_assessment
from scoring.services.scoring import TreeNotValid, open_assessment
from scoring.services.trees import load_criteria_tree
from tests.analysis.indices_setup import scenario
from tests.factories import CampaignFactory, MembershipFactory, UserFactory
from tests.scoring.annex_files import TREE_876, TREE_892


@pytest.fixture
def trees(db):
    return load_criteria_tree(path=TREE_876).tree, load_criteria_tree(path=TREE_892).tree


def test_a_campaign_takes_the_tree_valid_for_its_year(trees, province):
    t876, t892 = trees
    assert campaign_tree(CampaignFactory(province=province, slug="p23", year=2023)) == t876
    assert campaign_tree(CampaignFactory(province=province, slug="p26", year=2026)) == t892
    assert (
        campaign_tree(CampaignFactory(province=province, slug="s26", year=2026, kind="sipas_citizens"))
        is None
    )


def test_a_tree_whose_years_do_not_cover_the_campaign_is_refused_with_a_clear_message(trees, province):
    campaign = CampaignFactory(province=province, slug="p26", year=2026)
    result = choose_campaign_tree(campaign=campaign, code="par-province-876")
    assert not result.ok and "2022–2023" in result.error and "2026" in result.error
    with pytest.raises(TreeNotValid):
        open_assessment(campaign=campaign, tree=trees[0])


def test_a_coordinator_may_choose_another_valid_set_until_scores_are_entered(trees, province, tmp_path):
    t892 = trees[1]
    other = tmp_path / "other.yaml"
    other.write_text(
        TREE_892.read_text(encoding="utf-8").replace("code: par-province-892", "code: par-province-892-b"),
        encoding="utf-8",
    )
    load_criteria_tree(path=other)
    campaign = CampaignFactory(province=province, slug="p26", year=2026)
    assessment = open_province_assessment(campaign=campaign)
    assert assessment.tree.code == "par-province-892-b"  # two placeholders valid for 2026: the latest loaded
    assert choose_campaign_tree(campaign=campaign, code="par-province-892").ok
    assessment.refresh_from_db()
    assert assessment.tree == t892 and campaign_tree(campaign) == t892
    Score.objects.create(
        assessment=assessment, criterion=assessment.tree.nodes.get(code="1.2"), self_points=1
    )
    refused = choose_campaign_tree(campaign=campaign, code="par-province-892-b")
    assert not refused.ok and "par-province-892 v1" in refused.error


def test_the_option_coefficient_conversion_scores_a_four_option_scale_100_60_20_0():
    method = officials.get_method("options-100-60-20-0-v1")
    assert officials.option_shares([1, 2, 3, 4], method) == {4.0: 1.0, 3.0: 0.6, 2.0: 0.2, 1.0: 0.0}
    assert officials.option_shares([1, 2, 3, 4, 5], method) == {}  # no shares for five options: reported
    with pytest.raises(ValueError):
        officials.OfficialsMethod(
            name="x", description="", rescale="coefficients", coefficients={4: (1, 0.5)}
        )


def test_the_conversion_chosen_for_a_campaign_is_used_and_named(client, tmp_path, province, units, campaign):
    scenario(tmp_path, province, units, campaign)
    coordinator = MembershipFactory(user=UserFactory(username="dp"), province=province).user
    client.force_login(coordinator)
    url = reverse("indices-settings", args=["par-2023"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"tree": "tiny-index", "officials_method": "options-100-60-20-0-v1"})
    assert response.status_code == 302
    result = campaign_indices(campaign)
    # hdnd 4, 4, 3, 3, 2 → 1, 1, .6, .6, .2 = .68; dept_leader 1 → (0.68 + 1) / 2 = 0.84 → 2 × 0.84 = 1.68
    assert result.surveys.officials.items[0].points == Decimal("1.6800")
    assert result.surveys.method.name == "options-100-60-20-0-v1"
    html = client.get(reverse("indices-dashboard", args=["par-2023"])).content.decode()
    assert "options-100-60-20-0-v1" in html
    assert client.post(url, {"tree": "tiny-index", "officials_method": "nope"}).status_code == 400
