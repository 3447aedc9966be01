"""Settings of bench/field_api.py's peer: the project's own settings (middleware, database, connections),
with a URLconf of one view (bench/field_peer.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.field_peer"
