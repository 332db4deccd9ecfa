"""Disclosure control: the one place where the privacy rule of DESIGN.md is applied.

Method: the Cell Key Method (SCB from reference year 2025, the ABS TableBuilder); the full
description for a data-protection officer is docs/privacy.md.

- Every stored record (incident, housing figure) gets a random *record key*, an integer in
  0 … KEY_MODULUS − 1, when it is first written (`record_keys`). The aggregate tables carry the sum
  of the record keys beside each count, so the *cell key* of any aggregate, however it was built
  (weekly running totals, monthly sums, map cells), is the sum of the keys of exactly the records in
  it, modulo KEY_MODULUS: the same records always give the same cell key.
- A published perturbation table (`PTABLE`) turns a cell key into a small integer noise.
- `publish` is the only function that turns true counts into the numbers a page, chart, map,
  download or handout shows. For a *protected* cell (any person-related record in it; every cell
  for an audience outside the center):
    0 stays 0; 1 … k−1 is shown as "<k" (never a number); k and more is shown as
    n + noise(cell key), or as "<k" where that is below k (no value below k is ever shown, and
    the noise is not biased by a floor).
  Place-bound cells are shown exactly inside the center.
- Totals are cells of their own (their key is the sum over all their records), so parts need not
  add up to a total, and no total minus parts, filter with minus without, kommundel minus områden
  or period minus period gives a hidden count: each difference carries the noise of the cells.

The query layer computes true counts and key sums (columns `n`, `ksum`, `sensitive`) and calls
`publish` before anything leaves it; `assert_published` is checked on every result that reaches a
page (lagesbild.ui.data), so no page can receive a key sum.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

INTERNAL = "internal"   # inside the center: place-bound categories are shown exactly
EXTERNAL = "external"   # leaves the center: every count is protected
KEY_MODULUS = 1 << 16   # record keys and cell keys are integers 0 … 65 535
KEY_COLUMN = "ksum"     # the sum of record keys that travels with a count inside the query layer
SMALL = "small"         # what `publish` says about a cell shown as "<k"


@dataclass(frozen=True)
class PerturbationTable:
    """Noise by cell key: noise value i is used for cell keys in the i-th slice of 0 … KEY_MODULUS
    (slices in proportion to the probabilities). Published in docs/privacy.md."""

    noise: tuple[int, ...] = (-2, -1, 0, 1, 2)
    probabilities: tuple[float, ...] = (0.05, 0.30, 0.30, 0.30, 0.05)

    @property
    def max_deviation(self) -> int:
        return max(abs(v) for v in self.noise)

    @property
    def variance(self) -> float:
        mean = sum(v * p for v, p in zip(self.noise, self.probabilities))
        return sum(p * (v - mean) ** 2 for v, p in zip(self.noise, self.probabilities))

    def bounds(self) -> np.ndarray:
        """Upper cell-key bound (exclusive) of each noise value's slice."""
        return np.rint(np.cumsum(self.probabilities) * KEY_MODULUS).astype(np.int64)

    def noise_for(self, cell_keys: np.ndarray) -> np.ndarray:
        slot = np.searchsorted(self.bounds(), np.asarray(cell_keys, dtype=np.int64), side="right")
        return np.asarray(self.noise, dtype=np.int64)[np.minimum(slot, len(self.noise) - 1)]


PTABLE = PerturbationTable()


@dataclass(frozen=True)
class Policy:
    """Who the numbers are for: k (smallest protected count shown as a number) and the audience."""

    k: int = 5
    audience: str = INTERNAL
    ptable: PerturbationTable = PTABLE

    def label(self) -> str:
        return f"<{self.k}"

    def external(self) -> "Policy":
        return dataclasses.replace(self, audience=EXTERNAL)


def record_keys(n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """`n` random record keys (0 … KEY_MODULUS − 1), from the operating system's entropy unless a
    seeded generator is given (the demo data, so that the same seed gives the same picture)."""
    rng = rng or np.random.default_rng()
    return rng.integers(0, KEY_MODULUS, size=n, dtype=np.int64)


def cell_keys(key_sums) -> np.ndarray:
    return np.mod(np.asarray(key_sums, dtype=np.int64), KEY_MODULUS)


def published_values(n, key_sums, protected, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """(value shown, shown as "<k") for true counts `n`; the value is NaN where "<k"."""
    n = np.asarray(n, dtype=np.int64)
    protected = np.asarray(protected, dtype=bool) | (policy.audience != INTERNAL)
    noisy = n + policy.ptable.noise_for(cell_keys(key_sums))
    small = protected & (n >= 1) & ((n < policy.k) | (noisy < policy.k))
    value = np.where(protected & (n >= 1), noisy, n).astype(float)
    value[small] = np.nan
    return value, small


def publish(df: pd.DataFrame, policy: Policy, value: str = "n", key: str = KEY_COLUMN,
            sensitive: str = "sensitive", prefix: str | None = None) -> pd.DataFrame:
    """The published form of true counts: `value` becomes the published number (float, NaN where
    shown as "<k"), `<value>_label` the text to show, `suppressed` (or `<prefix>_suppressed`) True
    where "<k"; the key sum column is dropped. `prefix` names the outputs of one of several count
    columns of a frame (e.g. "n_prev")."""
    name = prefix or value
    flag = f"{prefix}_suppressed" if prefix else "suppressed"
    if df.empty:
        out = df.copy()
        out[name], out[f"{name}_label"], out[flag] = (pd.Series(dtype=float), pd.Series(dtype=object),
                                                       pd.Series(dtype=bool))
        return out.drop(columns=[key], errors="ignore")
    protected = df[sensitive].fillna(True).astype(bool) if sensitive in df else True
    shown, small = published_values(df[value].fillna(0), df[key].fillna(0), protected, policy)
    from lagesbild.formatting import number
    label = policy.label()
    # One new frame: the columns as they were (the count replaced where it stands, `value` and the
    # key sum left out), then the flag and the label.
    columns = {c: df[c] for c in df.columns if c != key and (c != value or value == name)}
    columns[name] = shown
    columns[flag] = small
    columns[f"{name}_label"] = [label if s else number(v) for v, s in zip(shown, small)]
    return pd.DataFrame(columns, index=df.index)


def assert_published(result) -> None:
    """Refuse a query result that still carries key sums (it would bypass `publish`)."""
    frames = [result] if isinstance(result, pd.DataFrame) else []
    if isinstance(result, (tuple, list)):
        frames = [r for r in result if isinstance(r, pd.DataFrame)]
    elif dataclasses.is_dataclass(result):
        frames = [getattr(result, f.name) for f in dataclasses.fields(result)
                  if isinstance(getattr(result, f.name), pd.DataFrame)]
    for frame in frames:
        leaked = [c for c in frame.columns if str(c) == KEY_COLUMN or str(c).startswith(f"{KEY_COLUMN}_")
                  or str(c) in ("rkey",)]
        if leaked:
            raise UnpublishedError(f"a query result carries {leaked}: it must go through privacy.publish")


class UnpublishedError(RuntimeError):
    """A query result reached the read gate without going through `publish`."""
