"""The landing page after login: every place a user's roles lead to; with only one, straight there."""

import pytest
from django.urls import reverse

from fieldwork.models import FieldMember, FieldTeam
from scoring.models import ScoringRole
from scoring.selectors import current_tree
from scoring.services.scoring import open_assessment
from scoring.services.trees import load_criteria_tree
from tests.factories import CampaignFactory, UserFactory
from tests.scoring.conftest import TREE_876

pytestmark = pytest.mark.django_db


def landing(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_login_leads_to_the_landing_page():
    from django.conf import settings

    assert reverse(settings.LOGIN_REDIRECT_URL) == reverse("home")


def test_a_coordinator_gets_the_dashboard_of_its_campaign_even_with_one(client, coordinator, campaign):
    response = landing(client, coordinator)
    assert response.status_code == 200
    card = response.context["cards"][0]
    assert card.url == reverse("campaign", args=[campaign.slug])
    labels = [f.label for f in card.figures]
    assert labels[:3] == ["danh sách đã gửi", "đơn vị chậm gửi", "hạn gửi danh sách"]


def test_a_coordinator_of_two_campaigns_chooses_between_them(client, coordinator, campaign, province):
    other = CampaignFactory(province=province, slug="par-2024", name="Khảo sát PAR 2024", year=2024)
    html = landing(client, coordinator).content.decode()
    assert reverse("campaign", args=[campaign.slug]) in html
    assert reverse("campaign", args=[other.slug]) in html


@pytest.mark.parametrize(
    ("role", "expected", "absent"),
    [
        ("enumerator", ["field-entry", "field-verify"], ["field-progress", "field-mismatches"]),
        ("clerk", ["field-entry", "field-verify"], ["field-progress"]),
        ("supervisor", ["field-progress", "field-mismatches"], ["field-entry"]),
    ],
)
def test_field_staff_find_their_pages(client, campaign, role, expected, absent):
    user = UserFactory(username=f"bd-{role}")
    team = FieldTeam.objects.create(campaign=campaign, code="bd-1", name="Bưu điện Bát Xát")
    FieldMember.objects.create(team=team, user=user, role=role)
    response = landing(client, user)
    assert response.status_code == 200
    html = response.content.decode()
    assert all(reverse(name) in html for name in expected)
    assert not any(f'href="{reverse(name)}"' in html for name in absent)


def test_a_lead_department_scorer_finds_the_campaigns_assessments(client, province, units, campaign):
    user = UserFactory(username="cham-stp")
    ScoringRole.objects.create(user=user, role=ScoringRole.Role.SCORER, province=province, unit=units["STP"])
    # No assessment yet: nothing to act on, so nothing listed (the scoring page would refuse).
    assert landing(client, user).context["cards"] == []
    load_criteria_tree(path=TREE_876)
    open_assessment(campaign=campaign, tree=current_tree("par-province-876"))
    response = landing(client, user)
    assert response.status_code == 302
    assert response.url == reverse("scoring-assessments", args=[campaign.slug])


def test_a_council_member_finds_scoring_and_the_index_results(client, province, campaign):
    user = UserFactory(username="hdtd")
    ScoringRole.objects.create(user=user, role=ScoringRole.Role.COUNCIL, province=province)
    html = landing(client, user).content.decode()
    assert reverse("scoring-assessments", args=[campaign.slug]) in html
    assert reverse("indices-dashboard", args=[campaign.slug]) in html


def test_someone_without_a_role_is_told_whom_to_ask(client, campaign):
    response = landing(client, UserFactory(username="nobody"))
    assert response.status_code == 200
    assert 'class="landing"' not in response.content.decode()
    assert response.context["sections"] == [] and response.context["cards"] == []
