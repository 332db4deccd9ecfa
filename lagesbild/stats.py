"""Statistics for honest flags: is this week's count unusual against a stated baseline?

Test: the exact conditional test for two Poisson counts. Under "same rate as the baseline",
the current count x given x + y (y = the baseline total over W periods) is Binomial(x + y, 1/(1+W)).
Two-sided p-values are then adjusted for the number of cells tested (Benjamini–Hochberg), so a
weekly table of 20 areas × 30 categories does not flag dozens of cells by chance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binom

from lagesbild import settings

MIN_EVENTS = 5  # cells with fewer events in the current + baseline periods are not tested


def conditional_p(x: np.ndarray, y: np.ndarray, periods: int) -> tuple[np.ndarray, np.ndarray]:
    """One-sided p-values (higher, lower) of x against a baseline total y over `periods`."""
    x, y = np.asarray(x, dtype=int), np.asarray(y, dtype=int)
    n, p = x + y, 1.0 / (1 + periods)
    higher = binom.sf(x - 1, n, p)
    lower = binom.cdf(x, n, p)
    return higher, lower


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Adjusted p-values (q-values) controlling the false discovery rate."""
    p = np.asarray(p, dtype=float)
    if p.size == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * p.size / np.arange(1, p.size + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty_like(q)
    out[order] = np.minimum(q, 1.0)
    return out


def flag_unusual(current: pd.DataFrame, baseline: pd.DataFrame, keys: list[str], periods: int,
                 alpha: float | None = None) -> pd.DataFrame:
    """Every tested cell with observed, expected, ratio, p, q and `direction` (up/down/None).

    `current` and `baseline` hold columns keys + n; baseline n is the total over `periods`.
    """
    alpha = alpha or settings.value("significance")
    merged = (current[keys + ["n"]].rename(columns={"n": "observed"})
              .merge(baseline[keys + ["n"]].rename(columns={"n": "baseline_total"}), on=keys, how="outer")
              .fillna({"observed": 0, "baseline_total": 0}))
    merged["observed"] = merged["observed"].astype(int)
    merged["baseline_total"] = merged["baseline_total"].astype(int)
    merged["expected"] = merged["baseline_total"] / periods
    tested = merged[(merged["observed"] + merged["baseline_total"]) >= MIN_EVENTS].copy()
    higher, lower = conditional_p(tested["observed"], tested["baseline_total"], periods)
    tested["p"] = np.minimum(1.0, 2 * np.minimum(higher, lower))
    tested["q"] = benjamini_hochberg(tested["p"].to_numpy())
    tested["direction"] = np.where(tested["q"] < alpha,
                                   np.where(tested["observed"] > tested["expected"], "up", "down"),
                                   None)
    tested["ratio"] = np.where(tested["expected"] > 0, tested["observed"] / tested["expected"].where(tested["expected"] > 0), np.nan)
    tested.attrs["cells_tested"] = len(tested)
    return tested.sort_values(["q", "observed"], ascending=[True, False]).reset_index(drop=True)
