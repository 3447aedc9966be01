"""XLSForm workbooks: the shapes met in the wild load into our definition, anything we do not support is
refused naming its sheet, row and column, and upload → download → upload changes nothing (YAML
questionnaires too)."""

from pathlib import Path

import pytest
from django.utils import translation

from respondents.models import RespondentGroup
from surveys.services.answers import clean_answers, is_visible
from surveys.services.definitions import parse_definition_file, questions, validate_definition
from surveys.services.questionnaires import load_questionnaire, read_questionnaire_file
from surveys.services.xlsform import read_xlsform, write_xlsform
from tests.surveys import xlsforms


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):  # the messages are checked in their source language
        yield


SHIPPED = sorted((Path(__file__).parents[2] / "surveys" / "definitions").glob("*.yaml"))


def definition_of(path: Path, **kwargs) -> dict:
    parsed, _warnings = read_questionnaire_file(path, **kwargs)
    assert parsed.errors == []
    return parsed.definition


def by_code(definition: dict) -> dict:
    return {q["code"]: q for q in questions(definition)}


def test_a_hand_made_form_keeps_groups_grid_languages_conditions_and_constraints(tmp_path):
    definition = definition_of(xlsforms.hand_made(tmp_path / "phieu.xlsx"))
    assert definition["code"] == "phieu-thu"
    assert definition["groups"] == ["citizen", "organisation"]
    assert definition["languages"] == ["vi", "en"]
    about, elements, loose = definition["sections"]
    assert (about["code"], about["title"], about["intro"]) == (
        "about",
        "Thông tin chung",
        "Phần này hỏi về bạn",
    )
    assert about["i18n"] == {"en": {"title": "About you"}}
    assert about["groups"] == [
        {"code": "contact", "title": "Liên hệ", "relevant": "selected(${channels}, 'online')",
         "i18n": {"en": {"title": "Contact"}}}
    ]  # fmt: skip
    assert elements["appearance"] == "field-list" and elements["relevant"] == "${used} = 'yes'"
    assert loose["ungrouped"] is True and [q["code"] for q in loose["questions"]] == ["visit", "bye"]
    q = by_code(definition)
    assert q["used"]["type"] == "single" and q["used"]["list"] == "yn"
    assert q["used"]["i18n"] == {"en": {"text": "Have you used the service?"}}
    assert q["used"]["options"][0] == {"value": "yes", "label": "Có", "i18n": {"en": {"label": "Yes"}}}
    assert q["age"] == {
        "code": "age", "type": "number", "text": "Tuổi của bạn", "required": True, "integer": True,
        "constraint": ". >= 18 and . <= 99", "constraint_message": "Tuổi từ 18 đến 99", "help": "Số năm tròn",
        "i18n": {"en": {"text": "Your age", "constraint_message": "Age from 18 to 99"}},
    }  # fmt: skip
    assert q["channels"]["relevant"] == "${used} = 'yes' and (${age} >= 30 or ${age} < 20)"
    assert q["channels"]["options"][-1]["other"] is True
    assert q["channels_other"]["other_of"] == "channels"
    assert q["portal"]["group"] == "contact"
    assert q["portal"]["within"] == ["selected(${channels}, 'online')"]
    assert (
        q["access"]["type"] == "scale"
        and q["access"]["scale"] == "sat"
        and q["access"]["feeds"] == "sipas.access"
    )
    assert q["access"]["within"] == ["${used} = 'yes'"]
    assert definition["scales"]["sat"][-1] == {
        "value": 0, "label": "Không biết", "missing": True, "i18n": {"en": {"label": "Don't know"}}
    }  # fmt: skip
    assert q["visit"]["type"] == "date" and q["bye"]["type"] == "note" and q["bye"]["required"] is False


def test_the_hand_made_forms_rules_decide_what_shows_and_what_is_kept(tmp_path):
    definition = definition_of(xlsforms.hand_made(tmp_path / "phieu.xlsx"))
    q = by_code(definition)
    assert not is_visible(q["channels"], {"used": "yes", "age": 25})
    assert is_visible(q["channels"], {"used": "yes", "age": 19})
    assert is_visible(q["channels"], {"used": "yes", "age": 45})
    assert not is_visible(q["portal"], {"channels": ["office"]})
    assert is_visible(q["portal"], {"channels": ["office", "online"]})
    assert not is_visible(q["staff"], {"used": "yes", "channels": ["post"]})
    answers = {
        "used": "yes",
        "age": "17",
        "channels": ["online", "other"],
        "channels_other": "Zalo",
        "visit": "31/3/2025",
    }
    cleaned, errors = clean_answers(definition, answers, final=False)
    assert errors == {"age": "Age from 18 to 99"}  # the constraint message in the page's language
    with translation.override("vi"):
        assert clean_answers(definition, answers, final=False)[1] == {"age": "Tuổi từ 18 đến 99"}
    assert cleaned == {"used": "yes", "visit": "2025-03-31"}  # age refused: channels hidden, and its "other"
    cleaned, errors = clean_answers(definition, {**answers, "age": "19.5"}, final=False)
    assert "age" in errors  # an integer question takes whole numbers only
    cleaned, errors = clean_answers(definition, {**answers, "age": "19"}, final=False)
    assert cleaned["channels"] == ["online", "other"] and cleaned["channels_other"] == "Zalo"


def test_kobos_export_loads_and_says_what_it_ignored(tmp_path):
    parsed, warnings = read_questionnaire_file(
        xlsforms.kobo_export(tmp_path / "kobo.xlsx"), group_codes=["citizen"]
    )
    assert parsed.errors == []
    definition = parsed.definition
    assert definition["code"] == "axc9kobo" and definition["groups"] == ["citizen"]
    assert [q["code"] for q in questions(definition)] == ["Q1_gender", "Q2_age", "Q3_services", "Q4_comment"]
    assert by_code(definition)["Q3_services"]["type"] == "multiple"
    assert by_code(definition)["Q3_services"]["relevant"] == "${Q2_age} >= 18"
    assert (
        "sheet “survey”, row 2, column A (type): “start” is collected by ODK itself; ignored here" in warnings
    )
    assert any("column H ($kuid)" in w for w in warnings)
    assert any("column B (version)" in w for w in warnings)


def survey_with(row: list, header: list | None = None) -> list[list]:
    header = header or ["type", "name", "label", "required", "relevant", "constraint", "appearance"]
    return [header, ["select_one yn", "q1", "Có không?", "yes", "", "", ""], row]


YN = [["list_name", "name", "label"], ["yn", "yes", "Có"], ["yn", "no", "Không"]]


@pytest.mark.parametrize(
    ("survey", "expected"),
    [
        (
            survey_with(["geopoint", "where", "Ở đâu?", "", "", "", ""]),
            "sheet “survey”, row 3, column A (type): type “geopoint” is not supported",
        ),
        (
            survey_with(["begin_repeat", "kids", "Con", "", "", "", ""]),
            "sheet “survey”, row 3, column A (type): type “begin_repeat” is not supported",
        ),
        (
            survey_with(["calculate", "sum", "", "", "", "", ""]),
            "sheet “survey”, row 3, column A (type): type “calculate” is not supported",
        ),
        (
            survey_with(["text", "q2", "Ý kiến", "", "", "", "multiline"]),
            "sheet “survey”, row 3, column G (appearance): appearance “multiline” is not supported",
        ),
        (
            survey_with(["text", "q2", "Ý kiến", "${q1} = 'yes'", "", "", ""]),
            "sheet “survey”, row 3, column D (required): required: write yes or no (not an expression)",
        ),
        (
            survey_with(["text", "q2", "Ý kiến", "", "regex(., '[0-9]+')", "", ""]),
            "sheet “survey”, row 3, column E (relevant): unsupported function regex() (at character 1)",
        ),
        (
            survey_with(["text", "q2", "Ý kiến", "", "${q9} = 1", "", ""]),
            "sheet “survey”, row 3, column E (relevant): ${q9} is not a question of this form",
        ),
        (
            [
                *survey_with(
                    ["integer", "q2", "Số", "", "", ". > ${q2} and ${q1} = 'yes' and ${q3} = 1", ""]
                ),
                ["integer", "q3", "Số", "", "", "", ""],
            ],
            "sheet “survey”, row 3, column F (constraint): ${q3} is not an earlier question",
        ),
        (
            survey_with(["integer", "q2", "Số", "", "${q2} > 1", "", ""]),
            "sheet “survey”, row 3, column E (relevant): ${q2} is not an earlier question",
        ),
        (
            survey_with(["select_one nolist", "q2", "Chọn", "", "", "", ""]),
            "sheet “survey”, row 3, column A (type): list “nolist” is not in the choices sheet",
        ),
        (
            survey_with(["select_multiple yn", "q2", "Chọn", "", "", "", "likert"]),
            "sheet “survey”, row 3, column G (appearance): appearance “likert” is not supported",
        ),
        (
            [
                *survey_with(
                    ["text", "q2", "Ý", "", "", "", ""],
                    ["type", "name", "label", "required", "relevant", "constraint", "calculation"],
                )[:2],
                ["text", "q2", "Ý", "", "", "", "1 + 1"],
            ],
            "sheet “survey”, row 3, column G (calculation): column “calculation” is not supported",
        ),
        (
            survey_with(["begin_group", "g", "Nhóm", "", "", "", ""]),
            "sheet “survey”, row 3: Unmatched 'begin_group'. No matching 'end_group' was found for the name",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_what_we_do_not_support_is_refused_at_its_cell(tmp_path, survey, expected):
    path = xlsforms.workbook(tmp_path / "form.xlsx", survey, YN, [["form_id", "groups"], ["f", "citizen"]])
    parsed, _warnings = read_questionnaire_file(path)
    assert parsed.definition is None
    assert any(error.startswith(f"form.xlsx: {expected}") for error in parsed.errors), parsed.errors


def test_groups_deeper_than_two_levels_and_unknown_languages_are_refused(tmp_path):
    survey = [
        ["type", "name", "label", "label::Français"],
        ["begin_group", "a", "A", "A"], ["begin_group", "b", "B", "B"], ["begin_group", "c", "C", "C"],
        ["text", "t", "T", "T"], ["end_group"], ["end_group"], ["end_group"],
    ]  # fmt: skip
    parsed, _warnings = read_questionnaire_file(xlsforms.workbook(tmp_path / "deep.xlsx", survey))
    assert (
        "deep.xlsx: sheet “survey”, row 4, column A (type): groups nested more than two levels deep"
        in parsed.errors
    )
    assert any("row 1, column D (label::Français): unknown language “Français”" in e for e in parsed.errors)


def test_a_choice_list_with_a_name_twice_is_refused_at_the_second(tmp_path):
    choices = [*YN, ["yn", "yes", "Có nữa"]]
    path = xlsforms.workbook(
        tmp_path / "f.xlsx", survey_with(["note", "n", "Ghi chú", "", "", "", ""]), choices
    )
    parsed, _warnings = read_questionnaire_file(path, group_codes=["citizen"])
    assert "f.xlsx: sheet “choices”, row 4, column B (name): “yes” is twice in list “yn”" in parsed.errors


def test_a_file_that_is_not_a_workbook_is_refused_by_name(tmp_path):
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    parsed, _warnings = read_questionnaire_file(path)
    assert parsed.errors == ["form.xlsx: the file is damaged (not a valid zip container)"]


@pytest.mark.parametrize("shape", ["hand_made", "kobo_export"])
def test_writing_a_read_form_and_reading_it_again_gives_the_same_definition(tmp_path, shape):
    first = definition_of(getattr(xlsforms, shape)(tmp_path / "in.xlsx"), group_codes=["citizen"])
    (tmp_path / "out.xlsx").write_bytes(write_xlsform(first))
    assert definition_of(tmp_path / "out.xlsx") == first


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_shipped_yaml_questionnaires_survive_xlsform_unchanged(tmp_path, path):
    original = parse_definition_file(path).definition
    (tmp_path / "out.xlsx").write_bytes(write_xlsform(original))
    form = read_xlsform(tmp_path / "out.xlsx", file_name="out.xlsx")
    assert form.problems == [] and form.warnings == []
    assert validate_definition(form.document).definition == original


@pytest.mark.django_db
def test_upload_download_upload_is_unchanged_in_a_campaign(tmp_path, campaign):
    campaign.groups.add(*RespondentGroup.objects.filter(code__in=["citizen", "organisation"]))
    first = load_questionnaire(campaign=campaign, path=xlsforms.hand_made(tmp_path / "phieu.xlsx"))
    assert first.status == "created", first.errors
    (tmp_path / "phieu-download.xlsx").write_bytes(write_xlsform(first.questionnaire.definition))
    again = load_questionnaire(campaign=campaign, path=tmp_path / "phieu-download.xlsx")
    assert again.status == "unchanged"
    assert again.questionnaire.pk == first.questionnaire.pk
