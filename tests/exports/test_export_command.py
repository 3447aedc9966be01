"""manage.py export_responses: the file, the codebook and a progress bar; bad arguments get one Vietnamese
line and an exit status, never a traceback."""

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from tests.exports.conftest import PLAN


def test_the_command_writes_the_file_and_its_codebook_with_a_progress_bar(sipas, tmp_path, capsys):
    campaign, _, _ = sipas
    out = tmp_path / "data.parquet"
    call_command("export_responses", "--campaign", campaign.slug, "--format", "parquet", "-o", str(out))
    captured = capsys.readouterr()
    assert "100%" in captured.err and "[" in captured.err
    assert f"{len(PLAN)} phiếu" in captured.out and "ẩn danh" in captured.out
    assert len(pd.read_parquet(out)) == len(PLAN)
    assert (tmp_path / "data.codebook.xlsx").is_file()
    assert AuditEvent.objects.get(action="export.pseudonymised").actor_name == "manage.py"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "pdf", "-o", "x.pdf"], "Định dạng không hỗ trợ"),
        (["--format", "csv", "-o", "x.xlsx"], "không có đuôi .csv"),
        (["--format", "csv", "--questionnaire", "khong-co", "-o", "x.csv"], "không có bảng hỏi mã"),
        (["--format", "csv", "--labels", "words", "-o", "x.csv"], "--labels phải là codes hoặc text"),
        (["--format", "csv", "-o", "/khong/co/thu-muc/x.csv"], "Thư mục /khong/co/thu-muc không tồn tại"),
    ],
)
def test_bad_arguments_get_a_vietnamese_message_not_a_traceback(
    sipas, tmp_path, monkeypatch, capsys, args, message
):
    campaign, _, _ = sipas
    monkeypatch.chdir(tmp_path)
    with pytest.raises((SystemExit, CommandError)) as raised:
        call_command("export_responses", "--campaign", campaign.slug, *args)
    captured = capsys.readouterr()
    text = str(raised.value) if isinstance(raised.value, CommandError) else captured.err
    assert message in text and "Traceback" not in captured.err
    code = raised.value.returncode if isinstance(raised.value, CommandError) else raised.value.code
    assert code in (1, 2)
    assert not AuditEvent.objects.filter(action__startswith="export.").exists()


def test_an_unknown_campaign_and_a_missing_argument_are_named(db, capsys):
    with pytest.raises(SystemExit) as raised:
        call_command("export_responses", "--campaign", "khong-co", "--format", "csv", "-o", "x.csv")
    assert raised.value.code == 1 and "Không có đợt khảo sát mã 'khong-co'" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Tham số không hợp lệ"):
        call_command("export_responses", "--format", "csv", "-o", "x.csv")
