"""INSERT of a model instance through a statement built once per model: what `Model.objects.create()`
does for a plain row (field defaults, auto_now(_add), each field's conversion for the database, the new
primary key), without compiling the INSERT again for every submission (~0.5 ms of CPU for the two rows of
a field submission, bench/field_api.py). No signals are sent: use it only for models without receivers
(the Response and FieldRecord of a field submission have none)."""

from functools import cache

from django.db import connection
from django.db.models import Model


@cache
def _statement(model: type[Model], vendor: str) -> tuple[str, list]:
    del vendor  # only the cache key
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    assert not any(hasattr(f, "get_placeholder") for f in fields), "fields needing their own placeholder"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {quote(model._meta.pk.column)}"
    )
    return sql, fields


def insert(instance: Model) -> Model:
    """Store a new instance (its primary key must be automatic) and set its primary key."""
    sql, fields = _statement(type(instance), connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
