"""What `make run` gives a new user: links that point where the server listens, readable console e-mail,
and working personal links printed by the demo."""

import io
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
from django.core import mail

from config import settings as project_settings
from config.mail import ConsoleBackend

ROOT = Path(__file__).resolve().parents[2]


def make_run(tmp_path: Path, **variables) -> list[str]:
    """`make run` with a stand-in Python that prints what each step would see, instead of running it."""
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed").touch()  # newer than the requirements: nothing to install
    python = tmp_path / "python"
    python.write_text('#!/bin/sh\necho "$* SITE_URL=$SITE_URL ALLOWED_HOSTS=$ALLOWED_HOSTS"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "ALLOWED_HOSTS", "HOST")}
    args = [f"{k}={v}" for k, v in {"VENV": venv, "PY": python, **variables}.items()]
    done = subprocess.run(["make", "-s", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize(
    ("host", "site_url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("192.0.2.7:9000", "http://192.0.2.7:9000"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),  # listening everywhere: links name the loopback
    ],
)
def test_make_run_derives_the_site_url_from_host(tmp_path, host, site_url):
    steps = make_run(tmp_path, HOST=host)
    assert [line.split()[1] for line in steps] == ["migrate", "seed_demo", "runserver"]
    assert all(f"SITE_URL={site_url} " in line for line in steps)
    assert all(host.split(":")[0] in line.split("ALLOWED_HOSTS=")[1].split(",") for line in steps)
    assert steps[-1].startswith(f"manage.py runserver {host} ")


def test_an_explicit_site_url_wins(tmp_path):
    steps = make_run(tmp_path, HOST="0.0.0.0:8000", SITE_URL="https://khaosat.laocai.gov.vn")
    assert all("SITE_URL=https://khaosat.laocai.gov.vn " in line for line in steps)


def test_console_email_is_printed_readable_not_base64():
    assert (
        project_settings._EMAIL_BACKENDS["console"] == "config.mail.ConsoleBackend"
    )  # EMAIL_BACKEND=console
    stream = io.StringIO()
    message = mail.EmailMultiAlternatives(
        "Mời tham gia khảo sát Chỉ số CCHC",
        "Kính gửi ông/bà Nguyễn Văn Đức,\nxin mời trả lời phiếu: http://127.0.0.1:8000/s/abc/",
        "Sở Nội vụ <no-reply@localhost>",
        ["duc@laocai.gov.vn"],
    )
    message.attach_alternative("<p>Kính gửi ông/bà Nguyễn Văn Đức</p>", "text/html")
    ConsoleBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "Subject: Mời tham gia khảo sát Chỉ số CCHC" in printed
    assert "From: Sở Nội vụ <no-reply@localhost>" in printed
    assert "Kính gửi ông/bà Nguyễn Văn Đức," in printed
    assert "http://127.0.0.1:8000/s/abc/" in printed
    assert "base64" not in printed and "=?utf-8?" not in printed.lower()


@pytest.mark.django_db
def test_the_demo_prints_personal_links_that_open(demo, client):
    links = re.findall(r"http://127\.0\.0\.1:8000(/s/[\w-]+/)", demo.output)
    assert len(links) == 3
    for path in links:
        page = client.get(path)
        assert page.status_code == 200 and 'id="survey"' in page.content.decode()
