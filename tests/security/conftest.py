"""Security tests count hits in a real (local-memory) cache (the rest of the suite runs without one), and
share the permission matrix's world of one user per role."""

from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from .matrix_setup import ROLES, World, build_world


@pytest.fixture
def counting_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once, inside a transaction rolled back after the module (each test adds its own savepoint)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        built: World | None = None
        try:
            built = build_world()
            clients = {}
            for role in ROLES:
                clients[role] = Client()
                if built.users[role] is not None:
                    clients[role].force_login(built.users[role])
            yield built, clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for path in built.files if built else []:
                Path(path).unlink(missing_ok=True)
