"""Fault-test fixtures: real Celery workers on the Redis broker and the test's PostgreSQL database."""

import pytest
from django.conf import settings
from django.db import connection

from config import celery_app
from tests.faults.workers import Workers


@pytest.fixture
def celery_workers():
    """Workers on the Redis broker (CI's CELERY_BROKER_URL); this process only queues tasks there."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: CI runs the suite with DATABASE_URL=postgres://…")
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url.startswith("redis://"):
        pytest.skip("needs Redis: CI runs the suite with CELERY_BROKER_URL=redis://…")
    conf, amqp = celery_app.conf, celery_app.amqp
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, broker_url
    celery_app._pool, amqp._producer_pool = None, None
    workers = Workers(broker_url, env={})
    yield workers
    workers.stop_all()
    workers.forget_queue()
    conf.task_always_eager, conf.broker_url = saved
    celery_app._pool, amqp._producer_pool = None, None
