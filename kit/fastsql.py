"""Raw-SQL fast paths: many new rows at once (`insert_rows`, several times faster than bulk_create: plain
tuples, one INSERT or COPY), one row through a statement compiled once per model (`insert`, `insert_pair`),
and statements that PostgreSQL plans once per connection (`execute_prepared`).

`insert_rows`:

bulk_create spends most of its time building model instances and preparing each field's value: writing a
50,000-row list took it 3.3 s on SQLite and 5.5 s on PostgreSQL, against about 0.9 s here with executemany
(SQLite) or COPY (PostgreSQL). Rows go through Django's connection, so they join the caller's
transaction.atomic(), and database errors (a unique index hit by a concurrent import) arrive as
django.db.IntegrityError, as they did with bulk_create.
"""

import datetime
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from functools import cache
from typing import Any, cast

from django.db import connection, models, transaction
from django.db.models import Field, ForeignObjectRel, Model

# JSONField values go in as bulk_create sent them: json.dumps text (SQLite stores it as is, PostgreSQL
# parses it into jsonb).
json_value = json.dumps


def db_datetime(value: datetime.datetime) -> str:
    """An aware datetime as the text the database reads it from, formatted once for all the rows.

    SQLite: naive UTC, as Django stores it. PostgreSQL: ISO 8601 with its offset, which COPY reads exactly
    (given the datetime itself, psycopg would format it again for every row).
    """
    if connection.vendor == "postgresql":
        return value.isoformat()
    return cast(str, connection.ops.adapt_datetimefield_value(value))  # None only for None


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[object, ...]]) -> None:
    """Insert rows of database-ready values, one tuple per row in the order of `fields` (model field names).

    Nothing is computed on the way in: no defaults, auto_now, save() or signals. Give every column you
    want filled, with JSON as json_value(...) and datetimes as db_datetime(...). Rows are inserted in order.
    `rows` may be a generator: on PostgreSQL the next rows are then built while the server stores the first.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(_column(model._meta.get_field(name))) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk-load path; psycopg escapes each value. The raw psycopg cursor is
            # needed for copy(), so translate its errors into Django's ourselves.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            # django-stubs asks for a Sequence; any iterable of rows works (sqlite3 reads it row by row).
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # type: ignore[arg-type]


def _column(field: "Field[Any, Any] | ForeignObjectRel | None") -> str:
    """A concrete field's column. Only those are given here, never a relation's reverse side or a field
    without a column, which the stubs' types allow."""
    return cast(str, cast("Field[Any, Any]", field).column)


# ------------------------------------------------------------------------------------- one row, fast
# INSERT of a model instance through a statement built once per model: what `Model.objects.create()`
# does for a plain row (field defaults, auto_now(_add), each field's conversion for the database, the new
# primary key), without compiling the INSERT again for every submission (~0.5 ms of CPU for the two rows of
# a field submission, bench/field_api.py). No signals are sent: use it only for models without receivers
# (the Response and FieldRecord of a field submission have none).


@cache
def _statement(model: type[Model], vendor: str) -> tuple[str, list["Field[Any, Any]"]]:
    del vendor  # only the cache key
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    assert not any(hasattr(f, "get_placeholder") for f in fields), "fields needing their own placeholder"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(_column(f)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(_column(model._meta.pk))}"
    )
    return sql, fields


def insert[M: Model](instance: M) -> M:
    """Store a new instance (its primary key must be automatic) and set its primary key."""
    sql, fields = _statement(type(instance), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(instance, fields))
        _stored(instance, cursor.fetchone()[0])
    return instance


def insert_pair[P: Model, C: Model](parent: P, child: C, *, link: str) -> tuple[P, C]:
    """Store a new instance and a new one of another model whose `link` (a foreign key) points at it,
    both or neither: on PostgreSQL in one statement (a data-modifying WITH, atomic by itself, so no
    BEGIN and COMMIT of its own: two round trips fewer), elsewhere as two insert()s in one transaction.
    Inside the caller's transaction.atomic() it takes a savepoint, as an atomic() block would, so that a
    refused pair (IntegrityError) leaves the caller's transaction usable."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            insert(parent)
            setattr(child, link, parent)
            insert(child)
        return parent, child
    sql, parent_fields, child_fields = _pair_statement(type(parent), type(child), link)
    setattr(child, link, parent)  # pre_save of the child's fields sees its parent, as with two inserts
    params = _params(parent, parent_fields) + _params(child, child_fields)
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        parent_pk, child_pk = cursor.fetchone()
    _stored(parent, parent_pk)
    setattr(child, link, parent)  # the foreign key's id, now that the parent has its primary key
    _stored(child, child_pk)
    return parent, child


@cache
def _pair_statement(
    parent: type[Model], child: type[Model], link: str
) -> tuple[str, list["Field[Any, Any]"], list["Field[Any, Any]"]]:
    """WITH parent AS (INSERT … RETURNING pk) INSERT INTO child (…, link) VALUES (…, (SELECT pk FROM parent))
    RETURNING (SELECT pk FROM parent), child's pk: PostgreSQL only."""
    quote = connection.ops.quote_name
    parent_sql, parent_fields = _statement(parent, connection.vendor)
    link_field = cast("Field[Any, Any]", child._meta.get_field(link))
    fields = [f for f in _statement(child, connection.vendor)[1] if f is not link_field]
    columns = [quote(_column(f)) for f in fields] + [quote(_column(link_field))]
    sql = (
        f"WITH parent AS ({parent_sql}) "
        f"INSERT INTO {quote(child._meta.db_table)} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}, (SELECT {quote(_column(parent._meta.pk))} FROM parent)) "
        f"RETURNING {quote(_column(link_field))}, {quote(_column(child._meta.pk))}"
    )
    return sql, parent_fields, fields


def _params(instance: Model, fields: list["Field[Any, Any]"]) -> list[Any]:
    return [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]


def _stored(instance: Model, pk: object) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


# ------------------------------------------------------------------------------- prepared statements
# Django binds parameters on the client, so PostgreSQL parses and plans every statement it receives; for
# the joined reads of a field submission planning is most of the server's work (the assignment read:
# ~0.35 ms of PostgreSQL CPU planned each time, ~0.05 ms prepared, bench/field_api.py). PREPARE once per
# connection, then EXECUTE: still through Django's cursor (its error translation, query log and execute
# wrappers), with the same client-side literals. Prepared statements belong to the session and survive a
# rolled-back transaction; a new connection (CONN_MAX_AGE, a health check that failed) prepares again.


def execute_prepared(cursor: Any, name: str, sql: str, params: Sequence[object]) -> None:  # noqa: ANN401
    """cursor.execute(sql, params), with `sql` (%s placeholders, no literal %) prepared once per connection
    under `name` on PostgreSQL; as is on other databases (sqlite3 keeps its own statement cache)."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    state = getattr(connection, "_kit_prepared", None)
    if state is None or state[0] is not connection.connection:
        state = (connection.connection, set[str]())
        connection._kit_prepared = state  # type: ignore[attr-defined]
    statement = _prepared_name(name, sql)
    if statement not in state[1]:
        numbers = iter(range(1, len(params) + 1))
        cursor.execute(f"PREPARE {statement} AS {_PLACEHOLDER.sub(lambda _m: f'${next(numbers)}', sql)}")
        state[1].add(statement)
    cursor.execute(
        f"EXECUTE {statement}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {statement}",
        params,
    )


_PLACEHOLDER = re.compile("%s")


@cache
def _prepared_name(name: str, sql: str) -> str:
    """`name` and a digest of the text: a changed statement is another prepared statement."""
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", name) and "%%" not in sql, name
    return f"{name}_{hashlib.sha1(sql.encode()).hexdigest()[:10]}"
