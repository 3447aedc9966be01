"""What a new user hit: values longer than the database holds, a CSV with one unbalanced quotation mark, and
direction-override characters in names. Each is a clear problem (or is cleaned away), never a 500, and a
rejected import keeps its record (ImportBatch)."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from respondents.models import ImportBatch, Respondent
from respondents.services.api_tokens import issue_api_token
from respondents.services.importing import import_list
from tests.workbooks import STANDARD_HEADER as H
from tests.workbooks import person, write_xlsx

SHEET = "Danh sách"
LONG_EMAIL = (
    "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 60 + ".vn"
)  # valid, 311


def with_cell(n, index, value):
    row = person(n)
    row[index] = value
    return row


TOO_LONG = {  # case -> (column index, value, field, column letter, limit)
    "name-over-200": (1, "Nguyễn " + "Văn " * 60 + "An", "full_name", "B", 200),
    "position-over-255": (2, "Phó Giám đốc " * 25, "position", "C", 255),
    "email-over-254": (6, LONG_EMAIL, "email", "G", 254),
}


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
@pytest.mark.parametrize(
    ("index", "value", "field", "column", "limit"), TOO_LONG.values(), ids=TOO_LONG.keys()
)
def test_a_value_longer_than_it_is_stored_in_is_a_row_error_in_the_dry_run_and_the_import(
    campaign, tmp_path, dry_run, index, value, field, column, limit
):
    path = write_xlsx(tmp_path / "ds.xlsx", {SHEET: [H, person(1), with_cell(2, index, value)]})
    report = import_list(campaign=campaign, path=path, dry_run=dry_run)
    assert (report.status, [(e.code, e.row, e.column, e.field) for e in report.errors]) == (
        "rejected",
        [("value_too_long", 3, column, field)],
    )
    message = report.errors[0].message
    assert H[index] in message and str(limit) in message and str(len(value.strip())) in message
    assert not Respondent.objects.exists()
    # The rejected import keeps its record (a dry run keeps none), with the reason.
    batches = list(ImportBatch.objects.values_list("status", "error_count"))
    assert batches == ([] if dry_run else [("rejected", 1)])


def test_skip_invalid_leaves_out_the_row_that_is_too_long_and_imports_the_others(campaign, tmp_path):
    path = write_xlsx(tmp_path / "ds.xlsx", {SHEET: [H, person(1), with_cell(2, 1, "X" * 201)]})
    report = import_list(campaign=campaign, path=path, skip_invalid=True)
    assert (report.status, report.added, [e.code for e in report.errors]) == (
        "imported",
        1,
        ["value_too_long"],
    )


def test_a_long_csv_file_name_does_not_overflow_the_sheet_name_stored(campaign, tmp_path):
    path = tmp_path / (("Danh sách cán bộ " * 8) + ".csv")
    path.write_text("\n".join(",".join(map(str, r)) for r in [H, person(1)]), encoding="utf-8")
    report = import_list(campaign=campaign, path=path)
    assert report.status == "imported", report.as_dict()
    assert len(Respondent.objects.get().source_sheet) <= 100


# ------------------------------------------------------------------------------ a broken quotation mark


def broken_csv(path):
    """A CSV whose third line opens a quoted cell that never closes, long enough to pass the csv module's
    field limit (which used to raise through every page as a 500)."""
    lines = [",".join(H), ",".join(map(str, person(1))), '2,"Trần Thị Bình,Phó Giám đốc,Sở Tư pháp,LĐ sở,,']
    lines += [",".join(map(str, person(n))) for n in range(3, 2500)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_unreadable_naming_line_3(report: dict):
    assert report["status"] == "rejected"
    [error] = report["errors"]
    assert error["code"] == "file_unreadable" and error["file"] == "ds.csv"
    assert "dòng 3" in error["message"] and '"' in error["message"]


@pytest.mark.parametrize("page", ["unit", "campaign-upload"], ids=["focal-point-page", "coordinator-page"])
def test_an_unbalanced_quote_is_file_unreadable_on_the_upload_pages(
    client, campaign, focal_stp, coordinator, tmp_path, page
):
    client.force_login(focal_stp if page == "unit" else coordinator)
    args = [campaign.slug, "STP"] if page == "unit" else [campaign.slug]
    with broken_csv(tmp_path / "ds.csv").open("rb") as fh:
        response = client.post(reverse(page, args=args), {"file": fh})
    assert response.status_code == 422
    html = response.content.decode()
    assert "file_unreadable" in html and "dòng 3" in html
    assert not Respondent.objects.exists()
    assert ImportBatch.objects.get().status == "rejected"


def test_an_unbalanced_quote_is_file_unreadable_through_the_api(campaign, coordinator, tmp_path):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(user=coordinator).key}")
    with broken_csv(tmp_path / "ds.csv").open("rb") as fh:
        response = api.post(reverse("api-imports", args=[campaign.slug]), {"file": fh})
    assert response.status_code == 422
    assert_unreadable_naming_line_3(response.json())


def test_an_unbalanced_quote_is_file_unreadable_through_the_command(campaign, tmp_path):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "import_respondents", str(broken_csv(tmp_path / "ds.csv")), "--campaign", campaign.slug,
            "--format", "json", stdout=out,
        )  # fmt: skip
    assert exit_info.value.code == 1
    assert_unreadable_naming_line_3(json.loads(out.getvalue()))


def test_a_short_csv_with_an_unbalanced_quote_is_refused_too_not_read_into_one_cell(campaign, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(",".join(H) + "\n" + ",".join(map(str, person(1))).replace("Nguyễn", '"Nguyễn') + "\n")
    report = import_list(campaign=campaign, path=path)
    assert [(e.code, e.row) for e in report.errors] == [("file_unreadable", None)]
    assert "dòng 2" in report.errors[0].message


# ------------------------------------------------------------------------------- invisible characters

SPOOFED = {
    "right-to-left-override": "Nguyễn Văn \u202eAn",
    "left-to-right-embedding": "\u202aNguyễn Văn An\u202c",
    "isolates": "Nguyễn \u2067Văn\u2069 An",
    "marks": "Nguyễn Văn\u200f An\u200e",
    "zero-width": "Nguyễn\u200b Văn An\ufeff",
}


@pytest.mark.parametrize("name", SPOOFED.values(), ids=SPOOFED.keys())
def test_direction_override_and_zero_width_characters_are_removed_from_names(campaign, tmp_path, name):
    path = write_xlsx(tmp_path / "ds.xlsx", {SHEET: [H, with_cell(1, 1, name)]})
    report = import_list(campaign=campaign, path=path)
    assert (report.status, report.errors) == ("imported", [])
    assert Respondent.objects.get().full_name == "Nguyễn Văn An"
