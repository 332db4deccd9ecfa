"""Weekly, monthly and quarterly series per strategic or focus area, and the year-over-year table.

Every value counts exactly the selection's dates (queries.incidents.period_counts): the first and
the last week/month/quarter of a selection are slices of it (`partial`), not whole periods.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

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


def _published(conn: Connection, f: Filters, grain: str, split: str | None, policy: Policy) -> list[pd.DataFrame]:
    """Published counts per period (and split) of the selection, of the periods before it and of
    the selection a year earlier: frames with period, split, n, n_label, suppressed."""
    dim = "week" if grain == "week" else "month"
    by = (dim,) + ((split,) if split else ())
    counted = period_counts(conn, f, _periods(f, grain), by)
    out = []
    for i in range(3):
        raw = counted.period(i)
        raw["period"] = [_key(grain, v) for v in raw[dim]]
        raw["split"] = raw[split] if split else "Alla"
        agg = raw.groupby(["period", "split"]).agg(n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")},
                                                   sensitive=("sensitive", "max")).reset_index()
        out.append(agg)
    return out


def _complete(agg: pd.DataFrame, periods: list[dt.date], splits: list, sens: pd.Series) -> pd.DataFrame:
    """Every period × split, zero where there were no events (so lines do not skip them)."""
    grid = pd.MultiIndex.from_product([periods, splits], names=["period", "split"])
    out = agg.set_index(["period", "split"]).reindex(grid).reset_index()
    out["sensitive"] = out["sensitive"].astype("boolean").fillna(out["split"].map(sens).astype("boolean")) \
        .fillna(False).astype(bool)
    out["n"] = out["n"].fillna(0).astype("int64")
    out[KEY_COLUMN] = out[KEY_COLUMN].fillna(0).astype("int64")
    return out


def _period_keys(grain: str, start: dt.date, end: dt.date) -> list[dt.date]:
    return list(dict.fromkeys(_key(grain, u) for u, _, _ in units(_unit(grain), start, end))) if start <= end else []


def _values(conn: Connection, f: Filters, grain: str, split: str | None, measure: str, policy: Policy,
            splits: list | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the selection's periods, the periods before it and a year earlier): published, with `value`."""
    sel, before, last_year = _published(conn, f, grain, split, policy)
    periods = _periods(f, grain)
    splits = splits if splits is not None else sorted(set(sel["split"]) | set(before["split"]) | set(last_year["split"]))
    sens = pd.concat([sel, before, last_year]).groupby("split")["sensitive"].max() if splits else pd.Series(dtype=bool)
    frames = []
    for agg, (a, b) in zip((sel, before, last_year), periods):
        full = publish(_complete(agg, _period_keys(grain, a, b), splits, sens), policy)
        frames.append(full.assign(part=len(frames)))
    shown = pd.concat(frames, ignore_index=True)
    if measure == "rate":
        years = {p.year for p in shown["period"]}
        pops = {y: selection_population(conn, f.areas, y) for y in years}
        shown["value"] = [n / pops[p.year] * 1000 if pops[p.year] else float("nan")
                          for n, p in zip(shown["n"], shown["period"])]
    else:
        shown["value"] = shown["n"].astype("float64")
    return shown[shown["part"] == 0].drop(columns="part"), shown[shown["part"] > 0]


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
    sel, other = _values(conn, f, grain, split, measure, policy)
    if sel.empty or (sel["n"].fillna(0).sum() == 0 and not sel["suppressed"].any()):
        return pd.DataFrame(columns=COLUMNS)
    splits = sorted(set(sel["split"]))
    before = other[other["part"] == 1]
    last_year = other[other["part"] == 2]
    shown = pd.concat([before, sel.assign(part=0)], ignore_index=True).sort_values(["split", "period"])
    shown["rolling"] = shown.groupby("split")["value"].transform(
        lambda s: s.rolling(ROLLING[grain], min_periods=ROLLING[grain]).mean())
    shown = shown[shown["part"] == 0].drop(columns="part")
    ly = last_year[["split", "period", "value"]].assign(period=[_year_on(p, grain) for p in last_year["period"]])
    ly = ly.dropna(subset=["period"]).rename(columns={"value": "value_ly"})
    shown = shown.merge(ly, on=["split", "period"], how="left")
    shown["end"] = [min(_period_end(grain, p), f.end) for p in shown["period"]]
    shown["partial"] = [p < f.start or _period_end(grain, p) > f.end for p in shown["period"]]
    if reference and measure == "rate" and f.areas:
        ref, _ = _values(conn, replace(f, areas=()), grain, split, measure, policy, splits=splits)
        ref = ref[["split", "period", "value", "n_label"]].rename(columns={"value": "reference",
                                                                          "n_label": "reference_label"})
        shown = shown.merge(ref, on=["split", "period"], how="left")
    else:
        shown["reference"], shown["reference_label"] = float("nan"), None
    shown = shown.sort_values(["split", "period"]).reset_index(drop=True)
    return shown[[c for c in COLUMNS]]


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
