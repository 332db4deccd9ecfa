"""Weekly, monthly and quarterly series per strategic or focus area, and the year-over-year table.

Every value counts exactly the selection's dates (queries.incidents.period_counts): the first and
the last week/month/quarter of a selection are slices of it (`partial`), not whole periods.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.areas import selection_population
from lagesbild.queries.filters import Filters
from lagesbild.queries.incidents import _unit_end, period_counts, units

GRAINS = ("week", "month", "quarter")
ROLLING = {"week": 4, "month": 3, "quarter": 2}  # periods in the rolling mean
COLUMNS = ["period", "end", "split", "n", "n_label", "suppressed", "value", "value_ly", "rolling", "partial",
           "reference", "reference_label"]


def _unit(grain: str) -> str:
    return "week" if grain == "week" else "month"


def _key(grain: str, day: dt.date) -> dt.date:
    """The first day of the week/month/quarter of `day`: the series' period."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def _period_end(grain: str, start: dt.date) -> dt.date:
    if grain == "quarter":
        return _unit_end("month", dt.date(start.year, start.month + 2, 1))
    return _unit_end(_unit(grain), start)


def _year_back(day: dt.date, grain: str) -> dt.date:
    """The same day a year earlier: the same weekday of the same ISO week for weeks, the same date
    (28 February for 29 February) otherwise."""
    if grain == "week":
        year, week, weekday = day.isocalendar()
        try:
            return dt.date.fromisocalendar(year - 1, week, weekday)
        except ValueError:  # week 53 in a year of 52 weeks
            return day - dt.timedelta(weeks=52)
    return day.replace(year=day.year - 1, day=min(day.day, 28) if day.month == 2 else day.day)


def _year_on(period: dt.date, grain: str) -> dt.date | None:
    """The period a year after `period` (the same ISO week number for weeks; None: no such week)."""
    if grain == "week":
        year, week, _ = period.isocalendar()
        try:
            return dt.date.fromisocalendar(year + 1, week, 1)
        except ValueError:
            return None
    return period.replace(year=period.year + 1)


def _periods(f: Filters, grain: str) -> list[tuple[dt.date, dt.date]]:
    """The selection, the periods before it for the rolling mean, and the selection a year earlier."""
    first = _key(grain, f.start)
    back = first
    for _ in range(ROLLING[grain] - 1):
        back = _key(grain, back - dt.timedelta(days=1))
    if f.start.weekday() == 0 and f.end.weekday() == 6:  # whole weeks: the same weeks a year earlier
        last_year = (_year_back(f.start, "week"), _year_back(f.end, "week"))
    else:
        last_year = (_year_back(f.start, grain), _year_back(f.end, grain))
    return [(f.start, f.end), (back, first - dt.timedelta(days=1)), last_year]


def _period_keys(grain: str, start: dt.date, end: dt.date) -> list[dt.date]:
    return list(dict.fromkeys(_key(grain, u) for u, _, _ in units(_unit(grain), start, end))) if start <= end else []


def _values(conn: Connection, f: Filters, grain: str, split: str | None, measure: str, policy: Policy,
            splits: list | None = None) -> pd.DataFrame:
    """Every period × split of the selection (part 0), of the periods before it for the rolling
    mean (part 1) and of the selection a year earlier (part 2): published (n, n_label,
    suppressed), zero where there were no events (so lines do not skip them), with `value`.
    One period_counts for the three, one grid (ordered by part, period, split), one publish."""
    dim = _unit(grain)
    periods = _periods(f, grain)
    counted = period_counts(conn, f, periods, (dim,) + ((split,) if split else ()))
    frames = [counted.period(i) for i in range(len(periods))]
    long = pd.concat(frames, ignore_index=True)
    part = np.repeat(np.arange(len(periods)), [len(x) for x in frames])
    keys = {u: _key(grain, u) for u in set(long[dim])}
    index = pd.MultiIndex.from_arrays(
        [part, long[dim].map(keys), long[split] if split else np.full(len(long), "Alla", dtype=object)],
        names=["part", "period", "split"])
    agg = long[["n", KEY_COLUMN, "sensitive"]].set_axis(index)
    if not index.is_unique:  # quarters: their months summed
        agg = agg.groupby(level=[0, 1, 2]).agg({"n": "sum", KEY_COLUMN: "sum", "sensitive": "max"})
    splits = splits if splits is not None else sorted(set(index.get_level_values("split")))
    sens = agg["sensitive"].groupby(level="split").max()
    grid = pd.MultiIndex.from_tuples(
        [(i, p, s_) for i, (a, b) in enumerate(periods) for p in _period_keys(grain, a, b) for s_ in splits],
        names=["part", "period", "split"])
    full = agg.reindex(grid)
    split_of = grid.get_level_values("split")
    known = full["sensitive"].notna().to_numpy()
    full = pd.DataFrame({
        "part": grid.get_level_values("part"), "period": grid.get_level_values("period"), "split": split_of,
        "n": full["n"].fillna(0).astype("int64").to_numpy(),
        KEY_COLUMN: full[KEY_COLUMN].fillna(0).astype("int64").to_numpy(),
        # a period without events in a split is as sensitive as the split is elsewhere
        "sensitive": np.where(known, full["sensitive"].where(known, False).astype(bool).to_numpy(),
                              pd.Series(split_of.map(sens)).fillna(False).astype(bool).to_numpy())})
    shown = publish(full, policy)
    if measure == "rate":
        years = sorted({p.year for p in shown["period"]})
        pops = {y: selection_population(conn, f.areas, y) for y in years}
        shown["value"] = [n / pops[p.year] * 1000 if pops[p.year] else float("nan")
                          for n, p in zip(shown["n"], shown["period"])]
    else:
        shown["value"] = shown["n"].astype("float64")
    return shown


def series(conn: Connection, f: Filters, grain: str, split: str | None, measure: str,
           policy: Policy, reference: bool = False) -> pd.DataFrame:
    """Long frame per period (its first day) and split: the published count (n, n_label,
    suppressed) and `value` (the count, or per 1 000 inhabitants for measure "rate") of exactly the
    selection's days in it (`end`: its last day counted; `partial`: a slice of the period);
    `rolling` (the mean of the last ROLLING[grain] values, earlier ones from before the selection),
    `value_ly` (the same slice a year earlier: the same ISO week for weeks) and, with `reference`,
    `reference` (the value of the whole kommun, same other filters and split; rates only, the
    counts of an area and of the kommun do not share an axis).
    """
    if grain not in GRAINS:
        raise ValueError(grain)
    values = _values(conn, f, grain, split, measure, policy)
    sel = values[values["part"] == 0]
    if sel.empty or (sel["n"].fillna(0).sum() == 0 and not sel["suppressed"].any()):
        return pd.DataFrame(columns=COLUMNS)
    splits = sorted(set(sel["split"]))
    # The rolling mean runs over the periods before the selection and the selection, per split: the
    # grid holds every split in every period (ordered by period, then split), so parts 1 and 0 are
    # one period × split table, and part 0's rows of its rolling mean are `sel`'s values in order.
    window = ROLLING[grain]
    table = values[values["part"] < 2].pivot(index="period", columns="split", values="value")
    rolling = table.rolling(window, min_periods=window).mean()
    shown = sel.drop(columns="part").reset_index(drop=True)
    shown["rolling"] = rolling.reindex(index=list(dict.fromkeys(shown["period"])),
                                       columns=splits).to_numpy().ravel()
    last_year = values[values["part"] == 2]
    ly = {(s_, _year_on(p, grain)): v for s_, p, v in zip(last_year["split"], last_year["period"], last_year["value"])}
    shown["value_ly"] = [ly.get((s_, p), np.nan) for s_, p in zip(shown["split"], shown["period"])]
    ends = {p: _period_end(grain, p) for p in set(shown["period"])}
    shown["end"] = [min(ends[p], f.end) for p in shown["period"]]
    shown["partial"] = [p < f.start or ends[p] > f.end for p in shown["period"]]
    if reference and measure == "rate" and f.areas:
        ref = _values(conn, replace(f, areas=()), grain, split, measure, policy, splits=splits)
        ref = ref[ref["part"] == 0][["split", "period", "value", "n_label"]].rename(
            columns={"value": "reference", "n_label": "reference_label"})
        shown = shown.merge(ref, on=["split", "period"], how="left")
    else:
        shown["reference"], shown["reference_label"] = float("nan"), None
    shown = shown.sort_values(["split", "period"]).reset_index(drop=True)
    return shown[COLUMNS]


def _same_day(end: dt.date, year: int) -> dt.date:
    """`end` moved to `year`: the Sunday of the same ISO week when `end` is a Sunday (every year then
    ends on a whole week, as the selection does), else the same date (28 February for the 29th)."""
    iso_year, week, weekday = end.isocalendar()
    if weekday == 7 and iso_year == end.year:
        try:
            day = dt.date.fromisocalendar(year, week, 7)
        except ValueError:  # week 53 in a year of 52 weeks
            day = dt.date.fromisocalendar(year, 52, 7)
        if day.year == year:
            return day
    return end.replace(year=year, day=min(end.day, 28) if end.month == 2 else end.day)


def year_over_year(conn: Connection, f: Filters, split: str, policy: Policy, years: int = 4,
                   measure: str = "count") -> pd.DataFrame:
    """Split × year for the same part of each year: 1 January up to the selection's end date (the
    Sunday of the same ISO week when the selection ends on a Sunday).
    `n` published; `value` the published count, or per 1 000 inhabitants of the selection's areas
    in that year (measure "rate"). attrs: through (day, month), measure."""
    end = f.end
    years_ = list(range(end.year - years + 1, end.year + 1))
    periods = [(dt.date(y, 1, 1), _same_day(end, y)) for y in years_]
    counted = period_counts(conn, f, periods, (split,))
    raw = pd.concat([counted.period(i).assign(year=y) for i, y in enumerate(years_)], ignore_index=True)
    if raw.empty:
        return publish(raw, policy)
    table = publish(raw, policy)
    if measure == "rate":
        pops = {y: selection_population(conn, f.areas, y) for y in years_}
        table["value"] = [n / pops[y] * 1000 if pops[y] else float("nan") for n, y in zip(table["n"], table["year"])]
    else:
        table["value"] = table["n"].astype("float64")
    table.attrs["through"] = [(y, b.day, b.month) for y, (_, b) in zip(years_, periods)]
    table.attrs["measure"] = measure
    return table
