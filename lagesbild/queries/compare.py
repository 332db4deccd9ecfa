"""Comparisons the overview and the briefing show: this period against earlier ones.

Every count here is one queries.incidents.period_counts over exact date periods: Översikt's and
the briefing's fast paths ask it once for all the periods they need, the functions they equal
(area_summary, compare_periods, unusual, week_vs_baseline) ask it themselves."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from lagesbild import settings
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.areas import area_frame, population
from lagesbild.queries.filters import Filters, monday
from lagesbild.queries.incidents import key_column, period_counts, raw_counts
from lagesbild.stats import flag_unusual
from lagesbild.store.models import Category

def percent_change(now: pd.Series, before: pd.Series) -> pd.Series:
    """Relative change, only where both counts are known and at least the setting min_for_percent."""
    least = settings.value("min_for_percent")
    ok = (now >= least) & (before >= least)
    return ((now - before) / before).where(ok)


def _three_periods(f: Filters) -> list[tuple[dt.date, dt.date]]:
    return [(p.start, p.end) for p in (f, f.previous_period(), f.same_period_last_year())]


def compare_periods(conn: Connection, f: Filters, dim: str, policy: Policy,
                    keys: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published counts per `dim` for the period, the previous period and the same period last
    year. `keys` (a frame with column `dim`) lists the rows to show even when they have no events.
    """
    return _compare(period_counts(conn, f, _three_periods(f), (dim,)).table, dim, policy, keys)


def _compare(table: pd.DataFrame, dim: str, policy: Policy, keys: pd.DataFrame | None) -> pd.DataFrame:
    """compare_periods from a period_counts table of the three periods (n0..n2, ksum_0..2, s0..s2 per `dim`)."""
    if keys is not None:
        table = keys[[dim]].merge(table, on=dim, how="left")
    else:
        table = table.sort_values(dim, kind="stable").reset_index(drop=True)
    out = table[[dim]].copy()
    for i, name in enumerate(("n", "n_prev", "n_ly")):
        one = pd.DataFrame({"n": table[f"n{i}"].fillna(0).astype("int64"),
                            KEY_COLUMN: table[key_column(i)].fillna(0).astype("int64"),
                            "sensitive": table[f"s{i}"].astype("boolean").fillna(False).astype(bool)})
        shown = publish(one, policy)
        out[name], out[f"{name}_label"], out[f"{name}_suppressed"] = \
            shown["n"], shown["n_label"], shown["suppressed"].astype(bool)
    out["change_prev"] = percent_change(out["n"], out["n_prev"])
    out["change_ly"] = percent_change(out["n"], out["n_ly"])
    return out


def _rollup(table: pd.DataFrame, dim: str, periods: int) -> pd.DataFrame:
    """A period_counts table summed to `dim`: counts and key sums added, a period sensitive where any part
    is (a part without events in the period is never sensitive there), keys with events in any period."""
    n, s = [f"n{i}" for i in range(periods)], [f"s{i}" for i in range(periods)]
    k = [key_column(i) for i in range(periods)]
    out = table.groupby(dim, sort=True, dropna=False).agg({**{c: "sum" for c in n + k}, **{c: "max" for c in s}})
    return out[(out[n] > 0).any(axis=1)].reset_index()


def area_summary(conn: Connection, f: Filters, level: str, policy: Policy,
                 table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per area of `level`: counts now / before / last year, population and rate per 1 000.

    `table`: the period_counts table of the three periods per `level`, when the caller has it."""
    areas = area_frame(conn)
    keys = areas[areas.level == level].rename(columns={"id": level})
    if f.areas:
        chosen = areas[areas.code.isin(f.areas)]
        ids = set(chosen.id) | set(areas[areas.parent_id.isin(chosen.id)].id) | set(chosen.kommundel_id.dropna())
        keys = keys[keys[level].isin(ids)]
    if table is None:
        table = period_counts(conn, f, _three_periods(f), (level,)).table
    out = _compare(table, level, policy, keys=keys[[level]])
    out = out.merge(areas.rename(columns={"id": level})[[level, "code", "name", "level"]], on=level, how="left")
    pop = population(conn, f.end.year)
    out["population"] = out[level].map(pop)
    out["rate"] = out["n"] / out["population"] * 1000
    out.attrs["population_year"] = pop.attrs.get("year")
    order = {i: k for k, i in enumerate(areas.id)}
    out = out.sort_values(level, key=lambda s: s.map(order)).reset_index(drop=True)
    return out.rename(columns={level: "area_id"})


def overview(conn: Connection, f: Filters, level: str, policy: Policy, first_data_day: dt.date,
             max_periods: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What Översikt shows, from one running-total query per area × category of `level` for
    every period it needs (this, previous, last year, the flags' baseline):
    (area_summary per `level`, compare_periods per strategic area, unusual per `level`).
    Each is exactly what its own function returns."""
    three = _three_periods(f)
    max_periods = max_periods or settings.value("baseline_periods")
    plan = _baseline(f, first_data_day, max_periods)
    periods = three + ([(plan["current"].start, plan["current"].end), (plan["base"].start, plan["base"].end)]
                       if plan["periods"] else [])
    table = period_counts(conn, f, periods, (level, "category")).table
    strategy = dict(conn.execute(select(Category.code, Category.strategic_area)).all())
    summary = area_summary(conn, f, level, policy, table=_rollup(table, level, 3))
    total = _compare(_rollup(table.assign(strategic_area=table["category"].map(strategy)), "strategic_area", 3),
                     "strategic_area", policy, None)
    flags_table = None
    if plan["periods"]:
        flags_table = table[[level, "category", "n3", "n4", key_column(3), key_column(4), "s3", "s4"]].set_axis(
            [level, "category", "n0", "n1", key_column(0), key_column(1), "s0", "s1"], axis=1)
        flags_table = flags_table[(flags_table[["n0", "n1"]] > 0).any(axis=1)].reset_index(drop=True)
    flags = unusual(conn, f, level, policy, first_data_day, max_periods, table=flags_table)
    return summary, total, flags


def baseline_periods(f: Filters, first_data_day: dt.date, max_periods: int) -> int:
    """How many whole periods of the selection's length fit before it, up to max_periods."""
    weeks = max(1, round(f.days / 7))
    available = (monday(f.start) - monday(first_data_day)).days // 7
    return max(0, min(max_periods, available // weeks))


def _baseline(f: Filters, first_data_day: dt.date, max_periods: int) -> dict:
    """The flags' periods: the whole weeks of the selection and the periods of the same length
    before them (as many as the data allows, up to max_periods)."""
    weeks = max(1, round(f.days / 7))
    start = monday(f.start)
    cur_f = f.with_period(start, start + dt.timedelta(weeks=weeks, days=-1))
    periods = baseline_periods(cur_f, first_data_day, max_periods) if first_data_day else 0  # None: no data
    base_start = start - dt.timedelta(weeks=weeks * periods)
    return {"weeks": weeks, "start": start, "current": cur_f, "periods": periods, "base_start": base_start,
            "base": f.with_period(base_start, start - dt.timedelta(days=1))}


@dataclass(frozen=True)
class Baseline:
    """What a period is compared with: `periods` periods of `weeks` weeks each, from the Monday
    `start` up to the Monday `current` where the compared period begins."""

    periods: int
    weeks: int
    start: dt.date
    current: dt.date

    @property
    def last_week(self) -> dt.date:
        """Monday of the baseline's last week."""
        return self.current - dt.timedelta(weeks=1)

    @property
    def current_last_week(self) -> dt.date:
        """Monday of the compared period's last week."""
        return self.current + dt.timedelta(weeks=self.weeks - 1)


@dataclass(frozen=True)
class Flags:
    """The cells a test found unusual (published counts, q-values) and what they were tested
    against; `baseline` is None when there is too little data before the period."""

    cells: pd.DataFrame  # area_id, category, observed, observed_label, expected, expected_suppressed, direction, q
    baseline: Baseline | None
    tested: int


def unusual(conn: Connection, f: Filters, level: str, policy: Policy, first_data_day: dt.date,
            max_periods: int | None = None, table: pd.DataFrame | None = None) -> Flags:
    """Area × category cells whose count in the period is unusual against the periods before.

    `table`: the period_counts table of (current, baseline) per (level, category), when the caller has it.
    """
    plan = _baseline(f, first_data_day, max_periods or settings.value("baseline_periods"))
    weeks, start, periods, base_start = plan["weeks"], plan["start"], plan["periods"], plan["base_start"]
    if periods == 0:
        empty = pd.DataFrame(columns=["area_id", "category", "observed", "observed_label", "expected",
                                      "expected_suppressed", "direction", "q"])
        return Flags(empty, None, 0)
    cur_f, base_f = plan["current"], plan["base"]
    keys = [level, "category"]
    if table is None:
        table = period_counts(conn, f, [(cur_f.start, cur_f.end), (base_f.start, base_f.end)], tuple(keys)).table
    # Keys without events in one of the two periods come as 0 there, as the outer merge would give.
    current, baseline = table[keys].assign(n=table["n0"]), table[keys].assign(n=table["n1"])
    # The test runs on the true counts; what is printed is the published count of the cell and of
    # its baseline (the expected value is the published baseline total over the periods).
    tested = flag_unusual(current, baseline, keys, periods)
    sens = table[keys].assign(sensitive=table["s0"] | table["s1"], key0=table[key_column(0)],
                              key1=table[key_column(1)])
    flagged = tested[tested["direction"].notna()].merge(sens, on=keys, how="left")
    flagged = flagged.rename(columns={level: "area_id"}).fillna({"sensitive": True, "key0": 0, "key1": 0})
    shown = publish(flagged.rename(columns={"observed": "n", "key0": KEY_COLUMN}), policy)
    shown = shown.rename(columns={"n": "observed", "n_label": "observed_label"})
    base = publish(flagged.rename(columns={"baseline_total": "n", "key1": KEY_COLUMN}), policy)
    shown = shown.drop(columns=["key1", "baseline_total", "ratio"], errors="ignore")
    shown["expected"] = (base["n"] / periods).to_numpy()
    shown["expected_suppressed"] = base["suppressed"].to_numpy()
    shown = shown.drop(columns=["n_label"], errors="ignore")
    shown.attrs.clear()
    return Flags(shown, Baseline(periods, weeks, base_start, start), tested.attrs.get("cells_tested", len(tested)))


def category_names(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(Category.code, Category.name)).all())



@dataclass(frozen=True)
class WeekComparison:
    """Per row of `table` (a dimension, n, n_label, suppressed, expected): the week's published
    count and the mean per week of its baseline's published total."""

    table: pd.DataFrame
    baseline: Baseline


def week_vs_baseline(conn: Connection, week: Filters, dim: str, policy: Policy,
                     weeks: int = 12, table: pd.DataFrame | None = None) -> WeekComparison:
    """Per `dim`: the week's count and the mean of the `weeks` weeks before it (both published).

    `table`: the period_counts table of (the week, the weeks before) per `dim`, when the caller has it."""
    start = monday(week.start)
    base = week.with_period(start - dt.timedelta(weeks=weeks), start - dt.timedelta(days=1))
    if table is None:
        table = period_counts(conn, week, [(start, start + dt.timedelta(days=6)), (base.start, base.end)],
                              (dim,)).table
    table = table.sort_values(dim, kind="stable").reset_index(drop=True)  # as an outer merge orders
    sensitive = (table["s0"] | table["s1"]).astype(bool)
    shown = publish(pd.DataFrame({dim: table[dim], "n": table["n0"], KEY_COLUMN: table[key_column(0)],
                                  "sensitive": sensitive}), policy)
    baseline = publish(pd.DataFrame({"n": table["n1"], KEY_COLUMN: table[key_column(1)], "sensitive": sensitive}),
                       policy)
    shown["expected"] = (baseline["n"] / weeks).to_numpy()
    return WeekComparison(shown.drop(columns=["sensitive"]), Baseline(weeks, 1, base.start, start))


def briefing(conn: Connection, week: Filters, policy: Policy, first_data_day: dt.date,
             weeks: int = 12) -> tuple[WeekComparison, Flags]:
    """What Veckobriefing compares, from one query per område × category for the week and the
    `weeks` weeks before it: (week_vs_baseline per strategic area, unusual per område), each exactly
    what its own function returns."""
    plan = _baseline(week, first_data_day, weeks)
    if plan["periods"] != weeks or plan["weeks"] != 1:  # too little data before: not the same baseline
        return (week_vs_baseline(conn, week, "strategic_area", policy, weeks),
                unusual(conn, week, "omrade", policy, first_data_day, weeks))
    cur, base = plan["current"], plan["base"]
    table = period_counts(conn, week, [(cur.start, cur.end), (base.start, base.end)], ("omrade", "category")).table
    strategy = dict(conn.execute(select(Category.code, Category.strategic_area)).all())
    by_strategy = _rollup(table.assign(strategic_area=table["category"].map(strategy)), "strategic_area", 2)
    return (week_vs_baseline(conn, week, "strategic_area", policy, weeks, table=by_strategy),
            unusual(conn, week, "omrade", policy, first_data_day, weeks, table=table))


def _pyramid_filters(conn: Connection, f: Filters) -> Filters:
    from dataclasses import replace
    codes = tuple(conn.execute(select(Category.code).where(Category.pyramid_level.is_not(None))).scalars())
    if f.categories:
        codes = tuple(c for c in codes if c in f.categories)
    return replace(f, categories=codes or ("-",))


def pyramid(conn: Connection, f: Filters, policy: Policy) -> pd.DataFrame:
    """Published counts per level of the violence pyramid (1–5), labelled."""
    from lagesbild.queries.labels import label_columns
    raw = raw_counts(conn, _pyramid_filters(conn, f), ("pyramid_level",))
    if raw.empty:
        return publish(raw, policy)
    return label_columns(conn, publish(raw, policy), ["pyramid_level"])


def pyramid_by_area(conn: Connection, f: Filters, policy: Policy) -> pd.DataFrame:
    """Kommundel × pyramid level, published, labelled."""
    from lagesbild.queries.labels import label_columns
    raw = raw_counts(conn, _pyramid_filters(conn, f), ("kommundel", "pyramid_level"))
    if raw.empty:
        return publish(raw, policy)
    shown = publish(raw, policy)
    return label_columns(conn, shown, ["kommundel", "pyramid_level"])
