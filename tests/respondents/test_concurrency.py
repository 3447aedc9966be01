"""Two imports racing for the same campaign never leave the same person twice (real PostgreSQL)."""

import pytest
from django.db import connection

from respondents.models import Respondent
from respondents.services.importing import import_list
from tests.concurrency import run_at_once
from tests.workbooks import STANDARD_HEADER, person, write_xlsx

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: CI runs the suite with DATABASE_URL=postgres://…")


def test_the_same_list_imported_twice_at_once_is_stored_once(campaign, tmp_path):
    path = write_xlsx(tmp_path / "all.xlsx", {"S": [STANDARD_HEADER, *[person(n) for n in range(1, 201)]]})
    reports = run_at_once(lambda: import_list(campaign=campaign, path=path), times=4)
    assert sorted(r.status for r in reports) == ["imported", "rejected", "rejected", "rejected"]
    assert Respondent.objects.count() == 200
    assert Respondent.objects.values("email").distinct().count() == 200


def test_a_unit_replacing_its_list_twice_at_once_ends_with_one_list(campaign, units, tmp_path):
    path = write_xlsx(tmp_path / "stp.xlsx", {"S": [STANDARD_HEADER, *[person(n) for n in range(1, 51)]]})
    reports = run_at_once(lambda: import_list(campaign=campaign, path=path, unit=units["STP"]), times=3)
    assert [r.status for r in reports] == ["imported"] * 3  # the later ones find the list unchanged
    assert Respondent.objects.current().count() == 50
    assert sorted(r.added for r in reports) == [0, 0, 50]
