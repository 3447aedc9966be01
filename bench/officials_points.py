"""Benchmark: officials' survey points (analysis.officials.officials_points) for N responses × the 48 scale
questions of the shipped par_officials.yaml against the shipped 876 tree (information; no target given).

    .venv/bin/python bench/officials_points.py [--responses N] [--repeat N]

No database: the answers are generated in memory (1–4, 0 = don't know, some blanks), as values_list would
give them; timed from the DataFrame to the points (best of --repeat after one warm-up).
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis import officials  # noqa: E402
from scoring.services.definitions import parse_tree_file  # noqa: E402
from scoring.totals import nodes_from_definition  # noqa: E402
from surveys.services.definitions import parse_definition_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tree = nodes_from_definition(parse_tree_file(ROOT / "scoring/trees/par-province-876.yaml").definition)
    definition = parse_definition_file(ROOT / "surveys/definitions/par_officials.yaml").definition
    method = officials.get_method(officials.DEFAULT_METHOD)
    mapping, problems = officials.resolve_feeds(definition, tree, method)
    bounds = officials.scale_bounds(definition)
    rng = np.random.default_rng(1)
    n = args.responses
    columns = {"group": rng.choice(["hdnd", "dept_leader", "division_leader"], n)}
    for code in bounds:
        values = rng.choice([1, 2, 3, 4, 0], n, p=[0.05, 0.15, 0.35, 0.4, 0.05]).astype(object)
        values[rng.random(n) < 0.03] = None
        columns[code] = values
    frame = pd.DataFrame(columns)
    items = officials.officials_items(tree, method)
    times = []
    for _ in range(args.repeat + 1):
        start = time.perf_counter()
        result = officials.officials_points(
            frame, question_items=mapping, bounds=bounds, items=items, method=method, problems=problems
        )
        times.append(time.perf_counter() - start)
    total = sum(p for p in result.points().values())
    print(f"{n:,} responses × {len(bounds)} scale questions → {len(items)} items, {total:.4f} points")
    best, warm_up = min(times[1:]) * 1000, times[0] * 1000
    print(f"officials_points: best {best:.0f} ms of {args.repeat} (warm-up {warm_up:.0f} ms)")


if __name__ == "__main__":
    main()
