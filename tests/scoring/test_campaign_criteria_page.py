"""The campaign's criteria set from the browser: the tree valid for its year by default, another one valid
for that year on the coordinator's choice (scoring.services.campaigns)."""

from pathlib import Path

import pytest
from django.urls import reverse

from scoring.models import CampaignTree
from scoring.services.trees import load_criteria_tree

pytestmark = pytest.mark.django_db
TREES = Path(__file__).resolve().parents[2] / "scoring" / "trees"


def test_the_coordinator_sees_the_default_of_the_year_and_may_choose(
    client, campaign, coordinator, focal_stp
):
    loaded = load_criteria_tree(path=TREES / "par-province-876.yaml")
    tree = loaded.tree
    url = reverse("campaign-criteria", args=[campaign.slug])
    client.force_login(focal_stp)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and page.context["current"] == tree == page.context["default"]
    assert f'data-current-tree="{tree.code}"' in page.content.decode()
    reply = client.post(url, {"code": tree.code})
    assert reply.status_code == 302
    assert CampaignTree.objects.get(campaign=campaign).tree_code == tree.code
    refused = client.post(url, {"code": "no-such-tree"}, follow=True)
    assert [m.level_tag for m in refused.context["messages"]][-1] == "error"  # after the earlier success
    settings_page = client.get(reverse("campaign-settings", args=[campaign.slug])).content.decode()
    assert "data-criteria-link" in settings_page
