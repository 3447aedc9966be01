"""The 1001 composites against samplics (stratified, clustered, a breakdown cutting across PSUs): each part,
SIPAS by each method, the pooled SIPAS as samplics' own ratio, perception and needs shares; to 1e-9."""

import warnings

import numpy as np
import pytest

from analysis.sipas import compute_sipas, get_method
from analysis.sipas.shares import CategoricalQuestion

from .generated import ELEMENTS_1001, generated_1001

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # samplics announces it is archived
    from samplics import PopParam, TaylorEstimator

DISTRICTS = ("north", "south", "east")
QUESTIONS = [
    CategoricalQuestion("perception.harassment", "perception", options=(1, 2, 0), missing=(0,)),
    CategoricalQuestion(
        "needs.priorities",
        "need",
        options=("fewer_documents", "shorter_time", "online", "staff"),
        multiple=True,
    ),
]


def _samplics(param, frame, y, x=None, domain=None):
    estimator = TaylorEstimator(param)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.estimate(
            y=y,
            x=x,
            samp_weight=frame["weight"].to_numpy(),
            stratum=frame["stratum"].to_numpy(),
            psu=frame["psu"].to_numpy(),
            domain=None if domain is None else frame[domain].to_numpy(),
        )
    return estimator.point_est, estimator.stderror


def _indicators(frame, items):
    values = frame[items].to_numpy()
    return np.isin(values, [4, 5]).sum(axis=1).astype(float), np.isin(values, [1, 2, 3, 4, 5]).sum(
        axis=1
    ).astype(float)


def _cell(table, group, **where):
    rows = table[(table["group"] == group) if group is not None else table["by"].isna()]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture(scope="module")
def data():
    frame = generated_1001()
    results = {
        name: compute_sipas(
            frame, elements=ELEMENTS_1001, method=get_method(name), by=["district"], categorical=QUESTIONS
        )
        for name in ("sipas-1001-parts", "sipas-1001-pooled", "sipas-1001-weighted")
    }
    return frame, results


def _linearised_part(frame, inside, part):
    """(part estimate, its linearised values) in the domain `inside`, written from the formulas."""
    weights = frame["weight"].to_numpy()
    elements = [e for e in ELEMENTS_1001 if e.startswith(f"{part}.")]
    z, ratios = np.zeros(len(frame)), []
    for element in elements:
        y, x = _indicators(frame, ELEMENTS_1001[element])
        y_total, x_total = (weights * y)[inside].sum(), (weights * x)[inside].sum()
        ratios.append(y_total / x_total)
        z += np.where(inside, (y - ratios[-1] * x) / x_total, 0.0) / len(elements)
    return np.mean(ratios), z


@pytest.mark.parametrize("part", ["policy", "service"])
def test_each_part_and_its_se_match_samplics_total_of_the_linearised_mean(data, part):
    frame, results = data
    for district in (None, *DISTRICTS):
        inside = np.ones(len(frame), bool) if district is None else (frame["district"] == district).to_numpy()
        estimate, z = _linearised_part(frame, inside, part)
        _, se = _samplics(PopParam.total, frame, z)
        cell = _cell(results["sipas-1001-parts"].parts, district, part=part)
        assert cell["estimate"] == pytest.approx(estimate, abs=1e-12)
        assert cell["se"] == pytest.approx(se, abs=1e-9)


@pytest.mark.parametrize(("name", "w"), [("sipas-1001-parts", 0.5), ("sipas-1001-weighted", 0.6)])
def test_sipas_of_the_parts_methods_matches_samplics_in_each_district(data, name, w):
    frame, results = data
    for district in (None, *DISTRICTS):
        inside = np.ones(len(frame), bool) if district is None else (frame["district"] == district).to_numpy()
        policy, z_policy = _linearised_part(frame, inside, "policy")
        service, z_service = _linearised_part(frame, inside, "service")
        _, se = _samplics(PopParam.total, frame, w * z_policy + (1 - w) * z_service)
        cell = _cell(results[name].sipas, district)
        assert cell["estimate"] == pytest.approx(w * policy + (1 - w) * service, abs=1e-12)
        assert cell["se"] == pytest.approx(se, abs=1e-9)


def test_pooled_sipas_is_samplics_ratio_of_all_satisfied_to_all_valid_answers(data):
    frame, results = data
    items = [i for e, codes in ELEMENTS_1001.items() if e != "overall" for i in codes]
    y, x = _indicators(frame, items)
    estimate, se = _samplics(PopParam.ratio, frame, y, x)
    whole = _cell(results["sipas-1001-pooled"].sipas, None)
    assert whole["estimate"] == pytest.approx(estimate, abs=1e-9)
    assert whole["se"] == pytest.approx(se, abs=1e-9)
    estimates, ses = _samplics(PopParam.ratio, frame, y, x, domain="district")
    for district in DISTRICTS:
        cell = _cell(results["sipas-1001-pooled"].sipas, district)
        assert cell["estimate"] == pytest.approx(estimates[district], abs=1e-9)
        assert cell["se"] == pytest.approx(ses[district], abs=1e-9)


def test_alternatives_beside_a_result_equal_the_other_methods_results(data):
    _, results = data
    parts = results["sipas-1001-parts"]
    for name in ("sipas-1001-pooled", "sipas-1001-weighted"):
        alternative = _cell(parts.alternatives, "south", method=name)
        own = _cell(results[name].sipas, "south")
        assert alternative["estimate"] == pytest.approx(own["estimate"], abs=1e-15)
        assert alternative["se"] == pytest.approx(own["se"], abs=1e-15)


def test_perception_shares_match_samplics_ratio_in_each_district(data):
    frame, results = data
    values = frame["perception.harassment"].to_numpy()
    answered = np.isin(values, [1, 2]).astype(float)
    for option in (1, 2):
        chosen = (values == option).astype(float)
        estimate, se = _samplics(PopParam.ratio, frame, chosen, answered)
        cell = _cell(
            results["sipas-1001-parts"].shares, None, question="perception.harassment", option=option
        )
        assert cell["estimate"] == pytest.approx(estimate, abs=1e-9)
        assert cell["se"] == pytest.approx(se, abs=1e-9)
        estimates, ses = _samplics(PopParam.ratio, frame, chosen, answered, domain="district")
        for district in DISTRICTS:
            cell = _cell(
                results["sipas-1001-parts"].shares, district, question="perception.harassment", option=option
            )
            assert cell["estimate"] == pytest.approx(estimates[district], abs=1e-9)
            assert cell["se"] == pytest.approx(ses[district], abs=1e-9)


def test_needs_frequencies_match_samplics_ratio(data):
    frame, results = data
    answered = np.array([len(v) > 0 for v in frame["needs.priorities"]], dtype=float)
    for option in ("online", "staff"):
        chosen = np.array([option in v for v in frame["needs.priorities"]], dtype=float)
        estimates, ses = _samplics(PopParam.ratio, frame, chosen, answered, domain="district")
        for district in DISTRICTS:
            cell = _cell(
                results["sipas-1001-parts"].shares, district, question="needs.priorities", option=option
            )
            assert cell["estimate"] == pytest.approx(estimates[district], abs=1e-9)
            assert cell["se"] == pytest.approx(ses[district], abs=1e-9)
            weighted_answered = frame["weight"][
                (frame["district"] == district).to_numpy() & (answered > 0)
            ].sum()
            assert cell["weighted_count"] == pytest.approx(estimates[district] * weighted_answered, rel=1e-12)
