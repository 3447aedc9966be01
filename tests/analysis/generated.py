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
