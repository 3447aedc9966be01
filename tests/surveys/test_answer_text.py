"""Free-text answers are stored without direction-override or zero-width characters (display spoofing)."""

import pytest

from surveys.services.answers import clean_answers
from surveys.services.definitions import validate_definition

DEFINITION = validate_definition(
    {
        "code": "text-test",
        "title": "Phiếu thử",
        "groups": ["citizen"],
        "sections": [
            {
                "code": "s1",
                "title": "Phần 1",
                "questions": [{"code": "note", "type": "text", "text": "Ý kiến", "required": False}],
            }
        ],
    }
).definition


@pytest.mark.parametrize("char", ["\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u200b"])
def test_a_text_answer_loses_its_invisible_characters(char):
    answers, errors = clean_answers(DEFINITION, {"note": f"Thủ tục {char}nhanh,\nđúng hẹn{char}"}, final=True)
    assert (answers, errors) == ({"note": "Thủ tục nhanh,\nđúng hẹn"}, {})
