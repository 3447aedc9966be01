"""The questionnaire loader reports what changed against the version it updated or replaced (the same
change report as criteria trees, kit.versioning; shown in a later issue)."""

import yaml

from surveys.services.questionnaires import load_questionnaire


def write(tmp_path, questions):
    document = {
        "code": "par-small",
        "title": "Phiếu ngắn",
        "groups": ["dept_leader"],
        "scales": {"q4": [{"value": v, "label": f"Mức {v}"} for v in (1, 2, 3, 4)]},
        "sections": [{"code": "s1", "title": "Phần 1", "questions": questions}],
    }
    path = tmp_path / "phieu.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def q(code, text, feeds="1.1"):
    return {"code": code, "type": "scale", "scale": "q4", "text": text, "feeds": feeds}


def test_an_update_reports_questions_added_removed_reworded_and_changed(campaign, tmp_path):
    first = load_questionnaire(
        campaign=campaign, path=write(tmp_path, [q("q1", "Đánh giá"), q("q2", "Khác")])
    )
    assert first.changes is None  # a first version
    report = load_questionnaire(
        campaign=campaign, path=write(tmp_path, [q("q1", "Đánh giá chung"), q("q3", "Mới", feeds="1.2")])
    )
    assert report.status == "updated"
    assert (report.changes.added, report.changes.removed) == (["q3"], ["q2"])
    assert [(c.code, c.after) for c in report.changes.renamed] == [("q1", "Đánh giá chung")]
