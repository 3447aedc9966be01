"""Generated SIPAS answers for the comparison tests: a stratified, clustered sample with a breakdown column
that cuts across PSUs, weights, "don't know" answers and skipped feedback items."""

import numpy as np
import pandas as pd

ELEMENTS = {
    "access": ["a1", "a2", "a3"],
    "procedure": ["p1", "p2"],
    "staff": ["s1", "s2", "s3"],
    "result": ["r1", "r2"],
    "feedback": ["f1", "f2"],
    "overall": ["o1"],
}


def generated_answers(n: int = 400, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    stratum = rng.integers(0, 4, n)
    frame = pd.DataFrame(
        {
            "stratum": [f"h{s}" for s in stratum],
            "psu": [f"h{s}-c{c}" for s, c in zip(stratum, rng.integers(0, 6, n), strict=True)],
            "district": rng.choice(["north", "south", "east"], n),
            "gender": rng.choice(["male", "female"], n, p=[0.4, 0.6]),
            "age": rng.choice(["young", "middle", "old"], n),
            "weight": rng.uniform(0.5, 4.0, n),
        }
    )
    gave_feedback = rng.random(n) < 0.3
    for element, items in ELEMENTS.items():
        for item in items:
            values = rng.choice([0, 1, 2, 3, 4, 5], n, p=[0.05, 0.05, 0.1, 0.2, 0.4, 0.2]).astype(float)
            if element == "feedback":
                values[~gave_feedback] = np.nan
            frame[item] = values
    return frame


POLICY_GROUPS = ["economy", "health", "education", "water", "electricity", "security", "roads"]
POLICY_GROUPS += ["social_security", "admin_reform"]
ELEMENTS_1001 = {f"policy.{g}": [f"p-{g}-1", f"p-{g}-2"] for g in POLICY_GROUPS}
ELEMENTS_1001 |= {f"service.{e}": [f"s-{e}-1", f"s-{e}-2"] for e in ["access", "procedure", "staff"]}
ELEMENTS_1001 |= {"service.result": ["s-result-1"], "service.feedback": ["s-feedback-1", "s-feedback-2"]}
ELEMENTS_1001 |= {"overall": ["o1"]}


def generated_1001(n: int = 400, seed: int = 17) -> pd.DataFrame:
    """As generated_answers, for the 1001 layout: 9 policy groups and 5 service elements, plus a perception
    question (single choice with a "don't know") and a needs question (several choices)."""
    rng = np.random.default_rng(seed)
    frame = generated_answers(n=n, seed=seed)[["stratum", "psu", "district", "gender", "age", "weight"]]
    gave_feedback = rng.random(n) < 0.35
    for element, items in ELEMENTS_1001.items():
        lean = rng.uniform(-0.1, 0.1)
        p = np.array([0.05, 0.05, 0.1, 0.2 - lean, 0.4 + lean, 0.2])
        for item in items:
            values = rng.choice([0, 1, 2, 3, 4, 5], n, p=p / p.sum()).astype(float)
            if element == "service.feedback":
                values[~gave_feedback] = np.nan
            frame[item] = values
    frame["perception.harassment"] = rng.choice([1, 2, 0], n, p=[0.1, 0.82, 0.08])
    frame.loc[rng.random(n) < 0.03, "perception.harassment"] = np.nan
    options = ["fewer_documents", "shorter_time", "online", "staff"]
    frame["needs.priorities"] = [
        list(rng.choice(options, size=rng.integers(0, 3), replace=False)) for _ in range(n)
    ]
    return frame
