"""compute_sipas end to end: a CSV of answers to the first questionnaire (surveys/definitions/
sipas_citizens_v1.yaml, service delivery only, method sipas-2023) in tmp_path; the 1001 questionnaire's
JSON (parts, policy groups, service elements) in test_compute_sipas_1001.py."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.sipas.inputs import elements_of_questionnaire_file

ROOT = Path(__file__).resolve().parents[2]
ITEMS = [
    code
    for codes in elements_of_questionnaire_file(ROOT / "surveys/definitions/sipas_citizens_v1.yaml").values()
    for code in codes
]


def write_answers(path: Path, rows: int = 12, **changes) -> Path:
    """`rows` respondents in districts d1/d2; every item 4 except the first respondent's 2s."""
    header = ["weight", "stratum", "district", "gender", *ITEMS]
    table = []
    for i in range(rows):
        row = {"weight": "1.5" if i % 2 else "1", "stratum": "s1" if i < rows // 2 else "s2"}
        row |= {"district": "d1" if i % 3 else "d2", "gender": "male" if i % 2 else "female"}
        row |= {item: "2" if i == 0 else "4" for item in ITEMS}
        table.append(row)
    for (line, column), value in changes.get("cells", {}).items():
        table[line - 2][column] = value
    if "drop" in changes:
        header.remove(changes["drop"])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(table)
    return path


def run(
    *args: str, questionnaire: str = "surveys/definitions/sipas_citizens_v1.yaml"
) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [sys.executable, "manage.py", "compute_sipas", "--questionnaire", questionnaire, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_json_output_lists_sipas_elements_and_items_for_the_sample_and_each_district(tmp_path):
    answers = write_answers(tmp_path / "answers.csv")
    done = run("--csv", str(answers), "--by", "district", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["method"] == "sipas-2023"
    assert result["respondents"] == 12
    whole = result["sipas"][0]
    assert (whole["by"], whole["group"]) == (None, None)
    # one respondent (weight 1) answers 2 everywhere, the 11 others (weights 1.5 ×6, 1 ×5) answer 4
    assert whole["estimate"] == pytest.approx(14 / 15)
    assert whole["ci_low"] < whole["estimate"] < whole["ci_high"] <= 1
    groups = {(row["by"], row["group"]) for row in result["elements"]}
    assert groups == {(None, None), ("district", "d1"), ("district", "d2")}
    d2 = next(r for r in result["sipas"] if r["group"] == "d2")
    assert d2["n"] == 4 and d2["suppressed"] and d2["estimate"] is None
    assert {row["item"] for row in result["items"]} == set(ITEMS)


def test_table_output_shows_percentages_and_marks_suppressed_cells(tmp_path):
    answers = write_answers(tmp_path / "answers.csv")
    done = run("--csv", str(answers), "--by", "district")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("method sipas-2023; 12 respondents; weights: none; 2 strata, 12 PSUs, df 10")
    assert any(line.startswith("all") and "SIPAS" in line and "93.33" in line for line in lines)
    assert any(line.startswith("district=d2") and "SIPAS" in line and " – " in line for line in lines)


def test_margins_file_rakes_the_weights(tmp_path):
    answers = write_answers(tmp_path / "answers.csv")
    margins = tmp_path / "margins.csv"
    margins.write_text(
        "variable,category,population\ngender,male,600\ngender,female,400\n"
        "district,d1,700\ndistrict,d2,300\n",
        encoding="utf-8",
    )
    done = run("--csv", str(answers), "--margins", str(margins), "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["calibration"].startswith("raking")
    assert result["weighted_respondents"] == pytest.approx(1000)


@pytest.mark.parametrize(
    ("changes", "margins", "message"),
    [
        ({"drop": "staff.courtesy"}, None, "missing column 'staff.courtesy' (an item of element 'staff')"),
        (
            {"cells": {(5, "access.location"): "abc"}},
            None,
            "row 5, column 'access.location': 'abc' is not a number",
        ),
        (
            {"cells": {(7, "result.correct"): "7"}},
            None,
            "row 7, column 'result.correct': 7 is not a scale value",
        ),
        ({"cells": {(3, "weight"): "0"}}, None, "row 3, column 'weight': weight 0.0; weights must be > 0"),
        ({"cells": {(4, "weight"): "-2"}}, None, "row 4, column 'weight': weight -2.0; weights must be > 0"),
        (
            {},
            "gender,male,600\ngender,female,400\ngender,other,10\n",
            "category 'other' of 'gender' has no respondent in",
        ),
        ({}, "gender,male,600\n", "row 2, column 'gender': category 'female' has no population total"),
        ({}, "sex,male,600\n", "variable 'sex' is not a column of"),
        ({}, "gender,male,lots\n", "row 2, column 'population': 'lots' is not a number"),
    ],
)
def test_bad_input_gets_one_clear_message_and_exit_status_1(tmp_path, changes, margins, message):
    answers = write_answers(tmp_path / "answers.csv", **changes)
    args = ["--csv", str(answers)]
    if margins is not None:
        path = tmp_path / "margins.csv"
        path.write_text("variable,category,population\n" + margins, encoding="utf-8")
        args += ["--margins", str(path)]
    done = run(*args)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert str(answers) in done.stderr or "margins.csv" in done.stderr


def test_missing_file_is_reported_without_traceback(tmp_path):
    done = run("--csv", str(tmp_path / "nowhere.csv"))
    assert done.returncode == 1
    assert "nowhere.csv: no such file" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_file_with_a_header_only_is_bad_input(tmp_path):
    answers = write_answers(tmp_path / "answers.csv", rows=0)
    done = run("--csv", str(answers))
    assert done.returncode == 1
    assert "no respondents (no data rows)" in done.stderr
    assert "Traceback" not in done.stderr
