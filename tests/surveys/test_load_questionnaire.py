"""Loading questionnaire files into a campaign: the shipped files, the versioning rule and the command.

The rule (docs/decisions.md D9): an identical file changes nothing; a version nobody has answered
is updated in place; a version with responses is never changed: the file becomes the next version.
"""

import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from kit.documents import checksum
from respondents.models import RespondentGroup
from surveys.models import Invitation, Questionnaire, Response
from surveys.selectors import questionnaire_for
from surveys.services.definitions import parse_definition_file, questions
from surveys.services.questionnaires import load_questionnaire
from tests.factories import CampaignFactory, InvitationFactory, RespondentFactory

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "surveys" / "definitions"
SHIPPED = {
    "par_officials.yaml": ("par_officials", {"hdnd", "dept_leader", "division_leader"}),
    "par_officials_district.yaml": ("par_officials", {"district_leader"}),
    "par_officials_commune.yaml": ("par_officials", {"commune_leader"}),
    "sipas_citizens.yaml": ("sipas_citizens", {"citizen", "organisation"}),
    "sipas_citizens_v1.yaml": ("sipas_citizens", {"citizen", "organisation"}),
}


def small(**changes) -> dict:
    document = {
        "code": "par-small",
        "title": "Phiếu ngắn",
        "groups": ["dept_leader", "division_leader"],
        "scales": {"q4": [{"value": v, "label": f"Mức {v}"} for v in (1, 2, 3, 4)]},
        "sections": [
            {
                "code": "s1",
                "title": "Phần 1",
                "questions": [
                    {"code": "q1", "type": "scale", "scale": "q4", "text": "Đánh giá", "feeds": "1.1"}
                ],
            }
        ],
    }
    document.update(changes)
    return document


@pytest.fixture
def write(tmp_path):
    def write(document: dict, name: str = "phieu.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def sipas_campaign(province):
    return CampaignFactory(
        province=province, slug="sipas-2023", kind="sipas_citizens", groups=["citizen", "organisation"]
    )


def group(code: str) -> RespondentGroup:
    return RespondentGroup.objects.get(code=code)


# --- the shipped files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_loads_cleanly_into_a_campaign_of_its_kind(name, campaign, sipas_campaign):
    kind, groups = SHIPPED[name]
    target = campaign if kind == "par_officials" else sipas_campaign
    if groups == {"commune_leader"}:  # a campaign of the two-level local government (from July 2025)
        target = CampaignFactory(
            province=campaign.province, slug="par-2026", year=2026, groups=["commune_leader"]
        )
    report = load_questionnaire(campaign=target, path=DEFINITIONS / name)
    assert report.errors == [] and (report.status, report.created, report.version) == ("created", True, 1)
    stored = Questionnaire.objects.get(pk=report.questionnaire.pk)
    assert set(stored.groups.values_list("code", flat=True)) == groups
    assert stored.source_file == name and stored.checksum == checksum(stored.definition)
    assert all(questionnaire_for(target, code) == stored for code in groups)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_file_is_nfc_vietnamese_with_english_comments_and_well_formed_questions(name):
    text = (DEFINITIONS / name).read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert text.startswith("# ") and text.splitlines()[0].isascii()  # an English comment first
    definition = parse_definition_file(DEFINITIONS / name).definition
    assert any(ch in definition["title"] for ch in "ảạấầẩẫậắằẳẵặếềểễệốồổỗộớờởỡợứừửữựđ")
    all_questions = questions(definition)
    # Perceptions and needs (sipas.perception, sipas.need) are choices reported as shares, not ratings.
    scored = [
        q for q in all_questions if "feeds" in q and q["feeds"] not in ("sipas.perception", "sipas.need")
    ]
    assert scored and all(q["type"] == "scale" for q in scored)
    # Every rating can be left as "don't know", which the index must leave out.
    for q in scored:
        assert sum(1 for option in q["options"] if option.get("missing")) == 1, q["code"]
    assert sum(1 for q in all_questions if "show_if" in q) >= 2
    assert any(q["type"] == "text" and not q["required"] for q in all_questions)


def test_officials_questionnaires_cover_the_eight_domains_with_sub_criterion_codes():
    for name in ("par_officials.yaml", "par_officials_district.yaml", "par_officials_commune.yaml"):
        scored = [q for q in questions(parse_definition_file(DEFINITIONS / name).definition) if "feeds" in q]
        assert {q["feeds"].split(".")[0] for q in scored} == {str(d) for d in range(1, 9)}
        assert all(len(q["feeds"].split(".")) == 2 for q in scored)
        assert all(len(q["options"]) in (5, 6) for q in scored)  # 1–4 or 1–5 plus "don't know"
        assert any(
            q["type"] == "number" for q in questions(parse_definition_file(DEFINITIONS / name).definition)
        )


def test_sipas_questionnaire_has_the_three_aspects_of_1001_with_english_beside_the_vietnamese():
    definition = parse_definition_file(DEFINITIONS / "sipas_citizens.yaml").definition
    by_code = {q["code"]: q for q in questions(definition)}
    feeds = [q["feeds"] for q in by_code.values() if "feeds" in q]
    # Part I: 8 categorical perception criteria, among them harassment and informal payments.
    perceptions = [q for q in by_code.values() if q.get("feeds") == "sipas.perception"]
    assert len(perceptions) == 8 and all(q["type"] in ("single", "multiple") for q in perceptions)
    assert {"perception.harassment", "perception.informal_payment"} <= {q["code"] for q in perceptions}
    # Part II.A: the 9 policy groups, each rated on information, participation, implementation, results.
    groups = ["economy", "health", "education", "water", "electricity", "security", "roads"]
    groups += ["social_security", "admin_reform"]
    for group_code in groups:
        items = [q["code"] for q in by_code.values() if q.get("feeds") == f"sipas.policy.{group_code}"]
        assert [i.rsplit(".", 1)[1] for i in items] == [
            "information",
            "participation",
            "implementation",
            "results",
        ]
    # Part II.B: the 5 service elements; access has signage, seating, equipment and access overall.
    access = [q["code"] for q in by_code.values() if q.get("feeds") == "sipas.service.access"]
    assert [a.rsplit(".", 1)[1] for a in access] == ["signage", "seating", "equipment", "overall"]
    assert feeds.count("sipas.service.procedure") == 4
    for element in ("staff", "result", "feedback"):
        assert feeds.count(f"sipas.service.{element}") >= 3, element
    assert feeds.count("sipas.overall") == 1
    scored = [q for q in by_code.values() if q["type"] == "scale"]
    assert all([o["value"] for o in q["options"]] == [1, 2, 3, 4, 5, 0] for q in scored)
    # Part III: needs as multiple choices.
    assert [q["type"] for q in by_code.values() if q.get("feeds") == "sipas.need"] == ["multiple", "multiple"]
    assert definition["languages"] == ["vi", "en"]

    def english(item: dict, key: str) -> str:
        return (item.get("i18n") or {}).get("en", {}).get(key, "")

    assert all(english(q, "text") for q in by_code.values())
    assert all(english(s, "title") for s in definition["sections"])
    assert all(english(o, "label") for q in by_code.values() for o in q.get("options", []))


def test_first_sipas_questionnaire_has_the_five_elements_overall_satisfaction_and_background():
    definition = parse_definition_file(DEFINITIONS / "sipas_citizens_v1.yaml").definition
    by_code = {q["code"]: q for q in questions(definition)}
    feeds = [q["feeds"] for q in by_code.values() if "feeds" in q]
    for element in ("access", "procedure", "staff", "result", "feedback"):
        assert feeds.count(f"sipas.{element}") >= 3, element
    assert feeds.count("sipas.overall") == 1
    assert all(
        [o["value"] for o in q["options"]] == [1, 2, 3, 4, 5, 0] for q in by_code.values() if "feeds" in q
    )
    assert {o["value"] for o in by_code["screening.level"]["options"]} == {"province", "district", "commune"}
    # Feedback items only for those who gave feedback.
    feedback_items = [q for q in by_code.values() if q.get("feeds") == "sipas.feedback"]
    assert all(q["show_if"] == {"question": "feedback.given", "equals": 1} for q in feedback_items)
    for code in (
        "background.gender",
        "background.age_group",
        "background.education",
        "background.occupation",
    ):
        assert by_code[code]["type"] == "single" and by_code[code]["required"]


def test_shipped_file_does_not_load_into_a_campaign_that_does_not_survey_its_groups(campaign, sipas_campaign):
    report = load_questionnaire(campaign=campaign, path=DEFINITIONS / "sipas_citizens.yaml")
    assert report.status == "rejected" and [e.split(":")[0] for e in report.errors] == [
        "groups[0]",
        "groups[1]",
    ]
    assert not Questionnaire.objects.exists()


def test_officials_file_loads_into_a_campaign_without_districts(province):
    later = CampaignFactory(
        province=province, slug="par-2026", year=2026, groups=["hdnd", "dept_leader", "division_leader"]
    )
    assert load_questionnaire(campaign=later, path=DEFINITIONS / "par_officials.yaml").ok
    assert not load_questionnaire(campaign=later, path=DEFINITIONS / "par_officials_district.yaml").ok


# --- versioning ----------------------------------------------------------------------------------------


def test_reloading_the_same_file_changes_nothing(campaign, write):
    path = write(small())
    first = load_questionnaire(campaign=campaign, path=path)
    again = load_questionnaire(campaign=campaign, path=path)
    assert (again.status, again.created, again.version, again.errors) == ("unchanged", False, 1, [])
    assert again.questionnaire.pk == first.questionnaire.pk
    assert Questionnaire.objects.count() == 1


def test_a_changed_file_without_responses_updates_the_current_version_in_place(campaign, write):
    first = load_questionnaire(campaign=campaign, path=write(small()))
    changed = small(title="Phiếu ngắn (sửa)", groups=["dept_leader"])
    changed["sections"][0]["questions"][0]["text"] = "Đánh giá lại"
    report = load_questionnaire(campaign=campaign, path=write(changed, "phieu-sua.yaml"))
    assert (report.status, report.created, report.version) == ("updated", False, 1)
    stored = Questionnaire.objects.get()
    assert stored.pk == first.questionnaire.pk and stored.is_current
    assert stored.title == "Phiếu ngắn (sửa)" and questions(stored.definition)[0]["text"] == "Đánh giá lại"
    assert stored.checksum == checksum(stored.definition) != first.questionnaire.checksum
    assert list(stored.groups.values_list("code", flat=True)) == ["dept_leader"]
    assert stored.source_file == "phieu-sua.yaml"


@pytest.mark.parametrize("status", ["submitted", "draft"])
def test_a_changed_file_with_a_response_creates_the_next_version_and_keeps_the_answered_one(
    campaign, units, write, status
):
    v1 = load_questionnaire(campaign=campaign, path=write(small())).questionnaire
    respondent = RespondentFactory(campaign=campaign, unit=units["STP"], group=group("dept_leader"))
    answered = InvitationFactory(respondent=respondent, questionnaire=v1)
    Response.objects.create(
        campaign=campaign, questionnaire=v1, invitation=answered, answers={"q1": 3}, status=status
    )
    waiting = InvitationFactory(
        respondent=RespondentFactory(campaign=campaign, unit=units["SNV"], group=group("division_leader")),
        questionnaire=v1,
    )
    v1_definition, v1_checksum = dict(v1.definition), v1.checksum

    changed = small()
    changed["sections"][0]["questions"].append(
        {"code": "q2", "type": "text", "text": "Ý kiến", "required": False}
    )
    report = load_questionnaire(campaign=campaign, path=write(changed))

    assert (report.status, report.created, report.version) == ("created", True, 2)
    v1.refresh_from_db()
    assert not v1.is_current and (v1.definition, v1.checksum, v1.version) == (v1_definition, v1_checksum, 1)
    assert set(v1.groups.values_list("code", flat=True)) == {"dept_leader", "division_leader"}
    assert Response.objects.get().questionnaire == v1 and Response.objects.get().answers == {"q1": 3}
    v2 = report.questionnaire
    assert v2.is_current and [q["code"] for q in questions(v2.definition)] == ["q1", "q2"]
    assert questionnaire_for(campaign, "dept_leader") == v2
    # The answered invitation stays with the version it was answered on; the untouched one moves on.
    assert Invitation.objects.get(pk=answered.pk).questionnaire == v1
    assert Invitation.objects.get(pk=waiting.pk).questionnaire == v2
    assert Questionnaire.objects.filter(campaign=campaign, code="par-small", is_current=True).count() == 1


def test_the_next_version_is_itself_updated_in_place_until_it_is_answered(campaign, write):
    v1 = load_questionnaire(campaign=campaign, path=write(small())).questionnaire
    Response.objects.create(campaign=campaign, questionnaire=v1, answers={"q1": 1})
    assert load_questionnaire(campaign=campaign, path=write(small(title="Hai"))).version == 2
    report = load_questionnaire(campaign=campaign, path=write(small(title="Ba")))
    assert (report.status, report.version) == ("updated", 2)
    # Going back to the first file's content is a change too: a new version, the answered one untouched.
    Response.objects.create(campaign=campaign, questionnaire=report.questionnaire, answers={"q1": 2})
    back = load_questionnaire(campaign=campaign, path=write(small()))
    assert (back.status, back.version) == ("created", 3)
    assert list(Questionnaire.objects.order_by("version").values_list("title", "is_current")) == [
        ("Phiếu ngắn", False),
        ("Ba", False),
        ("Phiếu ngắn", True),
    ]


def test_questionnaires_of_other_codes_and_campaigns_are_independent(campaign, province, write):
    other_campaign = CampaignFactory(province=province, slug="par-2024", year=2024)
    a = load_questionnaire(campaign=campaign, path=write(small()))
    b = load_questionnaire(campaign=other_campaign, path=write(small()))
    c = load_questionnaire(campaign=campaign, path=write(small(code="par-council", groups=["hdnd"])))
    assert [r.status for r in (a, b, c)] == ["created"] * 3 and [r.version for r in (a, b, c)] == [1, 1, 1]
    assert questionnaire_for(campaign, "hdnd") == c.questionnaire
    assert questionnaire_for(other_campaign, group("dept_leader")) == b.questionnaire
    assert questionnaire_for(other_campaign, "hdnd") is None


GROUP_CASES = [
    (["dept_leader", "citizen"], ["groups[1]"]),  # exists, not surveyed by a PAR campaign
    (["nobody", "dept_leader"], ["groups[0]"]),  # no such group
    (["dept_leader", "dept_leader"], ["groups[1]"]),
    (["hdnd", "nobody", "organisation"], ["groups[1]", "groups[2]"]),
]


@pytest.mark.parametrize(("groups", "paths"), GROUP_CASES)
def test_every_group_must_be_one_of_the_campaigns_groups(campaign, write, groups, paths):
    report = load_questionnaire(campaign=campaign, path=write(small(groups=groups)))
    assert (report.status, report.questionnaire, report.version) == ("rejected", None, None)
    assert [e.split(":")[0] for e in report.errors] == paths
    assert not Questionnaire.objects.exists()


def test_a_group_answers_one_questionnaire_per_campaign(campaign, write):
    load_questionnaire(campaign=campaign, path=write(small()))
    report = load_questionnaire(
        campaign=campaign, path=write(small(code="par-other", groups=["hdnd", "division_leader"]))
    )
    assert [e.split(":")[0] for e in report.errors] == ["groups[1]"]
    assert Questionnaire.objects.count() == 1


def test_a_rejected_change_leaves_the_current_version_as_it_was(campaign, write):
    first = load_questionnaire(campaign=campaign, path=write(small())).questionnaire
    report = load_questionnaire(campaign=campaign, path=write(small(title="Mới", groups=["citizen"])))
    assert not report.ok
    stored = Questionnaire.objects.get()
    assert (stored.title, stored.checksum) == ("Phiếu ngắn", first.checksum)


def test_an_invalid_file_is_reported_with_every_problem_and_nothing_is_stored(campaign, write):
    document = small()
    document.pop("title")
    document["sections"][0]["questions"][0]["scale"] = "q5"
    report = load_questionnaire(campaign=campaign, path=write(document))
    assert [e.split(":")[0] for e in report.errors] == ["title", "sections[0].questions[0].scale"]
    assert report.status == "rejected" and not Questionnaire.objects.exists()


def test_a_title_longer_than_the_database_column_is_a_problem_not_a_crash(campaign, write):
    report = load_questionnaire(campaign=campaign, path=write(small(title="Phiếu " * 60)))
    assert [e.split(":")[0] for e in report.errors] == ["title"]


def test_questionnaire_for_ignores_replaced_versions(campaign, write):
    v1 = load_questionnaire(campaign=campaign, path=write(small())).questionnaire
    Response.objects.create(campaign=campaign, questionnaire=v1, answers={})
    v2 = load_questionnaire(campaign=campaign, path=write(small(title="Hai"))).questionnaire
    assert questionnaire_for(campaign, group("division_leader")) == v2
    assert questionnaire_for(campaign, "district_leader") is None


# --- the command ---------------------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("load_questionnaire", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_command_says_created_updated_or_unchanged_with_the_version(campaign, write):
    path = str(write(small()))
    assert run(path, "--campaign", "par-2023") == (
        0,
        f"{path}: created par-small version 1 (2 groups, 1 questions)\n",
        "",
    )
    code, out, _ = run(path, "--campaign", "par-2023")
    assert code == 0 and out.startswith(f"{path}: unchanged par-small version 1")
    path = str(write(small(title="Sửa")))
    code, out, _ = run(path, "--campaign", "par-2023")
    assert code == 0 and out.startswith(f"{path}: updated par-small version 1")
    Response.objects.create(campaign=campaign, questionnaire=Questionnaire.objects.get(), answers={})
    code, out, _ = run(str(write(small(title="Sửa lần hai"))), "--campaign", "par-2023")
    assert code == 0 and out.startswith(f"{path}: created par-small version 2")


def test_command_lists_every_problem_as_file_path_message_and_exits_1(campaign, write):
    document = small(groups=["dept_leader", "citizen"])
    document["sections"][0]["questions"][0]["show_if"] = {"question": "q9", "equals": 1}
    path = str(write(document))
    code, out, err = run(path, "--campaign", "par-2023")
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert [line.split(": ")[:2] for line in lines] == [[path, "sections[0].questions[0].show_if.question"]]
    # Group problems come once the file itself is valid.
    document["sections"][0]["questions"][0].pop("show_if")
    code, _, err = run(str(write(document)), "--campaign", "par-2023")
    assert code == 1 and err.startswith(f"{path}: groups[1]: ") and "citizen" in err
    assert not Questionnaire.objects.exists()


def test_command_names_the_file_once_for_an_unreadable_file(campaign, tmp_path):
    path = tmp_path / "hong.yaml"
    path.write_text("code: [x\n", encoding="utf-8")
    code, _, err = run(str(path), "--campaign", "par-2023")
    assert code == 1 and err.startswith(f"{path}: not valid YAML/JSON") and err.count("hong.yaml") == 1


@pytest.mark.parametrize(("file", "slug"), [("shipped", "no-such-campaign"), ("missing", "par-2023")])
def test_command_usage_errors_return_2(campaign, tmp_path, file, slug):
    path = DEFINITIONS / "par_officials.yaml" if file == "shipped" else tmp_path / "khong-co.yaml"
    with pytest.raises(CommandError) as raised:
        run(str(path), "--campaign", slug)
    assert raised.value.returncode == 2
    assert not Questionnaire.objects.exists()


def test_command_from_the_shell_loads_the_shipped_files_and_exits_with_its_status(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'shell.sqlite3'}",  # never the developer's database
    }

    def manage(*args):
        argv = [sys.executable, "manage.py", *map(str, args)]
        return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)

    units = tmp_path / "units.csv"
    units.write_text(
        "code,name,kind\nSTP,Sở Tư pháp,department\nBX,Huyện Bát Xát,district\n", encoding="utf-8"
    )
    for step in (
        ["migrate", "--verbosity", "0"],
        ["import_units", units, "--province", "Lào Cai"],
        [
            "create_campaign",
            "--slug",
            "par-2023",
            "--kind",
            "par_officials",
            "--year",
            2023,
            "--province",
            "Lào Cai",
        ],
    ):
        assert manage(*step).returncode == 0, step
    for name in ("par_officials.yaml", "par_officials_district.yaml"):
        done = manage("load_questionnaire", DEFINITIONS / name, "--campaign", "par-2023")
        assert (
            done.returncode == 0 and " created par-officials" in done.stdout and " version 1 " in done.stdout
        )
    done = manage("load_questionnaire", DEFINITIONS / "par_officials.yaml", "--campaign", "par-2023")
    assert done.returncode == 0 and "unchanged" in done.stdout
    done = manage("load_questionnaire", DEFINITIONS / "sipas_citizens.yaml", "--campaign", "par-2023")
    assert done.returncode == 1 and done.stderr.startswith(
        f"{DEFINITIONS / 'sipas_citizens.yaml'}: groups[0]: "
    )
    done = manage("load_questionnaire", tmp_path / "none.yaml", "--campaign", "par-2023")
    assert done.returncode == 2 and "Traceback" not in done.stderr
