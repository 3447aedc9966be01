"""The demo (seed_demo --year 2026) built once for a test module, inside a transaction rolled back after it,
with a logged-in client per demo user: the world a new user meets after `make run`."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

# One user per demo role (seed_demo prints them): coordinator, three focal points (one late), analyst,
# enumerator, supervisor, two scorers, council, superuser.
DEMO_USERS = (
    "snv",
    "dm-stp",
    "dm-batxat",
    "dm-sct",
    "phan-tich",
    "bd-team1-a",
    "bd-team1-gs",
    "cham-stp",
    "cham-snv",
    "hdtd",
    "admin",
)


class Demo(dict):
    """{username: logged-in Client}; `output` is what seed_demo printed."""

    output = ""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """{username: logged-in Client} over the demo, rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            printed = io.StringIO()
            call_command("seed_demo", "--year", "2026", stdout=printed)
            users = get_user_model().objects.in_bulk(DEMO_USERS, field_name="username")
            clients = Demo()
            clients.output = printed.getvalue()
            for name in DEMO_USERS:
                clients[name] = Client()
                clients[name].force_login(users[name])
            yield clients
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
