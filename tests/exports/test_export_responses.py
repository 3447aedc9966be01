"""Respondent-level exports read back in every format (pandas, pyreadstat, pyarrow): rows, columns across two
questionnaire versions, variable and value labels, weights; the analyst's pseudonymised export; the audit
event; and compute_sipas --csv on an exported CSV giving the campaign's own figures."""

import json
import math

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from analysis.exports.service import export_responses
from analysis.sipas.campaign import campaign_sipas
from audit.models import AuditEvent
from surveys.services.definitions import parse_definition_file, questions
from tests.exports.conftest import ADDED, DEFINITION, DROPPED, PLAN

SUBMITTED = len(PLAN)
TEXTS = {q["code"]: q["text"] for q in questions(parse_definition_file(DEFINITION).definition)}


def run(campaign, tmp_path, fmt, **kwargs):
    return export_responses(campaign=campaign, fmt=fmt, path=tmp_path / f"out.{fmt}", **kwargs)


def test_csv_has_one_row_per_counted_response_and_blanks_for_a_question_absent_from_its_version(
    sipas, tmp_path
):
    campaign, ids, _ = sipas
    report = run(campaign, tmp_path, "csv", personal=True)
    assert report.path.read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 with BOM
    frame = pd.read_csv(report.path, encoding="utf-8-sig")
    assert report.rows == SUBMITTED and list(frame["response_id"]) == ids  # the draft is not counted
    assert list(frame["version"]) == [p[4] for p in PLAN]
    assert frame.loc[frame["version"] == 2, DROPPED].isna().all()
    assert frame.loc[frame["version"] == 1, DROPPED].notna().all()
    assert frame.loc[frame["version"] == 1, ADDED].isna().all()
    assert frame.loc[6, ADDED] == "Tôi là Nguyễn Văn A, nhà số 5"
    # a multiple-choice question is a 0/1 column per choice
    assert list(frame["needs.service_priorities__online"]) == [1] * SUBMITTED
    assert list(frame["needs.service_priorities__staff"]) == [0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1]
    # paper forms keyed without a field record: no enumerator nor review state columns
    assert {"mode", "unit", "design_weight", "weight", "stratum", "psu"} <= set(frame.columns)
    assert not {"enumerator", "review_state"} & set(frame.columns)
    assert set(frame["mode"]) == {"paper"}


def test_include_drafts_adds_the_draft(sipas, tmp_path):
    campaign, _, _ = sipas
    frame = pd.read_csv(run(campaign, tmp_path, "csv", include_drafts=True).path)
    assert len(frame) == SUBMITTED + 1 and sorted(set(frame["status"])) == ["draft", "submitted"]


def test_weights_are_the_design_and_calibrated_weights_of_the_pipeline(sipas, tmp_path):
    campaign, _, weights = sipas
    frame = pd.read_csv(run(campaign, tmp_path, "csv").path)
    assert list(frame["design_weight"]) == weights
    # post-stratified to gender × age cells: each cell's weights sum to its population
    cells = frame.assign(cell=frame["background.gender"] + "|" + frame["background.age_group"])
    sums = cells.groupby("cell")["weight"].sum()
    assert sums.to_dict() == pytest.approx(
        {"female|60+": 400, "male|18-29": 600, "female|30-44": 900, "male|45-59": 300}, rel=1e-12
    )
    result = campaign_sipas(campaign)
    assert result.weighted_respondents == pytest.approx(frame["weight"].sum(), rel=1e-12)


def test_spss_file_carries_variable_and_value_labels(sipas, tmp_path):
    campaign, ids, weights = sipas
    report = run(campaign, tmp_path, "sav")
    frame, meta = pyreadstat.read_sav(str(report.path))
    assert len(frame) == SUBMITTED and list(frame["response_id"].astype(int)) == ids
    names = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert names["service_access_signage"] == TEXTS["service.access.signage"]
    labels = meta.variable_value_labels["service_access_signage"]
    assert labels[1] == "Rất không hài lòng" and labels[5] == "Rất hài lòng"
    # a choice with text values is numbered in the questionnaire's order, labelled with the text
    gender = meta.variable_value_labels["background_gender"]
    assert set(gender.values()) >= {"Nam", "Nữ"}
    assert list(frame["design_weight"]) == weights
    assert frame.loc[frame["version"] == 2, DROPPED.replace(".", "_")].isna().all()


def test_stata_file_carries_variable_and_value_labels(sipas, tmp_path):
    campaign, ids, weights = sipas
    report = run(campaign, tmp_path, "dta")
    frame, meta = pyreadstat.read_dta(str(report.path))
    assert len(frame) == SUBMITTED and list(frame["response_id"].astype(int)) == ids
    assert all(len(name) <= 27 and "." not in name for name in meta.column_names)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["weight"].startswith("Trọng số")
    value_labels = meta.value_labels[meta.variable_to_label["service_access_signage"]]
    assert value_labels[5] == "Rất hài lòng"
    assert list(frame["design_weight"]) == weights


def test_parquet_keeps_choices_as_dictionary_columns(sipas, tmp_path):
    campaign, ids, weights = sipas
    table = pq.read_table(run(campaign, tmp_path, "parquet").path)
    assert table.num_rows == SUBMITTED
    import pyarrow as pa

    assert pa.types.is_dictionary(table.schema.field("background.gender").type)
    assert pa.types.is_integer(table.schema.field("service.access.signage").type)
    assert pa.types.is_dictionary(table.schema.field("mode").type)
    frame = table.to_pandas()
    assert list(frame["response_id"]) == ids and list(frame["design_weight"]) == weights
    assert frame["service.access.signage"].isna().sum() == sum(1 for i in range(SUBMITTED) if i % 4 == 0)
    assert table.schema.metadata[b"label:weight"].decode().startswith("Trọng số")


def test_xlsx_keeps_text_as_text_and_comes_with_a_codebook(sipas, tmp_path):
    campaign, _, _ = sipas
    from surveys.models import Response

    response = Response.objects.filter(campaign=campaign, status="submitted").order_by("pk")[6]
    response.answers[ADDED] = '=HYPERLINK("http://x","y")'
    response.save()
    report = run(campaign, tmp_path, "xlsx", personal=True)
    sheet = load_workbook(report.path, read_only=True)["data"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert len(rows) == SUBMITTED + 1
    cell = load_workbook(report.path)["data"].cell(row=8, column=header.index(ADDED) + 1)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    codebook = load_workbook(report.codebook, read_only=True)["codebook"]
    book = {row[0]: row for row in codebook.iter_rows(min_row=2, values_only=True)}
    assert book[DROPPED][8] == "sipas-citizens v1"
    assert book["service.access.signage"][8] == "sipas-citizens v1, sipas-citizens v2"
    assert book["service.access.signage"][7] == "sipas.service.access"
    assert "1 = Rất không hài lòng" in book["service.access.signage"][5]


def test_text_labels_write_the_choices_label(sipas, tmp_path):
    campaign, _, _ = sipas
    frame = pd.read_csv(run(campaign, tmp_path, "csv", labels="text").path)
    assert set(frame["background.gender"]) <= {"Nam", "Nữ"}


def test_analyst_export_is_pseudonymised_and_hides_small_cells(sipas, tmp_path, analyst):
    campaign, _, _ = sipas
    report = run(campaign, tmp_path, "csv", by=analyst)
    frame = pd.read_csv(report.path)
    assert not report.personal
    assert not {"respondent_name", "respondent_email", "respondent_phone", ADDED} & set(frame.columns)
    assert ADDED in report.dropped_columns and "needs.comment" in report.dropped_columns
    # the one interview of STP: its unit is blanked; BATXAT (6) and SAPA (6) stay
    assert frame["unit"].isna().sum() == 1 and set(frame["unit"].dropna()) == {"BATXAT", "SAPA"}
    assert "Nguyễn" not in report.path.read_text(encoding="utf-8-sig")
    event = AuditEvent.objects.get(action="export.pseudonymised")
    assert event.actor == analyst and event.detail["rows"] == SUBMITTED and event.detail["format"] == "csv"


def test_coordinators_export_is_recorded_as_personal(sipas, tmp_path, coordinator):
    campaign, _, _ = sipas
    run(campaign, tmp_path, "parquet", by=coordinator, personal=True)
    assert AuditEvent.objects.filter(action="export.personal", actor=coordinator).count() == 1


def test_compute_sipas_on_the_exported_csv_gives_the_campaigns_figures(sipas, tmp_path, capsys):
    campaign, _, _ = sipas
    path = run(campaign, tmp_path, "csv", personal=True).path
    capsys.readouterr()
    call_command(
        "compute_sipas",
        "--csv",
        str(path),
        "--questionnaire",
        str(DEFINITION),
        "--by",
        "unit",
        "--format",
        "json",
    )
    from_csv = json.loads(capsys.readouterr().out)
    pipeline = campaign_sipas(campaign, by=["unit"], unweighted=False).to_dict()
    assert from_csv["respondents"] == pipeline["respondents"] == SUBMITTED
    assert from_csv["weighted_respondents"] == pytest.approx(pipeline["weighted_respondents"], rel=1e-12)
    keys = ("by", "group", "part", "element", "item", "question", "option", "method")
    for table in ("sipas", "parts", "elements", "items", "alternatives", "perceptions", "needs"):
        mine_by_key = {tuple(row.get(k) for k in keys): row for row in from_csv[table]}
        assert len(pipeline[table]) > 0, table
        # the export has a column for every question; one nobody answered gives only empty cells
        extra = set(mine_by_key) - {tuple(row.get(k) for k in keys) for row in pipeline[table]}
        assert all(mine_by_key[k]["n"] == 0 for k in extra), table
        for theirs in pipeline[table]:
            mine = mine_by_key[tuple(theirs.get(k) for k in keys)]
            assert mine["n"] == theirs["n"] and mine["suppressed"] == theirs["suppressed"]
            for key in ("estimate", "se", "ci_low", "ci_high", "weighted_n"):
                a, b = mine[key], theirs[key]
                assert (a is None and b is None) or math.isclose(a, b, rel_tol=0, abs_tol=1e-12), (table, key)


def test_field_interviews_carry_enumerator_team_and_review_state_and_uncounted_ones_wait_for_drafts(
    sipas, tmp_path, units
):
    import datetime

    from fieldwork.models import Assignment, FieldRecord, FieldTeam
    from surveys.models import Response
    from tests.factories import UserFactory

    campaign, ids, _ = sipas
    team = FieldTeam.objects.create(campaign=campaign, code="bd1", name="Bưu điện 1")
    enumerator = UserFactory(username="bd-team1-a")
    first = Response.objects.get(pk=ids[0])
    assignment = Assignment.objects.create(
        campaign=campaign, team=team, questionnaire=first.questionnaire, area=units["BATXAT"]
    )
    now = datetime.datetime(2026, 10, 1, 3, 0, tzinfo=datetime.UTC)
    for pk, state in ((ids[0], "approved"), (ids[1], "rejected")):
        FieldRecord.objects.create(
            response_id=pk,
            assignment=assignment,
            enumerator=enumerator,
            interviewed_at=now,
            area=units["BATXAT"],
            received_at=now,
            payload_hash="x",
            review_state=state,
        )
    counted = pd.read_csv(run(campaign, tmp_path, "csv", personal=True).path)
    assert ids[1] not in set(counted["response_id"]) and len(counted) == SUBMITTED - 1
    row = counted[counted["response_id"] == ids[0]].iloc[0]
    assert (row["enumerator"], row["team"], row["review_state"]) == ("bd-team1-a", "bd1", "approved")
    assert row["interviewed_at"].startswith("2026-10-01 10:00")  # Vietnam's wall time
    every = pd.read_csv(run(campaign, tmp_path, "csv", include_drafts=True).path)
    assert set(every.loc[every["response_id"].isin(ids[:2]), "review_state"]) == {"approved", "rejected"}
    assert every["enumerator"].dropna().str.match(r"^E-[0-9A-F]{8}$").all()  # pseudonymised
