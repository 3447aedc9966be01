"""The submission endpoints' fast parser agrees with SubmissionSerializer: whenever it accepts a body it
gives exactly the Submission the serializer would; anything else is left to the serializer."""

import datetime
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldwork.api.serializers import SubmissionSerializer, parse_submission

VALID = {
    "client_uuid": "6f1c2b9e-3d4a-4c55-9a51-0b6a4c1e2f10",
    "assignment": 3,
    "questionnaire": 7,
    "mode": "paper",
    "area": 12,
    "form_number": " BD-00042 ",
    "interviewed_at": "2026-11-20T09:30:00+07:00",
    "duration_seconds": 840,
    "respondent_phone": "0912 345 678",
    "answers": {"q1": "no", "q3": 12, "q4": [1, 2]},
}

ODD_VALUES = {
    "client_uuid": [
        str(uuid.UUID(int=5)),
        "6F1C2B9E3D4A4C559A510B6A4C1E2F10",
        "{6f1c2b9e-3d4a-4c55-9a51-0b6a4c1e2f10}",
        "urn:uuid:6f1c2b9e-3d4a-4c55-9a51-0b6a4c1e2f10",
        "not-a-uuid",
        12,
        None,
    ],
    "assignment": [1, 2**62, 2**62 + 1, 0, -3, "3", 3.0, True, None, [3]],
    "questionnaire": [1, "7", 0, False, None],
    "mode": ["paper", "tablet", "phone", "web", "PAPER", "fax", 1, None, ["paper"], ""],
    "area": [None, 1, "12", 0, True],
    "form_number": [
        "",
        "  ",
        "x" * 40,
        "x" * 41,
        " " + "x" * 40 + " ",
        "a\x00b",
        42,
        4.5,
        True,
        None,
        "Số 1",
    ],
    "interviewed_at": [
        "2026-11-20T09:30:00Z",
        "2026-11-20T09:30:00",
        "2026-11-20",
        "1999-12-31T23:59:59+00:00",
        "2100-01-01T00:00:01+00:00",
        "20/11/2026 09:30",
        20261120,
        None,
    ],
    "duration_seconds": [None, 0, 7 * 24 * 3600, 7 * 24 * 3600 + 1, -1, "60", True, 1.5],
    "respondent_phone": ["", "+84 912 345 678", " 0912345678 ", "9" * 41, None, 912345678],
    "answers": [{}, {"q1": None}, {"q1": ""}, [], "text", None, {"q1": {"a": 1}}],
}


def _serializer_result(data):
    serializer = SubmissionSerializer(data=data)
    return serializer.submission() if serializer.is_valid() else None


def test_a_well_formed_body_is_parsed_as_the_serializer_parses_it():
    fast = parse_submission(VALID)
    assert fast is not None
    assert fast == _serializer_result(VALID)
    assert fast.form_number == "BD-00042"
    assert fast.interviewed_at == datetime.datetime(2026, 11, 20, 2, 30, tzinfo=datetime.UTC)


def test_missing_optional_fields_take_the_serializers_defaults():
    data = {k: v for k, v in VALID.items() if k not in ("area", "form_number", "duration_seconds")}
    data.pop("respondent_phone")
    fast = parse_submission(data)
    assert fast is not None
    assert fast == _serializer_result(data)


@settings(max_examples=400, deadline=None)
@given(st.fixed_dictionaries({name: st.sampled_from(values) for name, values in ODD_VALUES.items()}))
def test_the_fast_parser_never_accepts_what_the_serializer_would_refuse_or_read_differently(changes):
    data = {**VALID, **changes}
    fast = parse_submission(data)
    if fast is not None:
        assert fast == _serializer_result(data)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(VALID)))
def test_a_body_without_a_required_field_is_left_to_the_serializer(name):
    data = {k: v for k, v in VALID.items() if k != name}
    if name in ("client_uuid", "assignment", "questionnaire", "mode", "interviewed_at", "answers"):
        assert parse_submission(data) is None
        assert _serializer_result(data) is None
    else:
        assert parse_submission(data) == _serializer_result(data)


def test_a_body_that_is_not_an_object_is_left_to_the_serializer():
    assert parse_submission([VALID]) is None
    assert parse_submission("x") is None
