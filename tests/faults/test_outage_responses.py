"""A database that cannot be reached answers 503 with Retry-After (JSON for the API, a short page
otherwise), never Django's 500 and never a traceback; other errors keep the plain 500."""

import json

import pytest

pytestmark = pytest.mark.urls("tests.faults.outage_urls")


@pytest.fixture
def anonymous(client):
    client.raise_request_exception = False
    return client


def test_a_page_whose_database_is_gone_answers_a_short_503_page(anonymous):
    response = anonymous.get("/broken/database/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    body = response.content.decode()
    assert 'data-page="unavailable"' in body and "Traceback" not in body and "5432" not in body
    assert response["Cache-Control"] == "no-store"


def test_an_api_request_whose_connection_closed_answers_503_json(anonymous):
    response = anonymous.post("/api/v1/broken/", {}, content_type="application/json")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert json.loads(response.content)["code"] == "database_unavailable"


def test_a_json_client_gets_json_on_any_page(anonymous):
    response = anonymous.get("/broken/database/", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    autosave = anonymous.post("/broken/database/", {"answers": {}}, content_type="application/json")
    assert autosave.status_code == 503 and json.loads(autosave.content)["code"] == "database_unavailable"


def test_a_programming_error_stays_a_plain_500(anonymous):
    response = anonymous.get("/broken/bug/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert "a programming error" not in response.content.decode()
