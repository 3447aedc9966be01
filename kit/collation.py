"""Vietnamese alphabetical order (a ă â b c d đ e ê … i o ô ơ … u ư … y, tones after the letters), the ICU
way, for Python and for both databases. docs/decisions.md D103.

- Python: `vi_key(text)`, a sort key from ICU's Vietnamese collator (PyICU); `sorted_vi(items, key=...)`.
- Queries: `vi_order("name")` for order_by(): PostgreSQL's ICU collation "vi-x-icu" (or the root
  "und-x-icu" where the server lacks the Vietnamese one), and on SQLite a collation "vi" implemented with
  the same PyICU collator, registered on every new connection (`register_sqlite_collation`).

Code-point order (Python's sorted, SQLite's BINARY, PostgreSQL's "C") puts Đ after Z and "Ấp" after "Yên";
the accent-stripping key used before put "Đào" among the D's but "Khoa" after "Kế" only by chance.
"""

import functools
from collections.abc import Callable, Iterable

import icu
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate

SQLITE_COLLATION = "vi"
POSTGRES_COLLATIONS = ("vi-x-icu", "und-x-icu")  # the first the server has


@functools.cache
def _collator() -> icu.Collator:
    collator = icu.Collator.createInstance(icu.Locale("vi"))
    collator.setStrength(icu.Collator.TERTIARY)  # letters, then tones, then case
    return collator


def vi_key(text: object) -> bytes:
    """The ICU sort key of `text` in Vietnamese order (None and '' sort first)."""
    key: bytes = _collator().getSortKey("" if text is None else str(text))
    return key


def sorted_vi[T](items: Iterable[T], key: Callable[[T], object] = str) -> list[T]:
    """`items` in Vietnamese alphabetical order of key(item)."""
    return sorted(items, key=lambda item: vi_key(key(item)))


def compare_vi(left: str | None, right: str | None) -> int:
    """-1, 0 or 1, as SQLite's create_collation expects (NULLs never reach a collation)."""
    order: int = _collator().compare(left or "", right or "")
    return order


def register_sqlite_collation(sender: object, connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """connection_created receiver: SQLite connections learn the collation "vi" (kit/apps.py)."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, compare_vi)


@functools.cache
def _postgres_collation(alias: str) -> str:
    from django.db import connections

    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT collname FROM pg_collation WHERE collname = ANY(%s)", [list(POSTGRES_COLLATIONS)]
        )
        found = {row[0] for row in cursor.fetchall()}
    for name in POSTGRES_COLLATIONS:
        if name in found:
            return name
    raise RuntimeError(
        "PostgreSQL has no ICU collation (vi-x-icu, und-x-icu): use a server built with ICU "
        "(Debian's and the official packages are)."
    )


def vi_collation(alias: str = "default") -> str:
    from django.db import connections

    if connections[alias].vendor == "postgresql":
        return _postgres_collation(alias)
    return SQLITE_COLLATION


def vi_order(field: str, *, descending: bool = False, alias: str = "default") -> OrderBy:
    """An order_by() term: `field` in Vietnamese alphabetical order on the database of `alias`."""
    term = Collate(F(field), vi_collation(alias))
    return term.desc() if descending else term.asc()
