"""Reads on the submission path, made cheap: one hand-written query for an assignment with everything a
submission needs, and questionnaire definitions cached in the process.

Why not the ORM here: building the SQL of `select_related` over five tables (≈60 columns) and its row
converters cost ~1.5 ms of CPU per submission, a quarter of the whole request (bench/field_api.py). The
query below is built once per process from the models' metadata (so it follows their columns) and only
run afterwards (prepared once per connection on PostgreSQL, where planning the join was most of its
cost: kit.fastsql.execute_prepared); rows become ordinary model instances through `Model.from_db` with
Django's own converters for the connection's backend. Anything not read here (e.g. the assignment's
team) is still loaded lazily on access, as with the ORM.
"""

import threading
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model

from kit.fastsql import execute_prepared, from_db
from respondents.models import ApiToken, Campaign, Membership, Unit
from respondents.services.api_tokens import hash_key
from surveys.models import Questionnaire

from ..models import Assignment, FieldMember, FieldSettings

# (alias, model, attnames left out): the assignment, its campaign, questionnaire (without the
# definition, see below), area and the area's parent (district_of walks up from the area).
_TABLES = (
    ("a", Assignment, ()),
    ("c", Campaign, ()),
    ("q", Questionnaire, ("definition",)),
    ("u", Unit, ()),
    ("p", Unit, ()),
)


class _Part:
    """The columns of one model in the joined row, and how to turn them into an instance."""

    def __init__(self, alias: str, model: type[Model], excluded: tuple[str, ...]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.attname not in excluded]
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f'{alias}."{f.column}"' for f in self.fields]
        self.converters = []
        for index, f in enumerate(self.fields):
            column = f.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, found, column))

    def build(self, values: list) -> Model:
        for index, converters, column in self.converters:
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        return from_db(self.model, connection.alias, self.attnames, values)


def _assignment_select(parts: list[_Part], user: str) -> tuple[str, str]:
    """The select list of the assignment read and its joins after the assignment's table; `user` is the
    SQL of the caller's id (a placeholder, or the token's user in the combined read)."""
    c, q, u, member, membership, field_settings = (
        Campaign._meta.db_table,
        Questionnaire._meta.db_table,
        Unit._meta.db_table,
        FieldMember._meta.db_table,
        Membership._meta.db_table,
        FieldSettings._meta.db_table,
    )
    # The caller's role in the assignment's team (one row at most: field_member_once_per_team) and
    # whether the caller coordinates the campaign's province: the two facts of access.may_work_on.
    # The role is a literal (a fixed choice's value), so that the placeholders are only the user's.
    coordinator = Membership.Role.COORDINATOR.value
    assert coordinator.isidentifier(), coordinator
    columns = (
        f"{', '.join(col for part in parts for col in part.columns)}, "
        f'(SELECT m."role" FROM "{member}" m WHERE m."team_id" = a."team_id" AND m."user_id" = {user}), '
        f'EXISTS(SELECT 1 FROM "{membership}" s WHERE s."user_id" = {user} AND s."role" = '
        f'\'{coordinator}\' AND s."province_id" = c."province_id"), '
        # Whether the campaign refuses interviews beyond a reached quota (FieldSettings; NULL: no row).
        f'(SELECT f."enforce_quotas" FROM "{field_settings}" f WHERE f."campaign_id" = a."campaign_id")'
    )
    # LEFT JOINs: the combined read has no assignment row when the id is not one; otherwise the three
    # are there (NOT NULL foreign keys), as with inner joins.
    joins = (
        f'LEFT JOIN "{c}" c ON c."id" = a."campaign_id" '
        f'LEFT JOIN "{q}" q ON q."id" = a."questionnaire_id" LEFT JOIN "{u}" u ON u."id" = a."area_id" '
        f'LEFT JOIN "{u}" p ON p."id" = u."parent_id"'
    )
    return columns, joins


@cache
def _assignment_query(vendor: str) -> tuple[str, list[_Part]]:
    """The SQL (per database vendor, built once) and the parts of its rows, in order."""
    del vendor  # only the cache key: converters differ between SQLite and PostgreSQL
    parts = [_Part(*table) for table in _TABLES]
    columns, joins = _assignment_select(parts, "%s")
    return f'SELECT {columns} FROM "{Assignment._meta.db_table}" a {joins} WHERE a."id" = %s', parts


def read_assignment(pk: int, user: User) -> Assignment | None:
    """The assignment with campaign, questionnaire (definition from the cache), area and area parent,
    annotated with `member_role` and `is_coordinator` for access.may_work_on and may_key, and
    `enforce_quotas` (the campaign's FieldSettings); None if there is none."""
    sql, parts = _assignment_query(connection.vendor)
    with connection.cursor() as cursor:
        execute_prepared(cursor, "fieldwork_assignment", sql, [user.pk, user.pk, pk])
        row = cursor.fetchone()
    return None if row is None else _assignment_from_row(list(row), parts)


def _assignment_from_row(row: list, parts: list[_Part]) -> Assignment | None:
    """The assignment and its related rows from the values of `parts` followed by the three facts;
    None when the assignment's columns are all NULL (the combined read found the token but no
    assignment)."""
    objects, start = [], 0
    for part in parts:
        values = row[start : start + len(part.fields)]
        start += len(part.fields)
        objects.append(None if values[0] is None else part.build(values))
    assignment, campaign, questionnaire, area, parent = objects
    if assignment is None:
        return None
    questionnaire.definition = questionnaire_definition(questionnaire.pk, questionnaire.checksum)
    if area.parent_id is not None:
        area.parent = parent
    assignment.campaign, assignment.questionnaire, assignment.area = campaign, questionnaire, area
    assignment.member_role, assignment.is_coordinator = row[start], bool(row[start + 1])
    assignment.enforce_quotas = bool(row[start + 2])
    return assignment


# Definitions by (pk, checksum). A version's definition only changes while it has no responses
# (surveys.services.questionnaires.load_questionnaire), and then its checksum changes too, so a cached
# entry is never stale: a changed definition is a new key. Read-only: callers never mutate it.
_DEFINITIONS: dict[tuple[int, str], dict] = {}
_DEFINITIONS_MAX = 64
_lock = threading.Lock()


def questionnaire_definition(pk: int, checksum: str) -> dict:
    found = _DEFINITIONS.get((pk, checksum))
    if found is None:
        # Cached under the checksum read with it: if the version changed in between, the caller gets
        # the newer definition (as an uncached read would) and the old key stays unused.
        found, loaded = Questionnaire.objects.values_list("definition", "checksum").get(pk=pk)
        with _lock:
            if len(_DEFINITIONS) >= _DEFINITIONS_MAX:
                _DEFINITIONS.clear()
            _DEFINITIONS[(pk, loaded)] = found
    return found


@cache
def _token_query(vendor: str) -> tuple[str, list[_Part]]:
    del vendor
    parts = [_Part("t", ApiToken, ()), _Part("u", get_user_model(), ())]
    sql = (
        f"SELECT {', '.join(col for part in parts for col in part.columns)} "
        f'FROM "{ApiToken._meta.db_table}" t JOIN "{get_user_model()._meta.db_table}" u '
        f'ON u."id" = t."user_id" WHERE t."key_hash" = %s'
    )
    return sql, parts


def read_token(key: str) -> tuple[User, ApiToken] | None:
    """(user, token) for a device token's key, found by its digest, or None (expiry is the caller's to
    check): `ApiToken.objects.select_related("user")` without building that query on every request."""
    sql, (token_part, user_part) = _token_query(connection.vendor)
    with connection.cursor() as cursor:
        execute_prepared(cursor, "fieldwork_token", sql, [hash_key(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    user, token, _rest = _token_from_row(list(row), token_part, user_part)
    return user, token


def _token_from_row(row: list, token_part: _Part, user_part: _Part) -> tuple[User, ApiToken, list]:
    """The token and its user from the start of a row, and the values after them."""
    split, rest = len(token_part.fields), len(token_part.fields) + len(user_part.fields)
    token, user = token_part.build(row[:split]), user_part.build(row[split:rest])
    token.user = user
    return user, token, row[rest:]


@cache
def _token_and_assignment_query(vendor: str) -> tuple[str, list[_Part], list[_Part]]:
    """The token read and the assignment read as one statement: the token's row and its user's (here
    `tu`: `u` is the assignment's area), then the assignment's columns, NULL when there is no such
    assignment. Placeholders: the assignment's id, then the key's digest."""
    del vendor
    token_parts = [_Part("t", ApiToken, ()), _Part("tu", get_user_model(), ())]
    parts = [_Part(*table) for table in _TABLES]
    columns, joins = _assignment_select(parts, 'tu."id"')
    sql = (
        f"SELECT {', '.join(col for part in token_parts for col in part.columns)}, {columns} "
        f'FROM "{ApiToken._meta.db_table}" t JOIN "{get_user_model()._meta.db_table}" tu '
        f'ON tu."id" = t."user_id" LEFT JOIN "{Assignment._meta.db_table}" a ON a."id" = %s {joins} '
        f'WHERE t."key_hash" = %s'
    )
    return sql, token_parts, parts


def read_token_and_assignment(key: str, pk: int) -> tuple[User, ApiToken, Assignment | None] | None:
    """read_token(key) and read_assignment(pk, the token's user) in one round trip, for a device's
    submission (fieldwork/api/fast.py): (user, token, assignment or None), or None when no token has
    this key."""
    sql, (token_part, user_part), parts = _token_and_assignment_query(connection.vendor)
    with connection.cursor() as cursor:
        execute_prepared(cursor, "fieldwork_token_assignment", sql, [pk, hash_key(key)])
        row = cursor.fetchone()
    if row is None:
        return None
    user, token, rest = _token_from_row(list(row), token_part, user_part)
    return user, token, _assignment_from_row(rest, parts)
