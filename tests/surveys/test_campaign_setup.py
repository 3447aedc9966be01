"""Campaigns set up in the browser: created with the units of their year, edited until they open (then only
the closing date and the reminders), and copied as next year's with units re-read and questionnaires."""

import datetime

import pytest
from django.urls import reverse

from respondents.models import Campaign, RespondentGroup, Unit
from respondents.services.setup import update_campaign
from surveys.services.campaign_setup import copy_for_next_round
from surveys.services.definitions import validate_definition
from surveys.services.questionnaires import load_definition
from tests.factories import UnitFactory
from tests.surveys.respondent_setup import DEFINITION

pytestmark = pytest.mark.django_db


def form_data(province, **changes):
    data = {
        "kind": "sipas_citizens",
        "year": 2026,
        "province": province.pk,
        "name": "",
        "slug": "sipas-2026",
        "list_deadline": "2026-03-10",
        "survey_opens": "2026-04-01",
        "survey_closes": "2026-05-31",
        "reminder_limit": 2,
        "reminder_interval_days": 5,
        "groups": ["citizen", "organisation"],
        "target_citizen": 60,
    }
    data.update(changes)
    return data


def test_a_coordinator_creates_a_campaign_with_the_units_valid_in_its_year(
    client, coordinator, province, units
):
    UnitFactory(
        province=province, code="OLD", kind=Unit.Kind.DISTRICT, valid_until=datetime.date(2025, 6, 30)
    )
    client.force_login(coordinator)
    assert client.get(reverse("campaign-new")).status_code == 200
    reply = client.post(reverse("campaign-new"), form_data(province))
    assert reply.status_code == 302 and reply["Location"] == reverse("campaign-settings", args=["sipas-2026"])
    campaign = Campaign.objects.get(slug="sipas-2026")
    assert campaign.kind == "sipas_citizens" and campaign.year == 2026
    assert campaign.survey_opens == datetime.date(2026, 4, 1) and campaign.reminder_limit == 2
    assert campaign.response_targets == {"citizen": 60}
    assert set(campaign.groups.values_list("code", flat=True)) == {"citizen", "organisation"}
    assert "OLD" not in set(campaign.units.values_list("code", flat=True))
    assert set(campaign.units.values_list("code", flat=True)) == set(units)


def test_dates_in_the_wrong_order_are_refused_on_the_form(client, coordinator, province, units):
    client.force_login(coordinator)
    reply = client.post(reverse("campaign-new"), form_data(province, survey_closes="2026-03-31"))
    assert reply.status_code == 200
    assert not Campaign.objects.filter(slug="sipas-2026").exists()
    assert reply.context["form"].errors["survey_closes"]


def test_a_focal_point_cannot_create_campaigns(client, focal_stp):
    client.force_login(focal_stp)
    assert client.get(reverse("campaign-new")).status_code == 403


def test_everything_is_editable_until_the_survey_opens_then_only_closing_and_reminders(campaign):
    campaign.year = 2030
    campaign.survey_opens = datetime.date(2030, 1, 10)
    campaign.survey_closes = datetime.date(2030, 2, 10)
    campaign.list_deadline = datetime.date(2029, 12, 10)
    campaign.save()
    before = update_campaign(campaign=campaign, values={"name": "Tên mới"}, today=datetime.date(2030, 1, 9))
    assert before.ok and before.campaign.name == "Tên mới"
    after = update_campaign(
        campaign=campaign,
        values={"name": "Tên khác", "survey_closes": datetime.date(2030, 2, 20)},
        today=datetime.date(2030, 1, 10),
    )
    assert list(after.errors) == ["name"]  # and nothing of the change is kept
    campaign.refresh_from_db()
    assert campaign.name == "Tên mới" and campaign.survey_closes == datetime.date(2030, 2, 10)
    later = update_campaign(
        campaign=campaign,
        values={"survey_closes": datetime.date(2030, 2, 20)},
        today=datetime.date(2030, 1, 10),
    )
    assert later.ok and later.changed == ["survey_closes"]


def test_the_settings_page_saves_and_shows_the_units_of_the_year(client, coordinator, campaign):
    client.force_login(coordinator)
    page = client.get(reverse("campaign-settings", args=[campaign.slug]))
    assert page.status_code == 200 and page.context["units"] == campaign.units.count()
    data = form_data(
        campaign.province,
        slug=campaign.slug,
        kind=campaign.kind,
        year=campaign.year,
        list_deadline="2023-12-10",
        survey_opens="",
        survey_closes="",
        groups=["hdnd", "dept_leader"],
        target_citizen="",
        target_hdnd=80,
        name="PAR 2023 đổi tên",
    )
    reply = client.post(reverse("campaign-settings", args=[campaign.slug]), data)
    assert reply.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "PAR 2023 đổi tên" and campaign.response_targets == {"hdnd": 80}
    assert set(campaign.groups.values_list("code", flat=True)) == {"hdnd", "dept_leader"}
    assert campaign.slug == "par-2023"  # fixed once the campaign exists


def test_next_years_campaign_rereads_units_moves_dates_and_copies_questionnaires(campaign, province, units):
    campaign.groups.set(RespondentGroup.objects.filter(code__in=["dept_leader", "district_leader"]))
    campaign.survey_opens, campaign.survey_closes = datetime.date(2023, 4, 1), datetime.date(2023, 5, 31)
    campaign.response_targets = {"dept_leader": 70}
    campaign.save()
    load_definition(
        campaign=campaign, definition=validate_definition(DEFINITION).definition, source_name="par.yaml"
    )
    # Districts were abolished on 1 July 2025; a new commune appears.
    Unit.objects.filter(kind=Unit.Kind.DISTRICT).update(valid_until=datetime.date(2025, 6, 30))
    UnitFactory(province=province, code="XA1", kind=Unit.Kind.COMMUNE, valid_from=datetime.date(2025, 7, 1))
    report = copy_for_next_round(source=campaign, slug="par-2026", year=2026)
    new = report.campaign
    assert (new.kind, new.year, new.province) == (campaign.kind, 2026, province)
    assert (new.survey_opens, new.survey_closes) == (datetime.date(2026, 4, 1), datetime.date(2026, 5, 31))
    assert new.list_deadline.year == 2026 and new.response_targets == {"dept_leader": 70}
    codes = set(new.units.values_list("code", flat=True))
    assert "XA1" in codes and "BATXAT" not in codes and "SAPA" not in codes
    # No district leaders any more: commune-level leaders take their place (docs/decisions.md D208).
    assert list(new.groups.values_list("code", flat=True)) == ["dept_leader", "commune_leader"]
    assert report.questionnaires == ["par-thu"]
    copied = new.questionnaires.get()
    assert (
        copied.version == 1
        and copied.definition["sections"] == campaign.questionnaires.get().definition["sections"]
    )


def test_the_copy_button_makes_next_years_campaign(client, coordinator, campaign):
    client.force_login(coordinator)
    reply = client.post(reverse("campaign-copy", args=[campaign.slug]), {"year": 2024, "slug": "par-2024"})
    assert reply.status_code == 302 and reply["Location"] == reverse("campaign-settings", args=["par-2024"])
    assert Campaign.objects.get(slug="par-2024").year == 2024
    again = client.post(reverse("campaign-copy", args=[campaign.slug]), {"year": 2024, "slug": "par-2024"})
    assert again.status_code == 302 and Campaign.objects.filter(slug="par-2024").count() == 1
