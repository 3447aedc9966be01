"""`feeds:` codes checked against the criteria tree and the SIPAS elements when either is loaded (a
misspelt code used to be ignored silently)."""

import pytest
import yaml

from scoring.services.trees import load_criteria_tree
from surveys.services.questionnaires import load_questionnaire
from tests.factories import CampaignFactory
from tests.scoring.annex_files import TREE_892

ROOT = TREE_892.parents[2]


def questionnaire(tmp_path, feeds: list[str], groups=("dept_leader",)):
    scale = [{"value": v, "label": str(v)} for v in (1, 2, 3, 4)]
    document = {
        "code": "par-small",
        "title": "Phiếu ngắn",
        "groups": list(groups),
        "scales": {"q4": scale},
        "sections": [
            {
                "code": "s1",
                "title": "Phần 1",
                "questions": [
                    {"code": f"q{i}", "type": "scale", "scale": "q4", "text": "Đánh giá", "feeds": f}
                    for i, f in enumerate(feeds)
                ],
            }
        ],
    }
    path = tmp_path / "phieu.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def campaign_2026(db, province):
    load_criteria_tree(path=TREE_892)
    return CampaignFactory(province=province, slug="par-2026", year=2026)


def test_an_unknown_tree_code_or_sipas_element_rejects_the_questionnaire_naming_the_path(
    campaign_2026, tmp_path
):
    report = load_questionnaire(
        campaign=campaign_2026, path=questionnaire(tmp_path, ["1.1", "1.9", "sipas.acces"])
    )
    assert report.status == "rejected"
    assert report.errors == [
        "sections[0].questions[1].feeds: '1.9' is not a code of the criteria tree "
        "892/QĐ-BNV · par-province-892 v1",
        "sections[0].questions[2].feeds: unknown SIPAS element 'acces' "
        "(one of access, procedure, staff, result, feedback, overall)",
    ]


def test_the_shipped_questionnaires_feed_codes_of_the_892_tree(campaign_2026):
    for name in ("par_officials.yaml",):
        report = load_questionnaire(campaign=campaign_2026, path=ROOT / "surveys" / "definitions" / name)
        assert report.errors == []


def test_a_tree_that_drops_a_fed_code_warns_about_the_questionnaire(campaign_2026, tmp_path):
    assert load_questionnaire(campaign=campaign_2026, path=questionnaire(tmp_path, ["1.7", "2.4"])).ok
    changed = tmp_path / "892.yaml"
    text = (
        TREE_892.read_text(encoding="utf-8")
        .replace('- code: "2.4"\n', '- code: "2.5"\n')
        .replace('{code: "2.4.1"', '{code: "2.5.1"')
    )
    changed.write_text(text, encoding="utf-8")
    report = load_criteria_tree(path=changed)
    assert report.ok and report.status == "updated"
    assert report.warnings == [
        "phieu.yaml (par-2026): sections[0].questions[1].feeds: '2.4' is not a code of the criteria tree "
        "892/QĐ-BNV · par-province-892 v1"
    ]
