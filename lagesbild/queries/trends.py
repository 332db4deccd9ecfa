"""Monthly and quarterly series per strategic or focus area, and the year-over-year table."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection

from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.areas import selection_population
from lagesbild.queries.filters import Filters
from lagesbild.queries.incidents import raw_counts, raw_counts_periods

ROLLING = {"month": 3, "quarter": 2}


def _period_start(grain: str, value) -> dt.date:
    if grain == "month":
        return value
    year, q = divmod(int(value), 10)
    return dt.date(year, 3 * (q - 1) + 1, 1)


def series(conn: Connection, f: Filters, grain: str, split: str | None, measure: str,
           policy: Policy) -> pd.DataFrame:
    """Long frame: period (date), split, value, value last year, rolling mean; published.

    The query reaches one year further back than the selection for last year's line.
    """
    dim = "month" if grain == "month" else "quarter"
    first = _period_start(grain, f.start.replace(day=1) if grain == "month"
                          else f.start.year * 10 + (f.start.month + 2) // 3)
    ext = f.with_period(first.replace(year=first.year - 1), f.end)
    by = (dim,) + ((split,) if split else ())
    raw = raw_counts(conn, ext, by)
    if raw.empty:
        return pd.DataFrame(columns=["period", "split", "value", "value_ly", "rolling", "n_label",
                                     "partial"])
    raw["period"] = [_period_start(grain, v) for v in raw[dim]]
    raw["split"] = raw[split] if split else "Alla"
    full = _complete(raw, grain)
    shown = publish(full, policy)
    if measure == "rate":
        pops = {y: selection_population(conn, f.areas, y) for y in {p.year for p in shown["period"]}}
        shown["value"] = shown["n"] / shown["period"].map(lambda p: pops[p.year]) * 1000
    else:
        shown["value"] = shown["n"]
    shown = shown.sort_values(["split", "period"])
    shown["rolling"] = shown.groupby("split")["value"].transform(
        lambda s: s.rolling(ROLLING[grain], min_periods=ROLLING[grain]).mean())
    last_year = shown[["split", "period", "value"]].copy()
    last_year["period"] = [p.replace(year=p.year + 1) for p in last_year["period"]]
    shown = shown.merge(last_year.rename(columns={"value": "value_ly"}), on=["split", "period"], how="left")
    months = 1 if grain == "month" else 3
    shown["partial"] = [(p + pd.DateOffset(months=months)).date() - dt.timedelta(days=1) > f.end
                        for p in shown["period"]]
    return shown[shown["period"] >= first].reset_index(drop=True)


def _complete(raw: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Add zero rows for periods with no events so lines do not skip them."""
    step = pd.DateOffset(months=1 if grain == "month" else 3)
    periods = pd.date_range(min(raw["period"]), max(raw["period"]), freq=step).date
    grid = pd.MultiIndex.from_product([periods, sorted(raw["split"].unique())], names=["period", "split"])
    agg = raw.groupby(["period", "split"]).agg(n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")},
                                               sensitive=("sensitive", "max"))
    out = agg.reindex(grid).reset_index()
    sens = raw.groupby("split")["sensitive"].max()
    out["sensitive"] = out["sensitive"].fillna(out["split"].map(sens)).astype(bool)
    out["n"] = out["n"].fillna(0).astype("int64")
    out[KEY_COLUMN] = out[KEY_COLUMN].fillna(0).astype("int64")
    return out


def year_over_year(conn: Connection, f: Filters, split: str, policy: Policy, years: int = 4) -> pd.DataFrame:
    """Split × year for the same part of each year: 1 January up to the selection's end date."""
    end = f.end
    years_ = list(range(end.year - years + 1, end.year + 1))
    periods = [(dt.date(y, 1, 1), end.replace(year=y, day=min(end.day, 28)) if end.month == 2 else end.replace(year=y))
               for y in years_]
    frames = [df.assign(year=y) for y, df in zip(years_, raw_counts_periods(conn, f, periods, (split,)))]
    raw = pd.concat(frames, ignore_index=True)
    if raw.empty:
        return publish(raw, policy)
    table = publish(raw, policy)
    table.attrs["through"] = (end.day, end.month)
    return table
