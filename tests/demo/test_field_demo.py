"""The demo field work: Bưu điện teams, enumerators who can log in, plausible SIPAS answers, idempotent."""

import random

from django.contrib.auth import authenticate

from demo.services.field import seed_field_demo
from fieldwork.models import Assignment, FieldRecord
from surveys.models import Response


def test_the_field_demo_creates_teams_and_valid_plausible_responses_once(province, units):
    result = seed_field_demo(province=province, year=2024, rng=random.Random(1), target=120)
    assert result["responses"] == 120
    assert authenticate(username="bd-team1-a", password="demo-par-2026") is not None
    assert {a.area.code for a in Assignment.objects.all()} == {"BATXAT", "SAPA"}
    records = FieldRecord.objects.select_related("response")
    assert {r.response.status for r in records} == {"submitted"}
    assert all(r.response.questionnaire.code == "sipas-citizens" for r in records)
    scores = [
        v
        for r in records
        for k, v in r.response.answers.items()
        if k.startswith(("access.", "staff.", "result.", "overall.")) and v != 0
    ]
    satisfied = sum(v >= 4 for v in scores) / len(scores)
    assert 0.75 < satisfied < 0.95
    assert seed_field_demo(province=province, year=2024, rng=random.Random(1), target=120)["responses"] == 0
    assert Response.objects.count() == 120
