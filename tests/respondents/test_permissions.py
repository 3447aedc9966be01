"""Who may see and change which lists: a focal point only its own unit, a coordinator the province."""

import pytest
from django.urls import reverse

from respondents.models import Respondent
from tests.factories import RespondentFactory, UserFactory
from tests.workbooks import STANDARD_HEADER, person, write_xlsx


@pytest.fixture
def listed(campaign, units):
    stp = RespondentFactory(campaign=campaign, unit=units["STP"], full_name="Người Tư Pháp")
    snv = RespondentFactory(campaign=campaign, unit=units["SNV"], full_name="Người Nội Vụ")
    return stp, snv


def test_focal_point_sees_only_its_own_unit_page(client, campaign, focal_stp, listed):
    client.force_login(focal_stp)
    own = client.get(reverse("unit", args=[campaign.slug, "STP"]))
    other = client.get(reverse("unit", args=[campaign.slug, "SNV"]))
    assert own.status_code == 200
    assert "Người Tư Pháp" in own.content.decode()
    assert other.status_code == 404


def test_focal_point_is_sent_to_its_unit_from_the_campaign_page(client, campaign, focal_stp):
    client.force_login(focal_stp)
    response = client.get(reverse("campaign", args=[campaign.slug]))
    assert response.status_code == 302
    assert response["Location"] == reverse("unit", args=[campaign.slug, "STP"])


@pytest.mark.parametrize("name", ["campaign-export", "campaign-remind", "campaign-upload"])
def test_focal_point_cannot_use_coordinator_actions(client, campaign, focal_stp, name):
    client.force_login(focal_stp)
    response = (
        client.post(reverse(name, args=[campaign.slug]))
        if name != "campaign-export"
        else client.get(reverse(name, args=[campaign.slug]))
    )
    assert response.status_code == 403


def test_focal_point_upload_cannot_touch_another_units_list(client, campaign, focal_stp, listed, tmp_path):
    # The upload goes to its own unit whatever the file says; rows naming another unit are refused.
    path = write_xlsx(tmp_path / "x.xlsx", {"S": [STANDARD_HEADER, person(1, unit="Sở Nội vụ")]})
    client.force_login(focal_stp)
    with path.open("rb") as fh:
        response = client.post(reverse("unit", args=[campaign.slug, "STP"]), {"file": fh})
    assert response.status_code == 422
    assert "unit_mismatch" in response.content.decode()
    assert Respondent.objects.current().filter(unit__code="SNV").count() == 1


def test_focal_point_api_sees_only_its_units_respondents(client, campaign, focal_stp, listed):
    client.force_login(focal_stp)
    data = client.get(reverse("api-respondents", args=[campaign.slug])).json()
    assert [r["full_name"] for r in data["results"]] == ["Người Tư Pháp"]


def test_focal_point_api_import_for_another_unit_is_forbidden(client, campaign, focal_stp, tmp_path):
    path = write_xlsx(tmp_path / "x.xlsx", {"S": [STANDARD_HEADER, person(1, unit="Sở Nội vụ")]})
    client.force_login(focal_stp)
    with path.open("rb") as fh:
        response = client.post(reverse("api-imports", args=[campaign.slug]), {"file": fh, "unit": "SNV"})
    assert response.status_code == 403
    assert not Respondent.objects.exists()


def test_focal_point_cannot_read_another_units_import_report(
    client, campaign, focal_stp, focal_snv, tmp_path
):
    path = write_xlsx(tmp_path / "x.xlsx", {"S": [STANDARD_HEADER, person(1, unit="Sở Nội vụ")]})
    client.force_login(focal_snv)
    with path.open("rb") as fh:
        client.post(reverse("unit", args=[campaign.slug, "SNV"]), {"file": fh})
    batch_id = Respondent.objects.get().batch_id
    client.force_login(focal_stp)
    assert client.get(reverse("import", args=[campaign.slug, batch_id])).status_code == 403
    client.force_login(focal_snv)
    assert client.get(reverse("import", args=[campaign.slug, batch_id])).status_code == 200


def test_user_of_another_province_sees_nothing(client, campaign, listed):
    from tests.factories import MembershipFactory, ProvinceFactory

    other = MembershipFactory(province=ProvinceFactory(code="yen-bai", name="Yên Bái")).user
    client.force_login(other)
    assert client.get(reverse("campaign", args=[campaign.slug])).status_code == 404
    assert client.get(reverse("api-respondents", args=[campaign.slug])).status_code == 404


def test_anonymous_is_sent_to_login_and_refused_by_the_api(client, campaign):
    assert client.get(reverse("campaign", args=[campaign.slug])).status_code == 302
    assert client.get(reverse("api-respondents", args=[campaign.slug])).status_code in (401, 403)


def test_user_without_membership_sees_no_campaign(client, campaign):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("campaign", args=[campaign.slug])).status_code == 404
    assert client.get(reverse("api-campaigns")).json()["results"] == []


def test_coordinator_sees_every_unit(client, campaign, coordinator, listed):
    client.force_login(coordinator)
    names = {
        r["full_name"] for r in client.get(reverse("api-respondents", args=[campaign.slug])).json()["results"]
    }
    assert names == {"Người Tư Pháp", "Người Nội Vụ"}
    assert client.get(reverse("unit", args=[campaign.slug, "SNV"])).status_code == 200
