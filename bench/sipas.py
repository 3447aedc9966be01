"""Benchmark: SIPAS indices of 1,000,000 respondents × 20 items with weights, 50 strata, and per-stratum
estimates, standard errors and Korn–Graubard intervals (analysis.sipas.compute_sipas).

    .venv/bin/python bench/sipas.py [--respondents N] [--strata N] [--repeat N] [--clusters]

No database: the answers are generated in memory (int8 columns: 1–5, 0 = don't know; feedback items 0 for
respondents who gave no feedback), then timed from the DataFrame to the result tables (every item, element
and SIPAS cell for the whole sample and each stratum). Target: under 250 ms (best of --repeat after one
warm-up) on 2 cores; exit 1 on FAIL. --clusters adds 20 PSUs per stratum (information only).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.sipas import compute_sipas, get_method  # noqa: E402

TARGET_SECONDS = 0.250
ELEMENTS = {
    "access": ["access.1", "access.2", "access.3", "access.4"],
    "procedure": ["procedure.1", "procedure.2", "procedure.3", "procedure.4"],
    "staff": ["staff.1", "staff.2", "staff.3", "staff.4"],
    "result": ["result.1", "result.2", "result.3"],
    "feedback": ["feedback.1", "feedback.2", "feedback.3", "feedback.4"],
    "overall": ["overall.1"],
}


def generated(respondents: int, strata: int, clusters: bool) -> pd.DataFrame:
    rng = np.random.default_rng(2023)
    stratum = rng.integers(0, strata, respondents).astype(np.int16)
    columns = {"stratum": stratum, "weight": rng.uniform(20, 400, respondents)}
    if clusters:
        columns["psu"] = stratum.astype(np.int64) * 100 + rng.integers(0, 20, respondents)
    gave_feedback = rng.random(respondents) < 0.3
    levels = np.array([0, 1, 2, 3, 4, 5], dtype=np.int8)
    for element, items in ELEMENTS.items():
        for item in items:
            values = rng.choice(levels, respondents, p=[0.04, 0.04, 0.08, 0.2, 0.44, 0.2])
            if element == "feedback":
                values[~gave_feedback] = 0
            columns[item] = values
    return pd.DataFrame(columns)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1_000_000)
    parser.add_argument("--strata", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clusters", action="store_true")
    args = parser.parse_args()
    frame = generated(args.respondents, args.strata, args.clusters)
    method = get_method("sipas-2023")
    items = sum(len(v) for v in ELEMENTS.values())

    def run():
        return compute_sipas(frame, elements=ELEMENTS, method=method, by=["stratum"])

    result = run()  # warm-up
    times, cpu_times = [], []
    for _ in range(args.repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    best, median = min(times), sorted(times)[len(times) // 2]
    cells = len(result.sipas) + len(result.elements) + len(result.items)
    whole = result.sipas.iloc[0]
    print(
        f"{args.respondents:,} respondents × {items} items, {args.strata} strata"
        f"{', 20 PSUs per stratum' if args.clusters else ''}: {cells:,} cells "
        f"(SIPAS {100 * whole['estimate']:.2f}% ± {196 * whole['se']:.2f})"
    )
    print(f"compute_sipas  best {best * 1000:.0f} ms, median {median * 1000:.0f} ms")
    # CPU time of this process: what the wall time would be on an idle machine (one thread does the work).
    print(f"CPU time       best {min(cpu_times) * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}")
    ok = best <= TARGET_SECONDS
    print(
        f"{'PASS' if ok else 'FAIL'}: compute_sipas {best * 1000:.0f} ms "
        f"(target {TARGET_SECONDS * 1000:.0f} ms)"
    )
    return 0 if ok or args.clusters else 1


if __name__ == "__main__":
    sys.exit(main())
