"""Drawing a sample: inclusion probabilities and selections for one stage (pure, numpy, no ORM).

- PPS systematic (Madow 1949): units in frame order (the caller sorts them: implicit stratification),
  π_i = n·M_i / M; units with n·M_i / M ≥ 1 are taken with certainty (π = 1) and removed, and the others'
  π recomputed with the n and M left, until none is ≥ 1. A random start u ~ U[0, 1) and the points u, u+1,
  …, u+n'−1 on the cumulated π of the non-certain units pick n' distinct units (each π < 1).
- SRS without replacement: a random permutation; the first n are drawn (π = n / N), the next r are the
  reserves in order (used one by one to replace a main unit).
- Allocation of n PSUs to strata proportionally to their sizes (largest remainder), at least one each.

docs/decisions.md D352, D353; docs/reference/field-sample.md (formulas and sources).
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StageDraw:
    """Indices (into the frame as given) of the units drawn, in frame order; their π; certainty flags;
    the reserves in the order they are to be used (SRS only)."""

    selected: np.ndarray
    probability: np.ndarray  # π of every unit of the frame (drawn or not)
    certainty: np.ndarray  # bool, every unit of the frame
    reserves: np.ndarray


def pps_probabilities(sizes, n: int) -> tuple[np.ndarray, np.ndarray]:
    """π_i and certainty flags for a PPS sample of n from units of the given sizes (all ≥ 0)."""
    sizes = np.asarray(sizes, dtype=float)
    if (sizes < 0).any() or not np.isfinite(sizes).all():
        raise ValueError("sizes must be finite and non-negative")
    positive = sizes > 0
    n = min(int(n), int(positive.sum()))
    certain = np.zeros(sizes.shape, dtype=bool)
    if n <= 0:
        return np.zeros(sizes.shape), certain
    while True:
        left = n - int(certain.sum())
        total = sizes[~certain].sum()
        if left <= 0 or total <= 0:
            break
        pi = left * sizes / total
        newly = (~certain) & positive & (pi >= 1 - 1e-12)
        if not newly.any():
            break
        certain |= newly
    probability = np.zeros(sizes.shape)
    probability[certain] = 1.0
    left = n - int(certain.sum())
    total = sizes[~certain].sum()
    if left > 0 and total > 0:
        rest = ~certain
        probability[rest] = left * sizes[rest] / total
    return probability, certain


def pps_systematic(sizes, n: int, rng: np.random.Generator) -> StageDraw:
    """A PPS systematic sample of n units (see the module's docstring); one uniform draw from rng."""
    probability, certain = pps_probabilities(sizes, n)
    rest = np.flatnonzero(~certain & (probability > 0))
    left = round(float(probability[rest].sum()))
    start = rng.uniform(0.0, 1.0)
    chosen = list(np.flatnonzero(certain))
    if left > 0:
        cumulated = np.cumsum(probability[rest])
        points = start + np.arange(left)
        hits = np.searchsorted(cumulated, points, side="right")
        chosen.extend(rest[np.minimum(hits, len(rest) - 1)])
    selected = np.array(sorted(set(int(i) for i in chosen)), dtype=int)
    return StageDraw(selected, probability, certain, np.array([], dtype=int))


def srs(count: int, n: int, rng: np.random.Generator, *, reserves: int = 0) -> StageDraw:
    """n of `count` units by simple random sampling without replacement, and `reserves` more in order."""
    n = min(int(n), count)
    order = rng.permutation(count) if count else np.array([], dtype=int)
    main = np.sort(order[:n])
    extra = order[n : n + max(int(reserves), 0)]
    probability = np.full(count, n / count if count else 0.0)
    certain = np.full(count, n == count and count > 0)
    return StageDraw(main.astype(int), probability, certain, extra.astype(int))


def take_all(count: int) -> StageDraw:
    return StageDraw(np.arange(count), np.ones(count), np.ones(count, dtype=bool), np.array([], dtype=int))


def draw_stage(method: str, sizes, n: int, rng: np.random.Generator, *, reserves: int = 0) -> StageDraw:
    """One stage by its method code (SampleDesign.Method): pps_systematic, srs or all."""
    sizes = np.asarray(sizes, dtype=float)
    if method == "all":
        return take_all(len(sizes))
    if method == "pps_systematic":
        return pps_systematic(sizes, n, rng)
    if method == "srs":
        return srs(len(sizes), n, rng, reserves=reserves)
    raise ValueError(f"unknown sampling method {method!r}")


def allocate(sizes, n: int, caps) -> list[int]:
    """n units allocated to strata proportionally to `sizes` (largest remainder), each stratum at least
    one (while n allows) and at most its cap (the units it has)."""
    sizes = np.asarray(sizes, dtype=float)
    caps = np.asarray(caps, dtype=int)
    count = len(sizes)
    n = min(int(n), int(caps.sum()))
    result = np.zeros(count, dtype=int)
    if n <= 0 or count == 0:
        return result.tolist()
    floor_one = min(n, int((caps > 0).sum()))
    order = np.argsort(-sizes, kind="stable")
    for index in order[:floor_one]:
        if caps[index] > 0:
            result[index] = 1
    while result.sum() < n:
        room = result < caps
        total = sizes[room].sum()
        if total <= 0:
            index = int(np.flatnonzero(room)[0])
        else:
            want = np.where(room, n * sizes / sizes.sum() - result, -np.inf)
            index = int(np.argmax(want))
        result[index] += 1
    return result.tolist()


def conditional_certainty(drawn_sizes, n: int, total: float) -> tuple[np.ndarray, np.ndarray]:
    """π of the drawn units of a PPS stage known only by the drawn units, n and the frame's total size
    (a design drawn on paper): certainty units are always among the drawn ones, so the iteration of
    pps_probabilities over the drawn units alone gives the same π."""
    sizes = np.asarray(drawn_sizes, dtype=float)
    certain = np.zeros(sizes.shape, dtype=bool)
    while True:
        left = n - int(certain.sum())
        rest_total = total - sizes[certain].sum()
        if left <= 0 or rest_total <= 0:
            break
        newly = (~certain) & (left * sizes / rest_total >= 1 - 1e-12)
        if not newly.any():
            break
        certain |= newly
    left = n - int(certain.sum())
    rest_total = total - sizes[certain].sum()
    probability = np.where(certain, 1.0, left * sizes / rest_total if rest_total > 0 else 0.0)
    return probability, certain
