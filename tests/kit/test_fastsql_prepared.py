"""kit.fastsql.execute_prepared: the same rows as cursor.execute, the statement prepared once per database
connection on PostgreSQL (again on a new connection, kept through a rolled-back transaction)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from kit.fastsql import execute_prepared

pytestmark = pytest.mark.django_db
SQL = "SELECT %s + 1, %s || 'x'"


def _run(params):
    with connection.cursor() as cursor:
        execute_prepared(cursor, "kit_test_sum", SQL, params)
        return cursor.fetchone()


def test_a_prepared_statement_gives_what_the_plain_one_gives():
    with connection.cursor() as cursor:
        cursor.execute(SQL, [41, "Bưu điện"])
        plain = cursor.fetchone()
    assert _run([41, "Bưu điện"]) == plain == (42, "Bưu điệnx")
    assert _run([1, "'; --"]) == (2, "'; --x")  # parameters stay parameters


def test_the_statement_is_prepared_once_per_connection():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: other databases run the statement as it is")
    _run([1, "a"])
    with CaptureQueriesContext(connection) as queries:
        assert _run([2, "b"]) == (3, "bx")
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["EXECUTE"]


def test_a_statement_prepared_in_a_rolled_back_transaction_is_still_there():
    with transaction.atomic():
        assert _run([1, "a"]) == (2, "ax")
        transaction.set_rollback(True)
    assert _run([2, "b"]) == (3, "bx")  # prepared statements belong to the session, not the transaction


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_the_statement_again():
    assert _run([1, "a"]) == (2, "ax")
    connection.close()
    assert _run([3, "c"]) == (4, "cx")
