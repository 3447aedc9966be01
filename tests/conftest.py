"""Shared fixtures: a province with a council, departments and districts, and a PAR campaign of 2023."""

import importlib
import threading

import pytest
from django.apps import apps
from django.core.servers import basehttp

from respondents.models import Unit
from tests.factories import CampaignFactory, MembershipFactory, ProvinceFactory, UnitFactory, UserFactory

# Fixtures of their own modules: `browser` (Debian's chromium through Playwright), `demo` (seed_demo).
pytest_plugins = ["tests.browser", "tests.demo_world"]


@pytest.fixture(autouse=True, scope="session")
def _one_live_server_request_at_a_time_on_sqlite(django_db_setup):
    """On SQLite the test database lives in memory, and the live server's request threads share its one
    connection: two requests at once (a service worker fetching pages in parallel) then corrupt each other
    ("bad parameter or other API misuse"), as Django's documentation warns. Requests are served one at a
    time there, each response read to its end inside the lock; PostgreSQL keeps concurrent requests."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    lock = threading.Lock()
    original = basehttp.WSGIServer.set_app

    def set_app(server, application):
        def serialised(environ, start_response):
            with lock:
                result = application(environ, start_response)
                try:
                    return [b"".join(result)]
                finally:
                    if hasattr(result, "close"):
                        result.close()

        original(server, serialised)

    basehttp.WSGIServer.set_app = set_app
    yield
    basehttp.WSGIServer.set_app = original


@pytest.fixture
def standard_groups(db):
    """The groups created by a data migration; a transactional test's flush removes them, so recreate."""
    migration = importlib.import_module("respondents.migrations.0002_standard_groups")
    migration.create_groups(apps, None)
    importlib.import_module("respondents.migrations.0007_commune_leader_group").create_group(apps, None)


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
