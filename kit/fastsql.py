"""Raw-SQL fast paths: many new rows at once (`insert_rows`, several times faster than bulk_create: plain
tuples, one INSERT or COPY), a new row and its child through a statement compiled once per model
(`insert_pair_values`), rows read into instances without Model.__init__ (`from_db`), and statements that
PostgreSQL plans once per connection (`execute_prepared`).

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
from typing import Any, NamedTuple, cast

from django.db import connection, connections, models, transaction
from django.db.models import Field, ForeignObjectRel, Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

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
# INSERT of a row given by its values through a statement built once per model: what
# `Model.objects.create()` does for a plain row (field defaults, auto_now(_add), each field's conversion for
# the database, the new primary key), without compiling the INSERT again for every submission (~0.5 ms of
# CPU for the two rows of a field submission) nor building the instances (~0.2 ms more, bench/field_api.py).
# No signals are sent: use it only for models without receivers (the Response and FieldRecord of a field
# submission have none).


class _Column(NamedTuple):
    """One field of an INSERT and how its value is prepared (_values_params)."""

    field: "Field[Any, Any]"
    attname: str
    stamp: str  # "datetime" or "date" for auto_now(_add), else ""
    nullable: bool  # None goes in as NULL as it is
    plain: type | None  # values of exactly this type go in as they are


_INTEGER_FIELDS = (models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField)


def _columns_of(fields: list["Field[Any, Any]"]) -> tuple[_Column, ...]:
    columns = []
    for f in fields:
        stamp = ""
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = "datetime" if isinstance(f, models.DateTimeField) else "date"
        target = f.target_field if isinstance(f, models.ForeignKey) else f
        plain: type | None = None
        if type(target) in (models.CharField, models.TextField) and not f.is_relation:
            plain = str
        elif type(target) in (
            models.AutoField,
            models.BigAutoField,
            models.IntegerField,
            models.BigIntegerField,
        ):
            plain = int
        columns.append(_Column(f, f.attname, stamp, f.null and not isinstance(f, models.JSONField), plain))
    return tuple(columns)


@cache
def _statement(model: type[Model], vendor: str) -> tuple[str, tuple[_Column, ...]]:
    del vendor  # only the cache key
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    assert not any(hasattr(f, "get_placeholder") for f in fields), "fields needing their own placeholder"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(_column(f)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(_column(model._meta.pk))}"
    )
    return sql, _columns_of(fields)


@cache
def _pair_statement(
    parent: type[Model], child: type[Model], link: str
) -> tuple[str, tuple[_Column, ...], tuple[_Column, ...]]:
    """WITH parent AS (INSERT … RETURNING pk) INSERT INTO child (…, link) VALUES (…, (SELECT pk FROM parent))
    RETURNING (SELECT pk FROM parent), child's pk: PostgreSQL only."""
    quote = connection.ops.quote_name
    parent_sql, parent_columns = _statement(parent, connection.vendor)
    link_field = cast("Field[Any, Any]", child._meta.get_field(link))
    columns = tuple(c for c in _statement(child, connection.vendor)[1] if c.field is not link_field)
    names = [quote(_column(c.field)) for c in columns] + [quote(_column(link_field))]
    placeholders = ", ".join(["%s"] * len(columns))
    sql = (
        f"WITH parent AS ({parent_sql}) "
        f"INSERT INTO {quote(child._meta.db_table)} ({', '.join(names)}) "
        f"VALUES ({placeholders}, (SELECT {quote(_column(parent._meta.pk))} FROM parent)) "
        f"RETURNING {quote(_column(link_field))}, {quote(_column(child._meta.pk))}"
    )
    return sql, parent_columns, columns


def insert_pair_values(
    parent: type[Model],
    parent_values: dict[str, object],
    child: type[Model],
    child_values: dict[str, object],
    *,
    link: str,
) -> tuple[Any, Any]:
    """A new `parent` row and a new `child` row whose foreign key `link` points at it, both or neither, as
    `parent.objects.create(**parent_values)` then `child.objects.create(**child_values, link=parent)` store
    them, without the two instances: (the parent's primary key, the child's). Values are given by attname
    (`campaign_id`, not `campaign`); a field not given takes its default, auto_now(_add) fields the current
    time, and each value is prepared by its field as save() does (tests/fieldwork/test_fast_insert_pair.py).

    On PostgreSQL in one statement (a data-modifying WITH, atomic by itself, so no BEGIN and COMMIT of its
    own: two round trips fewer), elsewhere as two INSERTs in one transaction. Inside the caller's
    transaction.atomic() it takes a savepoint, as an atomic() block would, so that a refused pair
    (IntegrityError) leaves the caller's transaction usable."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            parent_pk = _insert_values(parent, parent_values)
            child_pk = _insert_values(child, {**child_values, _link_attname(child, link): parent_pk})
        return parent_pk, child_pk
    sql, parent_columns, child_columns = _pair_statement(parent, child, link)
    assert _link_attname(child, link) not in child_values, "the link is the new parent's key"
    params = _values_params(parent, parent_columns, parent_values) + _values_params(
        child, child_columns, child_values
    )
    with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        parent_pk, child_pk = cursor.fetchone()
    return parent_pk, child_pk


def _insert_values(model: type[Model], values: dict[str, object]) -> Any:  # noqa: ANN401
    sql, columns = _statement(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _values_params(model, columns, values))
        return cursor.fetchone()[0]


@cache
def _link_attname(model: type[Model], link: str) -> str:
    return cast("Field[Any, Any]", model._meta.get_field(link)).attname


def _values_params(model: type[Model], columns: tuple[_Column, ...], values: dict[str, object]) -> list[Any]:
    """Each field's value for the database: given, or its default; auto_now(_add) stamped now. Values
    that a field's get_db_prep_save() gives back unchanged (None where the column takes NULL, a str for a
    text column, an int for an integer or a key to one) are not passed through it."""
    unknown = values.keys() - _attnames(model)
    assert not unknown, f"not attnames of {model.__name__}: {sorted(unknown)}"
    wrapper = connections[connection.alias]  # not the proxy: each field asks it for its operations
    now = None
    params: list[Any] = []
    for f, attname, stamp, nullable, plain in columns:
        if stamp:
            # DateTimeField.pre_save / DateField.pre_save with add=True (one instant for the row).
            now = now or timezone.now()
            value: Any = now if stamp == "datetime" else datetime.date.today()
        elif attname in values:
            value = values[attname]
        else:
            value = f.get_default()
        if (value is None and nullable) or type(value) is plain:
            params.append(value)
        else:
            params.append(f.get_db_prep_save(value, wrapper))
    return params


@cache
def _attnames(model: type[Model]) -> frozenset[str]:
    fields = model._meta.concrete_fields
    assert not any(
        type(f).pre_save is not Field.pre_save and not isinstance(f, models.DateField) for f in fields
    ), f"{model.__name__} has a field with its own pre_save"
    return frozenset(f.attname for f in fields)


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


# ------------------------------------------------------------------------------- one row, read fast
# Model.from_db(): Model.__init__ walks the fields, sets each attribute through its descriptor and sends
# pre_init and post_init, ~10 µs a row. For a model whose loaded attributes are all plain (Django's
# DeferredAttribute, or a foreign key's id) and with no receiver of either signal, the same instance is
# its __dict__ filled directly; anything else goes through from_db() as before.


def from_db[M: Model](model: type[M], alias: str, attnames: Sequence[str], values: Sequence[object]) -> M:
    """`model.from_db(alias, attnames, values)`: an instance loaded from the database (values converted
    already, attnames a subset of the concrete fields' in their order; the others are deferred)."""
    if not _plain(model, tuple(attnames)) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(alias, attnames, values)
    instance = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = alias
    instance.__dict__.update(zip(attnames, values, strict=True))
    instance._state = state
    return instance


@cache
def _plain(model: type[Model], attnames: tuple[str, ...]) -> bool:
    """Whether setting these attributes in Model.__init__ only stores them in the instance's __dict__:
    each is Django's DeferredAttribute (a column) or a subclass of it that stores as is (a foreign
    key's id, which also forgets a cached related object: a new instance has none)."""
    names = {f.attname for f in model._meta.concrete_fields}
    return all(
        name in names and type(getattr(model, name, None)) in (DeferredAttribute, ForeignKeyDeferredAttribute)
        for name in attnames
    )
