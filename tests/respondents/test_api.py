"""The REST API: list imports with token authentication, the report shape, and the OpenAPI schema."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from respondents.models import Respondent
from respondents.services.api_tokens import issue_api_token
from tests.workbooks import STANDARD_HEADER, person, write_xlsx


@pytest.fixture
def api(coordinator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(user=coordinator).key}")
    return client


def test_import_through_the_api_returns_201_and_the_report(api, campaign, tmp_path):
    path = write_xlsx(tmp_path / "stp.xlsx", {"S": [STANDARD_HEADER, person(1), person(2)]})
    with path.open("rb") as fh:
        response = api.post(reverse("api-imports", args=[campaign.slug]), {"file": fh, "unit": "STP"})
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["accepted"], body["imported"], body["errors"]) == ("imported", 2, 2, [])
    assert Respondent.objects.filter(unit__code="STP").count() == 2


def test_rejected_file_gives_422_with_located_errors(api, campaign, tmp_path):
    bad = person(1)
    bad[5] = "12345"
    path = write_xlsx(tmp_path / "stp.xlsx", {"S": [STANDARD_HEADER, bad]})
    with path.open("rb") as fh:
        response = api.post(reverse("api-imports", args=[campaign.slug]), {"file": fh})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert {k: error[k] for k in ("sheet", "row", "column", "code")} == {
        "sheet": "S",
        "row": 2,
        "column": "F",
        "code": "phone_invalid",
    }
    assert not Respondent.objects.exists()


def test_dry_run_through_the_api_returns_200_and_writes_nothing(api, campaign, tmp_path):
    path = write_xlsx(tmp_path / "stp.xlsx", {"S": [STANDARD_HEADER, person(1)]})
    with path.open("rb") as fh:
        response = api.post(reverse("api-imports", args=[campaign.slug]), {"file": fh, "dry_run": "true"})
    assert response.status_code == 200 and response.json()["status"] == "dry_run"
    assert not Respondent.objects.exists()


def test_missing_file_is_a_400(api, campaign):
    assert api.post(reverse("api-imports", args=[campaign.slug]), {}).status_code == 400


def test_unit_status_lists_every_unit(api, campaign):
    data = api.get(reverse("api-units", args=[campaign.slug])).json()
    assert len(data) == 6 and all(row["late"] for row in data)


def test_openapi_schema_describes_the_import_endpoint(api):
    response = api.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/campaigns/{slug}/imports/" in response.json()["paths"]


def test_an_upload_over_the_size_limit_is_refused_before_reading(api, campaign, tmp_path, settings):
    settings.RESPONDENT_FILE_MAX_BYTES = 1000
    path = write_xlsx(tmp_path / "big.xlsx", {"S": [STANDARD_HEADER, *[person(n) for n in range(1, 50)]]})
    with path.open("rb") as fh:
        response = api.post(reverse("api-imports", args=[campaign.slug]), {"file": fh})
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["code"] == "file_too_large" and "MB" in error["message"]
    assert not Respondent.objects.exists()
