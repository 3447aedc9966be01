"""import_respondents FILE --campaign S [--unit CODE] [--dry-run] [--skip-invalid] [--format json].

Exit status: 0 imported (or would be, with --dry-run), 1 rejected, 2 usage error. Messages are translated,
so they are only checked for the value they are about.
"""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from respondents.models import ImportBatch, Respondent
from tests.workbooks import STANDARD_HEADER as H
from tests.workbooks import person, write_xlsx

ROOT = Path(__file__).resolve().parents[2]
SHEET = "Danh sách"
LOCATED = {"sheet", "row", "column", "code", "message"}


def bad_email(n: int, email: str = "sai@") -> list:
    row = person(n)
    row[6] = email
    return row


@pytest.fixture
def xlsx(tmp_path):
    def xlsx(*rows, name="ds.xlsx"):
        return str(write_xlsx(tmp_path / name, {SHEET: [H, *rows]}))

    return xlsx


def run(*args, campaign="par-2023", fmt="json") -> tuple[int, dict | str, str]:
    """(exit status, parsed JSON or text output, stderr) of the command as call_command runs it."""
    out, err = io.StringIO(), io.StringIO()
    options = ["--campaign", campaign, "--format", fmt] if campaign else ["--format", fmt]
    try:
        call_command("import_respondents", *args, *options, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    text = out.getvalue()
    return status, (json.loads(text) if fmt == "json" else text), err.getvalue()


def test_clean_file_prints_the_json_report_and_exits_0(campaign, xlsx):
    capitals = person(2)
    capitals[1] = "TRẦN THỊ BÌNH"
    status, report, _ = run(xlsx(person(1), capitals))
    assert status == 0
    assert {"accepted", "imported", "errors", "warnings"} <= set(report)
    assert (report["status"], report["accepted"], report["imported"], report["errors"]) == (
        "imported",
        2,
        2,
        [],
    )
    assert [{k: w[k] for k in LOCATED - {"message"}} for w in report["warnings"]] == [
        {"sheet": SHEET, "row": 3, "column": "B", "code": "name_recased"}
    ]
    assert "Trần Thị Bình" in report["warnings"][0]["message"]
    assert Respondent.objects.count() == 2
    assert ImportBatch.objects.get().source == ImportBatch.Source.COMMAND


def test_rejected_file_exits_1_and_lists_every_error_with_its_place(campaign, xlsx):
    status, report, _ = run(xlsx(person(1), bad_email(2), bad_email(3, "a@@b.vn")))
    assert status == 1
    assert (report["status"], report["accepted"], report["imported"]) == ("rejected", 1, 0)
    assert all(set(e) >= LOCATED for e in report["errors"])
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in report["errors"]] == [
        (SHEET, 3, "G", "email_invalid"),
        (SHEET, 4, "G", "email_invalid"),
    ]
    assert "sai@" in report["errors"][0]["message"] and "a@@b.vn" in report["errors"][1]["message"]
    assert Respondent.objects.count() == 0


def test_dry_run_exits_0_and_writes_nothing(campaign, xlsx):
    status, report, _ = run(xlsx(person(1), person(2)), "--dry-run")
    assert (status, report["status"], report["accepted"], report["imported"]) == (0, "dry_run", 2, 0)
    assert (Respondent.objects.count(), ImportBatch.objects.count()) == (0, 0)


def test_dry_run_of_a_bad_file_exits_1_and_writes_nothing(campaign, xlsx):
    status, report, _ = run(xlsx(person(1), bad_email(2)), "--dry-run")
    assert (status, [e["code"] for e in report["errors"]]) == (1, ["email_invalid"])
    assert (Respondent.objects.count(), ImportBatch.objects.count()) == (0, 0)


def test_skip_invalid_imports_the_valid_rows_exits_0_and_still_lists_the_errors(campaign, xlsx):
    status, report, _ = run(xlsx(person(1), bad_email(2), person(3)), "--skip-invalid")
    assert (status, report["status"], report["accepted"], report["imported"]) == (0, "imported", 2, 2)
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(3, "email_invalid")]
    assert sorted(Respondent.objects.values_list("source_row", flat=True)) == [2, 4]


def test_unit_option_replaces_that_units_list(campaign, xlsx):
    assert run(xlsx(person(1), person(2), person(3)), "--unit", "STP")[0] == 0
    status, report, _ = run(xlsx(person(1), person(3), name="ds2.xlsx"), "--unit", "STP")
    assert status == 0
    assert [report[k] for k in ("added", "updated", "unchanged", "retired", "imported")] == [0, 0, 2, 1, 2]
    assert Respondent.objects.current().filter(unit__code="STP").count() == 2


def test_row_of_another_unit_under_unit_option_is_rejected_as_unit_mismatch(campaign, xlsx):
    status, report, _ = run(xlsx(person(1), person(2, unit="Sở Nội vụ")), "--unit", "STP")
    assert status == 1
    assert [(e["row"], e["column"], e["code"]) for e in report["errors"]] == [(3, "D", "unit_mismatch")]
    assert "Sở Nội vụ" in report["errors"][0]["message"]


def test_unreadable_file_exits_1_with_one_file_level_error(campaign, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_text("STT,Họ và tên\n1,Nguyễn Văn An\n", encoding="utf-8")
    status, report, _ = run(str(path))
    assert status == 1
    assert [(e["code"], e["sheet"], e["row"], e["column"]) for e in report["errors"]] == [
        ("file_unreadable", "", None, "")
    ]


def test_text_format_writes_located_errors_to_stderr_and_a_summary_to_stdout(campaign, xlsx):
    status, out, err = run(xlsx(person(1), bad_email(2)), fmt="text")
    assert status == 1
    [line] = [line for line in err.splitlines() if "[email_invalid]" in line]
    assert line.startswith("ERROR") and "ds.xlsx" in line and SHEET in line and "sai@" in line
    assert re.search(r"\b3\b", line) and re.search(r"\bG\b", line)
    assert "ds.xlsx" in out and "rejected" in out


@pytest.mark.parametrize(
    ("args", "campaign_slug"),
    [
        (["{file}"], "no-such-campaign"),
        (["{missing}"], "par-2023"),
        (["{file}", "--unit", "NOPE"], "par-2023"),
    ],
    ids=["unknown-campaign", "missing-file", "unknown-unit"],
)
def test_usage_error_is_a_command_error_with_return_code_2(campaign, xlsx, tmp_path, args, campaign_slug):
    paths = {"file": xlsx(person(1)), "missing": str(tmp_path / "khong-co.xlsx")}
    with pytest.raises(CommandError) as raised:
        run(*[a.format(**paths) for a in args], campaign=campaign_slug)
    assert raised.value.returncode == 2
    assert (Respondent.objects.count(), ImportBatch.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    "args", [["{missing}", "--campaign", "par-2023"], ["{file}"]], ids=["missing-file", "no-campaign-option"]
)
def test_usage_error_from_the_shell_exits_with_status_2_without_a_traceback(tmp_path, args):
    file = write_xlsx(tmp_path / "ds.xlsx", {SHEET: [H, person(1)]})
    paths = {"file": str(file), "missing": str(tmp_path / "khong-co.xlsx")}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # never the developer's database
    }
    argv = [sys.executable, "manage.py", "import_respondents", *[a.format(**paths) for a in args]]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
