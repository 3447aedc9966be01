"""kit.jsonframe.object_frame gives the frame pandas builds from the parsed objects (null and absent both
blank), whichever way it reads them: pyarrow's reader, or Python's where the reader would change a value."""

import json
import random

import numpy as np
import pandas as pd
import pytest

from kit import jsonframe
from kit.jsonframe import object_frame


def python_frame(objects: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(objects)
    return frame if len(frame) == len(objects) else pd.DataFrame(index=pd.RangeIndex(len(objects)))


def blanks_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def assert_same(objects: list[dict]) -> pd.DataFrame:
    texts = [json.dumps(o, ensure_ascii=False) for o in objects]
    got = object_frame(texts)
    want = python_frame(objects)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(blanks_as_none(got), blanks_as_none(want))
    return got


CASES = {
    "scales with an absent answer": [{"q1": 1, "q2": 5}, {"q1": 3}, {"q2": 0, "q1": 2}],
    "choices as text, multiple choices as lists": [
        {"s": "a", "m": ["a", "c"]},
        {"s": "b", "m": []},
        {"s": None},
    ],
    "whole and decimal numbers": [{"x": 2.0}, {"x": 3}, {"x": 1.5}],
    "booleans with a blank": [{"b": True}, {"b": None}, {}],
    "only booleans": [{"b": True}, {"b": False}],
    "only blanks": [{"n": None}, {"n": None}],
    "Vietnamese text, quotes, line breaks and NUL": [{"t": 'Hà Nội\n"x"'}, {"t": "\u0000 đ"}],
    "numbers as text": [{"x": "1"}, {"x": "2"}],
    "no keys at all": [{}, {}],
    "dates stay text": [{"d": "2026-05-01", "e": "2026-05-01T10:00:00"}, {"d": "2026-05-02", "e": "khác"}],
    "a number in one row, text in the next": [{"x": 1}, {"x": "a"}],
    "nested answers": [{"g": {"a": 1}}, {"g": {"b": 2}}],
    "whole numbers beyond 2**53": [{"i": 2**60 + 1}, {"i": 1.5}],
    "lists of numbers": [{"m": [1, 2]}, {"m": None}],
    "lists of dates": [{"m": ["2026-05-01"]}],
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_frame_is_the_one_pandas_builds_from_the_parsed_objects(name):
    assert_same(CASES[name])


def test_random_answers_match_the_python_path_and_use_the_fast_reader(monkeypatch):
    rng = random.Random(11)
    objects = []
    for n in range(3000):
        answer = {f"q{i}": rng.randint(0, 5) for i in range(10) if rng.random() > 0.1}
        answer |= {"s": rng.choice(["a", "b", "Lựa chọn khác"]), "m": rng.sample("abcd", rng.randint(0, 3))}
        answer |= {"n": round(rng.random() * 100, 2) if n % 3 else rng.randint(18, 80), "t": "Góp ý =1+1"}
        objects.append(answer)
    python = []
    monkeypatch.setattr(jsonframe.pd.DataFrame, "from_records", _counting(python))
    got = object_frame([json.dumps(o, ensure_ascii=False) for o in objects])
    assert python == []  # read by pyarrow
    monkeypatch.undo()
    pd.testing.assert_frame_equal(blanks_as_none(got), blanks_as_none(python_frame(objects)))
    assert got["q0"].dtype == float and got["s"].iloc[0] in ("a", "b", "Lựa chọn khác")


def _counting(calls):
    original = pd.DataFrame.from_records

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    return counted


def test_blank_texts_are_empty_objects_and_the_index_labels_the_rows():
    frame = object_frame(['{"a": 1}', None, ""], index=[7, 8, 9])
    assert list(frame.index) == [7, 8, 9]
    assert frame["a"].tolist()[0] == 1 and np.isnan(frame["a"].tolist()[1])


def test_line_breaks_between_a_texts_tokens_do_not_split_it():
    texts = ['{\n"a": 1,\r\n "b": "x\\ny"}', '{"a": 2}']
    frame = object_frame(texts)
    assert frame["a"].tolist() == [1, 2] and frame["b"].tolist()[0] == "x\ny"


def test_an_empty_list_of_texts_is_an_empty_frame():
    assert object_frame([]).shape == (0, 0)
