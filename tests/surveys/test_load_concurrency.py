"""Loads of one questionnaire racing each other keep one current version (real PostgreSQL)."""

import pytest
import yaml
from django.db import connection

from surveys.models import Questionnaire, Response
from surveys.services.questionnaires import load_questionnaire
from tests.concurrency import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: CI runs the suite with DATABASE_URL=postgres://…")


def write(path, title: str):
    document = {
        "code": "par-race",
        "title": title,
        "groups": ["dept_leader"],
        "sections": [
            {"code": "s1", "title": "Phần 1", "questions": [{"code": "q1", "type": "text", "text": "Ý kiến"}]}
        ],
    }
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def test_a_new_file_loaded_four_times_at_once_is_created_once(campaign, tmp_path):
    path = write(tmp_path / "race.yaml", "Phiếu")
    reports = run_at_once(lambda: load_questionnaire(campaign=campaign, path=path), times=4)
    assert sorted(r.status for r in reports) == ["created", "unchanged", "unchanged", "unchanged"]
    assert Questionnaire.objects.count() == 1


def test_changed_files_loaded_at_once_over_an_answered_version_make_one_new_current_version(
    campaign, tmp_path
):
    v1 = load_questionnaire(campaign=campaign, path=write(tmp_path / "v1.yaml", "Một")).questionnaire
    Response.objects.create(campaign=campaign, questionnaire=v1, answers={"q1": "x"})
    paths = iter([write(tmp_path / f"v{n}.yaml", f"Sửa {n}") for n in range(3)])
    reports = run_at_once(lambda: load_questionnaire(campaign=campaign, path=next(paths)), times=3)
    # The first creates version 2; the others find it unanswered and update it in place.
    assert sorted(r.status for r in reports) == ["created", "updated", "updated"]
    assert list(Questionnaire.objects.order_by("version").values_list("version", "is_current")) == [
        (1, False),
        (2, True),
    ]
