"""The figures a new user compared and found disagreeing, over the demo: "today" on the enumerator's page
and on the supervisor's, the field progress's district and service area columns, quality flags that name
their form, and units without a list marked as such in the Ministry workbook."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def test_today_is_the_same_number_for_the_enumerator_and_the_supervisor(demo):
    mine = demo["bd-team1-a"].get(reverse("field-api-stats-today")).json()["today"]
    progress = demo["bd-team1-gs"].get(reverse("field-progress") + "?campaign=sipas-2026").context
    row = next(r for r in progress["by_enumerator"] if r["username"] == "bd-team1-a")
    assert mine > 0  # the demo keyed forms today that were filled in on earlier days
    assert row["today"] == mine
    team = next(r for r in progress["by_team"] if r["name"] == row["team"])
    assert team["today"] >= mine


def test_field_progress_names_the_area_and_service_area_of_every_row(demo):
    response = demo["snv"].get(reverse("field-progress") + "?campaign=sipas-2026")
    progress = response.context
    assert progress["by_area"]
    assert all(r["name"] and r["service_area_label"] for r in progress["by_area"])
    # The 2026 campaign's areas are communes and wards under the province: no empty district column.
    assert not progress["by_area_has_districts"]
    assert "<th>Huyện</th>" not in response.content.decode()


def test_every_quality_flag_on_a_form_names_the_form(demo):
    flags = demo["snv"].get(reverse("field-progress") + "?campaign=sipas-2026").context["flags"]
    on_forms = [r["flag"] for r in flags if r["flag"].record_id is not None]
    assert on_forms
    assert all(f.form_label for f in on_forms)


def test_units_without_a_list_are_marked_in_the_ministry_workbook_not_counted_as_zero(demo):
    response = demo["snv"].get(reverse("campaign-export", args=["par-2026"]))
    summary = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Tổng hợp"]
    rows = {row[1]: row for row in summary.iter_rows(min_row=2, values_only=True)}
    late = rows["Sở Công Thương"]  # the demo's unit that has not sent its list
    assert late[2] == "Chưa gửi danh sách" and late[3:] == (None,) * (len(late) - 3)
    assert rows["Sở Tư pháp"][2] == "Đã gửi danh sách" and rows["Sở Tư pháp"][-1] > 0
    assert rows["Tổng cộng"][2] == "3 đơn vị chưa gửi"
