"""Weighted ratios, Taylor standard errors (stratified, clustered, domains) and raking against samplics."""

import warnings

import numpy as np
import pytest

from analysis.sipas import compute_sipas, get_method
from analysis.statistics import Margin

from .generated import ELEMENTS, generated_answers

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # samplics announces it is archived
    from samplics import PopParam, SampleWeight, TaylorEstimator

METHOD = get_method("sipas-2023")


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
    satisfied = np.isin(values, [4, 5]).sum(axis=1).astype(float)
    valid = np.isin(values, [1, 2, 3, 4, 5]).sum(axis=1).astype(float)
    return satisfied, valid


def _cell(table, group, **where):
    rows = table[(table["group"] == group) if group is not None else table["by"].isna()]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.fixture(scope="module")
def data():
    frame = generated_answers()
    result = compute_sipas(frame, elements=ELEMENTS, method=METHOD, by=["district"])
    return frame, result


@pytest.mark.parametrize("element", list(ELEMENTS))
def test_element_ratio_and_standard_error_match_samplics_for_the_sample_and_each_district(data, element):
    frame, result = data
    y, x = _indicators(frame, ELEMENTS[element])
    estimate, se = _samplics(PopParam.ratio, frame, y, x)
    whole = _cell(result.elements, None, element=element)
    assert whole["estimate"] == pytest.approx(estimate, abs=1e-9)
    assert whole["se"] == pytest.approx(se, abs=1e-9)
    estimates, ses = _samplics(PopParam.ratio, frame, y, x, domain="district")
    for district in ("north", "south", "east"):
        cell = _cell(result.elements, district, element=element)
        assert not cell["suppressed"]
        assert cell["estimate"] == pytest.approx(estimates[district], abs=1e-9)
        assert cell["se"] == pytest.approx(ses[district], abs=1e-9)


@pytest.mark.parametrize("item", ["a1", "p2", "s3", "f1", "o1"])
def test_item_shares_and_standard_errors_match_samplics_in_each_district(data, item):
    frame, result = data
    y, x = _indicators(frame, [item])
    estimates, ses = _samplics(PopParam.ratio, frame, y, x, domain="district")
    for district in ("north", "south", "east"):
        cell = _cell(result.items, district, item=item)
        assert not cell["suppressed"]
        assert cell["estimate"] == pytest.approx(estimates[district], abs=1e-9)
        assert cell["se"] == pytest.approx(ses[district], abs=1e-9)


def test_sipas_standard_error_equals_samplics_total_of_the_linearised_mean_of_element_ratios(data):
    frame, result = data
    index = ["access", "procedure", "staff", "result", "feedback"]
    weights = frame["weight"].to_numpy()
    for district in ("north", "south", "east"):
        inside = (frame["district"] == district).to_numpy()
        z = np.zeros(len(frame))
        ratios = []
        for element in index:
            y, x = _indicators(frame, ELEMENTS[element])
            y_total, x_total = (weights * y)[inside].sum(), (weights * x)[inside].sum()
            ratios.append(y_total / x_total)
            z += np.where(inside, (y - ratios[-1] * x) / x_total, 0.0) / len(index)
        _, ses = _samplics(PopParam.total, frame, z)
        cell = _cell(result.sipas, district)
        assert cell["estimate"] == pytest.approx(np.mean(ratios), abs=1e-12)
        assert cell["se"] == pytest.approx(ses, abs=1e-9)


def test_raking_to_two_margins_matches_samplics_and_feeds_the_estimates():
    frame = generated_answers(n=300, seed=11)
    gender = {"male": 5200.0, "female": 4800.0}
    age = {"young": 3000.0, "middle": 4500.0, "old": 2500.0}
    margins = [Margin("gender", k, v) for k, v in gender.items()] + [
        Margin("age", k, v) for k, v in age.items()
    ]
    result = compute_sipas(frame, elements=ELEMENTS, method=METHOD, margins=margins)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raked = SampleWeight().rake(
            samp_weight=frame["weight"].to_numpy(),
            margins={"gender": frame["gender"].to_numpy(), "age": frame["age"].to_numpy()},
            control={"gender": gender, "age": age},
            tol=1e-14,
            ctrl_tol=1e-14,
            max_iter=1000,
        )
    assert result.calibration.startswith("raking")
    assert result.weighted_respondents == pytest.approx(10000.0, rel=1e-12)
    y, x = _indicators(frame, ELEMENTS["staff"])
    raked_frame = frame.assign(weight=raked)
    estimate, se = _samplics(PopParam.ratio, raked_frame, y, x)
    cell = _cell(result.elements, None, element="staff")
    assert cell["estimate"] == pytest.approx(estimate, abs=1e-9)
    assert cell["se"] == pytest.approx(se, abs=1e-9)


def test_post_stratification_matches_samplics():
    frame = generated_answers(n=200, seed=5)
    control = {"north": 1000.0, "south": 3000.0, "east": 6000.0}
    result = compute_sipas(
        frame,
        elements=ELEMENTS,
        method=METHOD,
        margins=[Margin("district", k, v) for k, v in control.items()],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = SampleWeight().poststratify(
            samp_weight=frame["weight"].to_numpy(), control=control, domain=frame["district"].to_numpy()
        )
    y, x = _indicators(frame, ELEMENTS["result"])
    estimate, se = _samplics(PopParam.ratio, frame.assign(weight=expected), y, x)
    cell = _cell(result.elements, None, element="result")
    assert result.calibration == "post-stratification"
    assert cell["estimate"] == pytest.approx(estimate, abs=1e-9)
    assert cell["se"] == pytest.approx(se, abs=1e-9)


def test_without_clusters_each_respondent_is_its_own_psu_as_in_samplics():
    frame = generated_answers(n=250, seed=3).drop(columns=["psu"])
    result = compute_sipas(frame, elements=ELEMENTS, method=METHOD, by=["district"])
    y, x = _indicators(frame, ELEMENTS["access"])
    estimator = TaylorEstimator(PopParam.ratio)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.estimate(
            y=y,
            x=x,
            samp_weight=frame["weight"].to_numpy(),
            stratum=frame["stratum"].to_numpy(),
            domain=frame["district"].to_numpy(),
        )
    for district in ("north", "south", "east"):
        cell = _cell(result.elements, district, element="access")
        assert cell["estimate"] == pytest.approx(estimator.point_est[district], abs=1e-9)
        assert cell["se"] == pytest.approx(estimator.stderror[district], abs=1e-9)


def test_raked_weights_equal_samplics_raked_weights():
    from analysis.statistics import rake

    frame = generated_answers(n=300, seed=13)
    gender = {"male": 5200.0, "female": 4800.0}
    age = {"young": 3000.0, "middle": 4500.0, "old": 2500.0}
    codes = [
        (frame["gender"].map({"male": 0, "female": 1}).to_numpy(), np.array(list(gender.values()))),
        (frame["age"].map({"young": 0, "middle": 1, "old": 2}).to_numpy(), np.array(list(age.values()))),
    ]
    ours, _ = rake(frame["weight"].to_numpy(), codes, tolerance=1e-13, max_iterations=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = SampleWeight().rake(
            samp_weight=frame["weight"].to_numpy(),
            margins={"gender": frame["gender"].to_numpy(), "age": frame["age"].to_numpy()},
            control={"gender": gender, "age": age},
            tol=1e-14,
            ctrl_tol=1e-14,
            max_iter=1000,
        )
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
