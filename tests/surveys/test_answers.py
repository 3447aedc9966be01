"""Checking answers against a definition: what is kept, what is refused (by question code), what is dropped.

Error messages are translated, so only the codes that carry an error are checked.
"""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.services.answers import clean_answers, is_visible
from surveys.services.definitions import validate_definition

DEFINITION = validate_definition(
    {
        "code": "answers-test",
        "title": "Phiếu thử",
        "groups": ["citizen"],
        "scales": {
            "sat5": [
                *({"value": v, "label": f"Mức {v}"} for v in range(1, 6)),
                {"value": 0, "label": "Không biết", "missing": True},
            ]
        },
        "sections": [
            {
                "code": "s1",
                "title": "Phần 1",
                "questions": [
                    {
                        "code": "channel",
                        "type": "single",
                        "text": "Kênh",
                        "options": [
                            {"value": "office", "label": "Trực tiếp"},
                            {"value": "online", "label": "Trực tuyến"},
                        ],
                    },
                    {
                        "code": "portal",
                        "type": "scale",
                        "scale": "sat5",
                        "text": "Cổng",
                        "show_if": {"question": "channel", "equals": "online"},
                    },
                    {
                        "code": "portal_note",
                        "type": "text",
                        "text": "Vì sao?",
                        "required": False,
                        "show_if": {"question": "portal", "in": [1, 2]},
                    },
                    {"code": "rating", "type": "scale", "scale": "sat5", "text": "Đánh giá"},
                    {
                        "code": "wants",
                        "type": "multiple",
                        "text": "Mong muốn",
                        "required": False,
                        "options": [
                            {"value": "a", "label": "A"},
                            {"value": "b", "label": "B"},
                            {"value": "c", "label": "C"},
                        ],
                    },
                    {
                        "code": "wants_more",
                        "type": "text",
                        "text": "Thêm",
                        "required": False,
                        "show_if": {"question": "wants", "in": ["c"]},
                    },
                    {"code": "years", "type": "number", "text": "Số năm", "min": 0, "max": 40},
                    {"code": "count", "type": "number", "text": "Số lần", "required": False},
                    {
                        "code": "band",
                        "type": "single",
                        "text": "Nhóm",
                        "required": False,
                        "options": [
                            {"value": "1", "label": "Một"},
                            {"value": "2", "label": "Hai"},
                        ],
                    },
                    {"code": "note", "type": "text", "text": "Ý kiến", "max_length": 10, "required": False},
                ],
            }
        ],
    }
).definition

COMPLETE = {"channel": "office", "rating": 4, "years": 3}


def clean(raw, final=False):
    return clean_answers(DEFINITION, raw, final=final)


def test_a_complete_submission_is_kept_as_given():
    assert clean(COMPLETE, final=True) == (COMPLETE, {})


VALUES = [
    # (question, raw value, value kept, or None when refused)
    ("rating", 4, 4),
    ("rating", "4", 4),  # form posts carry text
    ("rating", " 4 ", 4),
    ("rating", 4.0, 4),
    ("rating", 0, 0),  # the "don't know" option is an answer
    ("rating", 6, None),
    ("rating", "-1", None),
    ("rating", "bốn", None),
    ("rating", 4.5, None),
    ("rating", True, None),  # JSON true is not option 1
    ("rating", [4], None),
    ("rating", {"value": 4}, None),
    ("rating", "²", None),
    ("channel", "online", "online"),
    ("channel", "Online", None),
    ("channel", 1, None),
    ("band", 2, "2"),  # text options: the number 2 means "2"
    ("band", "2", "2"),
    ("band", 3, None),
    ("wants", ["c", "a"], ["a", "c"]),  # in the order of the options
    ("wants", ["b", "b", "a"], ["a", "b"]),
    ("wants", "b", ["b"]),
    ("wants", ["a", "z"], None),
    ("wants", ["a", ["b"]], None),
    ("years", 3, 3),
    ("years", "3", 3),
    ("years", "1,5", 1.5),  # decimal comma, as Vietnamese write it
    ("years", "1.5", 1.5),
    ("years", 2.0, 2),
    ("years", " 0 ", 0),
    ("years", 40, 40),
    ("years", 40.5, None),
    ("years", -1, None),
    ("years", "abc", None),
    ("years", "1.000,5", None),
    ("years", True, None),
    ("years", [3], None),
    ("count", "nan", None),
    ("count", float("nan"), None),
    ("count", "inf", None),
    ("count", "-Infinity", None),
    ("count", "1e400", None),
    ("count", 1e6, 1000000),
    ("count", "-2,25", -2.25),
    ("note", "  gọn  ", "gọn"),
    ("note", "x" * 10, "x" * 10),
    ("note", "x" * 11, None),
    ("note", 12345, "12345"),
    ("note", {"text": "a"}, None),
    ("note", ["a"], None),
]


@pytest.mark.parametrize(("code", "raw", "kept"), VALUES, ids=[f"{c}={r!r}" for c, r, _ in VALUES])
def test_each_answer_is_kept_normalised_or_refused(code, raw, kept):
    answers, errors = clean({code: raw})
    if kept is None:
        assert code not in answers and list(errors) == [code]
    else:
        assert answers == {code: kept} and errors == {}
        assert type(answers[code]) is type(kept)


def test_text_is_stored_in_nfc_and_measured_in_nfc_characters():
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt")  # 10 characters in NFC, 14 in NFD
    assert len(decomposed) > 10
    answers, errors = clean({"note": decomposed})
    assert errors == {} and answers["note"] == "Tiếng Việt"


@pytest.mark.parametrize("empty", [None, "", [], "missing"])
def test_a_missing_required_answer_is_an_error_only_in_a_final_submission(empty):
    raw = dict(COMPLETE)
    if empty == "missing":
        raw.pop("rating")
    else:
        raw["rating"] = empty
    assert clean(raw, final=False) == ({"channel": "office", "years": 3}, {})
    answers, errors = clean(raw, final=True)
    assert list(errors) == ["rating"] and "rating" not in answers


def test_optional_questions_may_stay_empty_in_a_final_submission():
    answers, errors = clean({**COMPLETE, "note": "", "wants": [], "count": None}, final=True)
    assert (answers, errors) == (COMPLETE, {})


def test_a_hidden_required_question_is_not_required():
    # "portal" is required but only shown to those who applied online.
    assert clean(COMPLETE, final=True)[1] == {}
    answers, errors = clean({**COMPLETE, "channel": "online"}, final=True)
    assert list(errors) == ["portal"] and answers == {**COMPLETE, "channel": "online"}


def test_answers_to_hidden_questions_are_dropped_even_when_valid():
    answers, errors = clean({**COMPLETE, "portal": 1, "portal_note": "chậm"}, final=True)
    assert (answers, errors) == (COMPLETE, {})


def test_a_skip_rule_follows_the_chain_of_questions():
    shown = {**COMPLETE, "channel": "online", "portal": 2, "portal_note": "chậm"}
    assert clean(shown, final=True) == (shown, {})
    # A satisfied answer to the portal hides the "why" question; office hides both.
    assert "portal_note" not in clean({**shown, "portal": 5}, final=True)[0]
    assert clean({**shown, "channel": "office"}, final=True) == (COMPLETE, {})


def test_an_invalid_answer_does_not_open_the_questions_that_depend_on_it():
    answers, errors = clean({**COMPLETE, "channel": "online", "portal": 9, "portal_note": "x"})
    assert list(errors) == ["portal"] and "portal_note" not in answers


def test_a_skip_rule_on_a_multiple_choice_question_looks_inside_the_list():
    assert clean({"wants": ["a", "c"], "wants_more": "thêm"})[0] == {
        "wants": ["a", "c"],
        "wants_more": "thêm",
    }
    assert clean({"wants": ["a"], "wants_more": "thêm"})[0] == {"wants": ["a"]}


def test_unknown_question_codes_are_dropped_silently():
    assert clean({**COMPLETE, "hacker": "x", "rating ": 1, "__proto__": {}}, final=True) == (COMPLETE, {})


@pytest.mark.parametrize("raw", [["rating", 4], "rating=4", None, 4])
def test_answers_that_are_not_an_object_are_refused_as_a_whole(raw):
    answers, errors = clean(raw, final=True)
    assert answers == {} and list(errors) == [""]


def test_every_invalid_answer_is_reported_and_the_valid_ones_kept():
    answers, errors = clean({"channel": "fax", "rating": 3, "years": "many", "note": "x" * 11}, final=True)
    assert answers == {"rating": 3}
    assert set(errors) == {"channel", "years", "note"}


@pytest.mark.parametrize(
    ("condition", "answers", "visible"),
    [
        (None, {}, True),
        ({"question": "channel", "equals": "online"}, {"channel": "online"}, True),
        ({"question": "channel", "equals": "online"}, {"channel": "office"}, False),
        ({"question": "channel", "equals": "online"}, {}, False),
        ({"question": "portal", "in": [1, 2]}, {"portal": 2}, True),
        ({"question": "portal", "in": [1, 2]}, {"portal": 3}, False),
        ({"question": "wants", "equals": "b"}, {"wants": ["a", "b"]}, True),
        ({"question": "wants", "in": ["c"]}, {"wants": ["a", "b"]}, False),
    ],
)
def test_is_visible(condition, answers, visible):
    question = {"code": "x", "show_if": condition} if condition else {"code": "x"}
    assert is_visible(question, answers) is visible


@settings(max_examples=400, deadline=None)
@given(
    options=st.lists(
        st.one_of(st.integers(-3, 12), st.sampled_from(["a", "b", "1", "03", "có"])), min_size=1
    ),
    value=st.one_of(
        st.integers(-3, 12),
        st.booleans(),
        st.floats(-3, 12, allow_nan=False),
        st.sampled_from(["a", "1", " 1", "03", "3", "x", "có", ""]),
        st.lists(st.integers(0, 3), max_size=2),
    ),
    kind=st.sampled_from(["single", "scale"]),
)
def test_a_choice_given_as_an_option_is_kept_as_the_option_matching_it_in_a_set(options, value, kind):
    """_clean_value's shortcut for an int or str among the options gives what the set-based coercion
    gives (the value itself, of its own type), and everything else still goes through that coercion."""
    from surveys.services.answers import _clean_value, _coerce_choice

    question = {"code": "q", "type": kind, "options": [{"value": v, "label": str(v)} for v in options]}
    allowed = {option["value"] for option in question["options"]}
    coerced = _coerce_choice(value, allowed)
    expected = (coerced, None) if coerced in allowed else (None, "Choose one of the options.")
    got = _clean_value(question, value)
    assert (got[0], type(got[0]), got[1] is None) == (expected[0], type(expected[0]), expected[1] is None)
