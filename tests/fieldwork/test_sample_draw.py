"""The sample draw: probabilities against hand computations, the draw reproduced by its seed, reserves in
order, the design frame's weights equal 1/π by hand, and a sample in the field never drawn again."""

import math

import numpy as np
import pytest

from audit.models import AuditEvent
from fieldwork import draws
from fieldwork.models import Assignment, DrawnUnit, FieldRecord, SampleDesign, SamplingFrameEntry
from fieldwork.selectors import design_frame
from fieldwork.services.design import DrawSettings, draw_sample
from respondents.models import Unit
from tests.factories import UnitFactory
from tests.fieldwork.conftest import api_client, payload

# --- pure: hand-computed probabilities ------------------------------------------------------------------


def test_pps_probabilities_match_a_hand_computation_with_certainty_units():
    # n = 3 of sizes 100, 50, 30, 20, 400 (M = 600): 3·400/600 = 2 ≥ 1, certain; then n = 2 of M = 200:
    # 2·100/200 = 1, certain; then n = 1 of M = 100: 0.5, 0.3, 0.2.
    probability, certain = draws.pps_probabilities([100, 50, 30, 20, 400], 3)
    assert probability.tolist() == pytest.approx([1.0, 0.5, 0.3, 0.2, 1.0])
    assert certain.tolist() == [True, False, False, False, True]


def test_pps_without_certainty_is_n_times_the_share_of_size():
    probability, certain = draws.pps_probabilities([120, 80, 200, 100], 2)  # M = 500
    assert probability.tolist() == pytest.approx([0.48, 0.32, 0.8, 0.4])
    assert not certain.any()
    assert probability.sum() == pytest.approx(2)


def test_pps_and_srs_probabilities_agree_with_samplics():
    """An independent implementation (samplics' SampleSelection) gives the same π by stratum."""
    from samplics.sampling import SampleSelection
    from samplics.utils.types import SelectMethod

    sizes = np.array([120, 80, 200, 100, 30, 70, 55])
    strata = np.array(["a"] * 4 + ["b"] * 3)
    theirs = SampleSelection(method=SelectMethod.pps_sys, strat=True, wr=False).inclusion_probs(
        np.arange(7), {"a": 2, "b": 1}, stratum=strata, mos=sizes
    )
    ours = np.concatenate(
        [draws.pps_probabilities(sizes[:4], 2)[0], draws.pps_probabilities(sizes[4:], 1)[0]]
    )
    assert ours.tolist() == pytest.approx(theirs.tolist())
    srs_theirs = SampleSelection(method=SelectMethod.srs_wor, strat=True, wr=False).inclusion_probs(
        np.arange(12), {"s": 5}, stratum=np.array(["s"] * 12)
    )
    assert draws.srs(12, 5, np.random.default_rng(0)).probability.tolist() == pytest.approx(
        srs_theirs.tolist()
    )


def test_pps_systematic_draws_n_distinct_units_and_its_frequencies_approach_pi():
    sizes = [120, 80, 200, 100]
    rng = np.random.default_rng(2024)
    hits = np.zeros(4)
    for _ in range(8_000):
        drawn = draws.pps_systematic(sizes, 2, rng)
        assert len(drawn.selected) == 2
        hits[drawn.selected] += 1
    assert (hits / 8_000).tolist() == pytest.approx([0.48, 0.32, 0.8, 0.4], abs=0.02)


def test_srs_draws_main_units_then_reserves_in_order_and_pi_is_n_over_n():
    drawn = draws.srs(10, 3, np.random.default_rng(1), reserves=2)
    assert len(drawn.selected) == 3 and len(drawn.reserves) == 2
    assert not set(drawn.selected) & set(drawn.reserves)
    assert drawn.probability.tolist() == [0.3] * 10
    again = draws.srs(10, 3, np.random.default_rng(1), reserves=2)
    assert (
        again.selected.tolist() == drawn.selected.tolist()
        and again.reserves.tolist() == drawn.reserves.tolist()
    )


def test_allocation_is_proportional_with_at_least_one_per_stratum():
    assert draws.allocate([500, 300, 200], 6, [5, 5, 5]) == [3, 2, 1]
    assert draws.allocate([900, 50, 50], 6, [10, 1, 10]) == [4, 1, 1]
    assert draws.allocate([10, 10], 6, [2, 3]) == [2, 3]  # never more than a stratum has


def test_probabilities_of_a_paper_draw_are_found_from_the_drawn_units_alone():
    # The paper drew 2 of a stratum of size 1000, among them a unit of 600 (2·600/1000 ≥ 1: certain):
    # the other one's π is 1·150/(1000 − 600) = 0.375.
    probability, certain = draws.conditional_certainty([600, 150], 2, 1000.0)
    assert probability.tolist() == pytest.approx([1.0, 0.375])
    assert certain.tolist() == [True, False]


# --- the draw from a frame --------------------------------------------------------------------------------


@pytest.fixture
def frame(sipas, units, field):
    """Five communes of Bát Xát with villages and households: sizes 40, 20, 20, 10, 10 (M = 100)."""
    layout = {"XA-A": [10, 30], "XA-B": [20], "XA-C": [12, 8], "XA-D": [10], "XA-E": [4, 6]}
    communes = {}
    for code, villages in layout.items():
        commune = UnitFactory(
            province=sipas.province,
            code=code,
            name=f"Xã {code[-1]}",
            kind=Unit.Kind.COMMUNE,
            parent=units["BATXAT"],
        )
        communes[code] = commune
        for v, households in enumerate(villages, start=1):
            SamplingFrameEntry.objects.bulk_create(
                SamplingFrameEntry(
                    campaign=sipas,
                    area=commune,
                    name=f"Hộ {code} {v}-{h}",
                    village=f"Thôn {v}",
                    address=f"Thôn {v}",
                )
                for h in range(households)
            )
    return communes


SETTINGS = DrawSettings(psu_count=2, ssu_per_psu=1, units_per_ssu=3, reserves_per_ssu=2, seed=20241122)


def drawn(design) -> list[tuple]:
    return list(
        DrawnUnit.objects.filter(design=design)
        .order_by("stage", "code", "reserve_order")
        .values_list("stage", "code", "reserve", "reserve_order", "probability")
    )


def test_the_draw_stores_hand_computable_probabilities_and_reproduces_with_its_seed(sipas, frame, field):
    report = draw_sample(campaign=sipas, user=None, settings=SETTINGS)
    assert report.ok, report.errors
    design = report.design
    assert (report.psus, report.ssus, report.units, report.reserves) == (2, 2, 6, 4)
    # Stage 1: π = 2·M_i/100, for the communes drawn.
    sizes = {"XA-A": 40, "XA-B": 20, "XA-C": 20, "XA-D": 10, "XA-E": 10}
    for psu in DrawnUnit.objects.filter(design=design, stage=1):
        assert psu.probability == pytest.approx(2 * sizes[psu.code] / 100)
        assert psu.size == sizes[psu.code]
        # Stage 2: one village by PPS, π = M_j / M_i; stage 3: 3 of the village's households, π = 3 / N.
        (ssu,) = psu.children.all()
        assert ssu.probability == pytest.approx(ssu.size / psu.size)
        finals = list(ssu.children.all())
        assert [u.probability for u in finals] == pytest.approx([3 / ssu.size] * 5)
        assert sorted(u.reserve_order for u in finals if u.reserve) == [1, 2]
        # Households go to the work list of the assignment of Bát Xát (the commune's district).
        assert {u.assignment_id for u in finals} == {field["assignments"]["a"].pk}
    first = drawn(design)
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.FIELD_SAMPLE_DRAWN).get().detail["seed"]
        == 20241122
    )

    again = draw_sample(campaign=sipas, user=None, settings=SETTINGS)  # nothing in the field yet: allowed
    assert drawn(again.design) == first
    other = draw_sample(campaign=sipas, user=None, settings=DrawSettings(**{**SETTINGS.__dict__, "seed": 7}))
    assert drawn(other.design) != first


def test_the_design_weight_of_an_interview_is_one_over_the_product_of_its_probabilities(sipas, frame, field):
    design = draw_sample(campaign=sipas, user=None, settings=SETTINGS).design
    unit = (
        DrawnUnit.objects.filter(design=design, stage=3, reserve=False)
        .select_related("parent__parent")
        .first()
    )
    body = payload(field["assignments"]["a"], drawn_unit=unit.pk)
    answer = api_client(field["users"]["a"]).post("/api/v1/field/responses/", body, format="json")
    assert answer.status_code == 201, answer.json()
    record = FieldRecord.objects.get(response_id=answer.json()["id"])
    assert record.drawn_unit == unit
    record.review_state = "approved"
    record.save()
    frame_ = design_frame(campaign=sipas)
    row = frame_.set_index("response_id").loc[answer.json()["id"]]
    ssu, psu = unit.parent, unit.parent.parent
    by_hand = 1 / ((2 * psu.size / 100) * (ssu.size / psu.size) * (3 / ssu.size))
    assert row["design_weight"] == pytest.approx(by_hand)
    assert (row["stratum"], row["psu"], row["ssu"]) == ("all", psu.code, f"{psu.code}/{ssu.code}")
    # The same household cannot be interviewed twice; a reserve not released is refused.
    twice = api_client(field["users"]["a"]).post(
        "/api/v1/field/responses/", payload(field["assignments"]["a"], drawn_unit=unit.pk), format="json"
    )
    assert twice.status_code == 400 and "drawn_unit" in twice.json()["errors"]
    reserve = DrawnUnit.objects.filter(parent=ssu, reserve=True).first()
    held = api_client(field["users"]["a"]).post(
        "/api/v1/field/responses/", payload(field["assignments"]["a"], drawn_unit=reserve.pk), format="json"
    )
    assert held.status_code == 400 and "drawn_unit" in held.json()["errors"]
    # Another enumerator's work list is not this one's.
    other = api_client(field["users"]["c"]).post(
        "/api/v1/field/responses/",
        payload(
            field["assignments"]["c"], drawn_unit=DrawnUnit.objects.filter(design=design, stage=3).last().pk
        ),
        format="json",
    )
    assert other.status_code == 400


def test_an_interview_without_a_drawn_unit_has_no_design_weight(sipas, frame, field):
    draw_sample(campaign=sipas, user=None, settings=SETTINGS)
    answer = api_client(field["users"]["a"]).post(
        "/api/v1/field/responses/", payload(field["assignments"]["a"]), format="json"
    )
    FieldRecord.objects.filter(response_id=answer.json()["id"]).update(review_state="approved")
    row = design_frame(campaign=sipas).iloc[0]
    assert math.isnan(row["design_weight"]) and row["psu"] is None
    assert list(design_frame(campaign=sipas).columns) == [
        "response_id",
        "stratum",
        "psu",
        "ssu",
        "design_weight",
    ]


def test_a_sample_in_the_field_is_not_drawn_again(sipas, frame, field):
    design = draw_sample(campaign=sipas, user=None, settings=SETTINGS).design
    unit = DrawnUnit.objects.filter(design=design, stage=3, reserve=False).first()
    api_client(field["users"]["a"]).post(
        "/api/v1/field/responses/", payload(field["assignments"]["a"], drawn_unit=unit.pk), format="json"
    )
    report = draw_sample(campaign=sipas, user=None, settings=SETTINGS)
    assert not report.ok
    assert SampleDesign.objects.get(campaign=sipas).pk == design.pk


def test_stratified_by_district_allocates_communes_to_each_district(sipas, frame, field, units):
    commune = UnitFactory(
        province=sipas.province, code="XA-SP", name="Xã Sa Pa 1", kind=Unit.Kind.COMMUNE, parent=units["SAPA"]
    )
    SamplingFrameEntry.objects.bulk_create(
        SamplingFrameEntry(campaign=sipas, area=commune, name=f"Hộ SP {h}", village="Tổ 1") for h in range(50)
    )
    Assignment.objects.filter(pk=field["assignments"]["team1"].pk).update(area=units["SAPA"])
    settings = DrawSettings(**{**SETTINGS.__dict__, "stratify_by": "district", "psu_count": 3})
    report = draw_sample(campaign=sipas, user=None, settings=settings)
    strata = {s.code: s.psu_drawn for s in report.design.strata.all()}
    assert strata == {"BATXAT": 2, "SAPA": 1}  # 100 and 50 households: 2 and 1 of 3
    sapa = DrawnUnit.objects.get(design=report.design, stage=1, code="XA-SP")
    assert sapa.probability == 1.0 and sapa.certainty
