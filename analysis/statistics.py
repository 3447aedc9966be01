"""Survey statistics used by the indices: weight calibration (post-stratification, raking), the Taylor
variance of ratio estimates for a stratified, clustered with-replacement design, and Korn–Graubard
intervals for proportions. Plain numpy in, numpy out; no ORM, no pandas objects in the signatures.
"""

from dataclasses import dataclass

import numpy as np
from scipy import stats


class CalibrationError(ValueError):
    """Raking did not converge, or a margin cannot be met (a category with no respondents)."""


@dataclass(frozen=True)
class Margin:
    """A population total of one category of one variable, e.g. ("background.gender", "female", 51234)."""

    variable: str
    category: str
    population: float


def poststratify(weights: np.ndarray, codes: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Weights scaled so that each cell's weighted count equals its population total.

    `codes[i]` is respondent i's cell (0..len(totals)-1); every cell must hold at least one respondent.
    """
    current = np.bincount(codes, weights=weights, minlength=len(totals))
    if np.any(current <= 0):
        raise CalibrationError(f"cell {int(np.flatnonzero(current <= 0)[0])} has no respondents")
    scaled: np.ndarray = weights * (np.asarray(totals, dtype=float) / current)[codes]
    return scaled


def rake(
    weights: np.ndarray,
    margins: list[tuple[np.ndarray, np.ndarray]],
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 100,
) -> tuple[np.ndarray, int]:
    """Iterative proportional fitting: (calibrated weights, iterations used).

    `margins` is a list of (codes per respondent, population total per category). One iteration adjusts the
    weights to each margin in turn; raking stops when every weighted category total is within `tolerance`
    (relative) of its target, and raises CalibrationError after `max_iterations` without getting there.
    """
    w = np.asarray(weights, dtype=float).copy()
    targets = [np.asarray(t, dtype=float) for _, t in margins]
    for iteration in range(1, max_iterations + 1):
        for (codes, _), target in zip(margins, targets, strict=True):
            w = poststratify(w, codes, target)
        worst = max(
            np.max(np.abs(np.bincount(codes, weights=w, minlength=len(target)) / target - 1))
            for (codes, _), target in zip(margins, targets, strict=True)
        )
        if worst <= tolerance:
            return w, iteration
    raise CalibrationError(
        f"raking did not converge in {max_iterations} iterations (largest relative gap {worst:.3g}); "
        "check that the margins' totals agree"
    )


def stratum_factor(psus_per_stratum: np.ndarray) -> np.ndarray:
    """n_h / (n_h - 1) of the with-replacement variance; 0 for a stratum with one PSU (it adds nothing)."""
    n = np.asarray(psus_per_stratum, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 1, n / (n - 1), 0.0)


def _per_stratum(psus_per_stratum: np.ndarray, ndim: int) -> np.ndarray:
    """PSUs per stratum (H,), or per stratum and domain (H, G), shaped to broadcast against (H, ...)."""
    n_h = np.asarray(psus_per_stratum, dtype=float)
    return n_h.reshape(n_h.shape + (1,) * (ndim - n_h.ndim))


def ratio_variance(
    *,
    y1: np.ndarray,
    x1: np.ndarray,
    yy: np.ndarray,
    xy: np.ndarray,
    xx: np.ndarray,
    psus_per_stratum: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(ratio, Taylor variance) of R = Y/X per domain, from per-stratum sums over the domain's PSU totals.

    Arrays are shaped (strata, ...) ; for stratum h, with A_k, B_k the weighted totals of y and x of PSU k
    restricted to the domain (zero outside it, so PSUs without domain members still count in n_h):
    y1 = sum A_k, x1 = sum B_k, yy = sum A_k^2, xy = sum A_k B_k, xx = sum B_k^2.
    The linearised PSU total is t_k = (A_k - R B_k) / X, and
    v(R) = sum_h n_h/(n_h-1) [sum_k t_k^2 - (sum_k t_k)^2 / n_h]  (with-replacement, Wolter 2007 §6).
    """
    y_total, x_total = y1.sum(axis=0), x1.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = y_total / x_total
        squares = yy - 2 * ratio * xy + ratio**2 * xx
        sums = y1 - ratio * x1
        n_h = _per_stratum(psus_per_stratum, y1.ndim)
        f_h = stratum_factor(n_h)
        variance = (f_h * (squares - sums**2 / n_h)).sum(axis=0) / x_total**2
    return ratio, np.maximum(variance, 0.0)


def linear_variance(*, t1: np.ndarray, tt: np.ndarray, psus_per_stratum: np.ndarray) -> np.ndarray:
    """Variance of a total of already-linearised values: t1 = sum_k t_k, tt = sum_k t_k^2 per stratum."""
    n_h = _per_stratum(psus_per_stratum, t1.ndim)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = (stratum_factor(n_h) * (tt - t1**2 / n_h)).sum(axis=0)
    floored: np.ndarray = np.maximum(variance, 0.0)
    return floored


def korn_graubard_interval(
    *,
    estimate: np.ndarray,
    variance: np.ndarray,
    n: np.ndarray,
    n_respondents: np.ndarray,
    df: float,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Korn–Graubard (1998) interval: Clopper–Pearson with the effective sample size.

    n_eff = p(1-p)/v, capped at the number of answers `n`, and set to `n` when p is 0 or 1 or v is 0 (so the
    interval stays non-degenerate and inside [0, 1]); then scaled by (t_{m-1}/t_df)^2 (m = respondents in
    the domain) when the design has fewer degrees of freedom than the domain has respondents. This is the
    rule of the NCHS Data Presentation Standards for Proportions (Parker et al. 2017, Vital Health Stat
    2(175)) and of R's survey::svyciprop(method = "beta").
    """
    p = np.asarray(estimate, dtype=float)
    v = np.asarray(variance, dtype=float)
    n = np.asarray(n, dtype=float)
    m = np.asarray(n_respondents, dtype=float)
    alpha = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where((p > 0) & (p < 1) & (v > 0), p * (1 - p) / v, n)
        n_eff = np.minimum(n_eff, n)
        if df >= 1:
            t_ratio = stats.t.ppf(1 - alpha / 2, np.maximum(m - 1, 1)) / stats.t.ppf(1 - alpha / 2, df)
            n_eff = n_eff * np.minimum(t_ratio, 1.0) ** 2
        successes = n_eff * p
        lower = np.where(successes > 0, stats.beta.ppf(alpha / 2, successes, n_eff - successes + 1), 0.0)
        upper = np.where(
            successes < n_eff, stats.beta.ppf(1 - alpha / 2, successes + 1, n_eff - successes), 1.0
        )
    bad = ~np.isfinite(p) | ~(n_eff > 0)
    return np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)
