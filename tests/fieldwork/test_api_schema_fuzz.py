"""Property-based run of schemathesis against the app's own OpenAPI schema, in-process (WSGI), with a
device token: whatever it sends to /api/v1/, no server error and responses matching the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application
from tests.fieldwork.conftest import token_key

# Loaded when the module is collected (the schema view needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).include(
    path_regex="^/api/v1/"
)


@pytest.fixture
def keep_test_connection():
    """What Django's test client does: a request must not close the test's connection (on PostgreSQL the
    test transaction makes it look unusable to close_old_connections)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.timeout(120)
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_answers_with_a_server_error(case, field, keep_test_connection):
    case.call_and_validate(
        headers={"Authorization": f"Token {token_key(field['users']['a'])}"},
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )
