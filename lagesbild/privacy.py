"""Small-count suppression: the one place where the privacy rule of DESIGN.md is applied.

A count is *sensitive* when it includes a person-related category (or, for an export that leaves
the center, always). A sensitive count with 1 <= n < k is hidden (shown as "<k"). Secondary
suppression then hides further cells so that no hidden cell can be worked out from a total: in
every row and every column of the table that has exactly one hidden cell, the smallest other
non-zero cell is hidden too, repeated until nothing changes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

INTERNAL = "internal"   # inside the center: place-bound categories are shown exactly
EXTERNAL = "external"   # leaves the center: every count is treated as sensitive


@dataclass(frozen=True)
class Policy:
    k: int = 5
    audience: str = INTERNAL

    def label(self) -> str:
        return f"<{self.k}"


def primary_mask(n: pd.Series, sensitive: pd.Series, policy: Policy) -> pd.Series:
    """True where a count must be hidden by the rule itself."""
    sens = sensitive.astype(bool) if policy.audience == INTERNAL else pd.Series(True, index=n.index)
    return sens & (n >= 1) & (n < policy.k)


def _secondary(values: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Hide one more cell in every row/column (of a 2-D array) with exactly one hidden cell."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for axis in (1, 0):
            count = hidden.sum(axis=axis)
            for line in np.nonzero(count == 1)[0]:
                vals = values[line, :] if axis == 1 else values[:, line]
                hid = hidden[line, :] if axis == 1 else hidden[:, line]
                candidates = np.where(~hid & (vals > 0), vals, np.inf)
                if np.isfinite(candidates).any():
                    j = int(np.argmin(candidates))
                    if axis == 1:
                        hidden[line, j] = True
                    else:
                        hidden[j, line] = True
                    changed = True
    return hidden


def _codes(df: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """An integer code per distinct combination of `columns` (vectorised; NaN is a value too)."""
    return df.groupby(columns, sort=False, dropna=False).ngroup().to_numpy()


def suppression_mask(df: pd.DataFrame, policy: Policy, rows: list[str] | None = None,
                     cols: list[str] | None = None, value: str = "n",
                     sensitive: str = "sensitive") -> pd.Series:
    """Which cells of a long frame to hide; secondary suppression over the rows × cols table.

    `rows` and `cols` name the dimensions of the table whose margins may be published; a frame
    with no dimensions given is treated as one row (its total may be published).
    """
    hidden = primary_mask(df[value], df[sensitive], policy)
    if not hidden.any() or len(df) < 2:
        return hidden
    rows, cols = rows or [], cols or []
    r_codes = _codes(df, rows) if rows else np.zeros(len(df), dtype=np.int64)
    c_codes = _codes(df, cols) if cols else np.arange(len(df))
    values = np.zeros((r_codes.max() + 1, c_codes.max() + 1))
    mask = np.zeros_like(values, dtype=bool)
    np.add.at(values, (r_codes, c_codes), df[value].to_numpy(dtype=float))
    mask[r_codes, c_codes] = hidden.to_numpy()
    # Only sensitive tables need secondary protection; a lone hidden cell with a zero elsewhere
    # cannot be protected further and stays as it is.
    mask = _secondary(values, mask)
    return pd.Series(mask[r_codes, c_codes], index=df.index)


def suppress(df: pd.DataFrame, policy: Policy, rows: list[str] | None = None,
             cols: list[str] | None = None, value: str = "n", derived: tuple[str, ...] = ()) -> pd.DataFrame:
    """Hide counts (and the values derived from them) where the rule says so.

    Adds `suppressed` (bool) and `<value>_label` (text shown in tables and tooltips); hidden
    values become NaN so no chart or download can show them.
    """
    out = df.copy()
    if out.empty:
        out["suppressed"] = pd.Series(dtype=bool)
        out[f"{value}_label"] = pd.Series(dtype=object)
        return out
    mask = suppression_mask(out, policy, rows, cols, value)
    out["suppressed"] = mask.to_numpy()
    out[value] = out[value].astype(float).where(~out["suppressed"])
    for col in derived:
        if col in out:
            out[col] = out[col].astype(float).where(~out["suppressed"])
    from lagesbild.formatting import number
    out[f"{value}_label"] = [policy.label() if s else number(v) for v, s in zip(out[value], out["suppressed"])]
    return out
