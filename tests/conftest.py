"""Shared fixtures: a province with a council, departments and districts, and a PAR campaign of 2023."""

import importlib

import pytest
from django.apps import apps

from respondents.models import Unit
from tests.factories import CampaignFactory, MembershipFactory, ProvinceFactory, UnitFactory, UserFactory


@pytest.fixture
def standard_groups(db):
    """The groups created by a data migration; a transactional test's flush removes them, so recreate."""
    migration = importlib.import_module("respondents.migrations.0002_standard_groups")
    migration.create_groups(apps, None)
    importlib.import_module("respondents.migrations.0005_commune_leader_group").create_group(apps, None)


@pytest.fixture
def province(db, standard_groups):
    return ProvinceFactory()


@pytest.fixture
def units(province):
    specs = [
        ("HDND", "Hội đồng nhân dân tỉnh", Unit.Kind.COUNCIL),
        ("STP", "Sở Tư pháp", Unit.Kind.DEPARTMENT),
        ("SNV", "Sở Nội vụ", Unit.Kind.DEPARTMENT),
        ("STC", "Sở Tài chính", Unit.Kind.DEPARTMENT),
        ("BATXAT", "Huyện Bát Xát", Unit.Kind.DISTRICT),
        ("SAPA", "Thị xã Sa Pa", Unit.Kind.DISTRICT),
    ]
    return {
        code: UnitFactory(province=province, code=code, name=name, kind=kind) for code, name, kind in specs
    }


@pytest.fixture
def campaign(province, units):
    campaign = CampaignFactory(province=province, slug="par-2023", year=2023)
    campaign.units.set(units.values())
    return campaign


@pytest.fixture
def coordinator(province):
    return MembershipFactory(user=UserFactory(username="coordinator"), province=province).user


@pytest.fixture
def focal_stp(province, units):
    user = UserFactory(username="focal-stp")
    MembershipFactory(user=user, province=province, role="focal_point", unit=units["STP"])
    return user


@pytest.fixture
def focal_snv(province, units):
    user = UserFactory(username="focal-snv")
    MembershipFactory(user=user, province=province, role="focal_point", unit=units["SNV"])
    return user
