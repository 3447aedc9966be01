from django.apps import AppConfig
from django.db.backends.signals import connection_created


class KitConfig(AppConfig):
    """The kit's one hook into Django: SQLite connections learn the Vietnamese collation
    (kit/collation.py)."""

    name = "kit"
    verbose_name = "Kit"

    def ready(self) -> None:
        from .collation import register_sqlite_collation

        connection_created.connect(register_sqlite_collation, dispatch_uid="kit.collation.sqlite")
