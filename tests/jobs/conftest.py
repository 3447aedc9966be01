from tests.faults.conftest import celery_workers  # noqa: F401  (real workers on Redis and PostgreSQL)
