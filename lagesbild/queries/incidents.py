"""Incident counts from the marts: any breakdown, exact date periods, published before they leave.

Inside the query layer a count travels with the sum of its records' keys (`ksum`, the Cell Key
Method of lagesbild.privacy) and whether it holds a person-related category (`sensitive`);
`counts` and every other function a page calls return only what privacy.publish gives.

One count under every page: `period_counts(conn, f, periods, by)` counts exactly the dates of each
period (any weekday; the sidebar's named periods are whole ISO weeks). What the marts know is the
running total up to a Sunday (mart_incident_week's cum/kcum, one index lookup per combination) and
up to a month's end (the monthly totals' running total), so a period cut at those days is answered
by the marts alone; the at most 6 days outside them on either side are summed from the incident
rows held in memory. A breakdown by week, month, quarter or year slices
each period: the whole weeks/months from the weekly or monthly mart, the partial first and last
one from the incident rows. Place type and age group, and every count of days outside the marts'
weeks and months, are summed from the incident rows held in memory (lagesbild.queries.facts,
`_fact_counts`). raw_counts and period_table are period_counts of one period / its table.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Integer, and_, case, cast, extract, func, literal_column, or_, select

from lagesbild import settings
from lagesbild.errors import LagesbildError
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.filters import Filters, area_ids, category_conditions, category_ids, monday
from lagesbild.queries.facts import Rows, facts
from lagesbild.queries.frames import frame
from lagesbild.store.models import (Area, Category, CategoryFocus, Incident, MartIncidentCombo,
                                    MartIncidentMonthTotal, MartIncidentWeek)

DIMENSIONS: dict[str, str] = {
    "kommundel": "Kommundel",
    "omrade": "Område",
    "category": "Kategori",
    "strategic_area": "Strategiskt område",
    "focus_area": "Fokusområde",
    "source": "Källa",
    "pyramid_level": "Våldspyramiden",
    "week": "Vecka",
    "month": "Månad",
    "quarter": "Kvartal",
    "year": "År",
    "place_type": "Platstyp",
    "age_group": "Åldersgrupp",
}
WEEK_ONLY = {"week"}
MONTH_ONLY = {"month", "quarter", "year", "place_type", "age_group"}

cat_t, areas_t, focus_t = Category.__table__, Area.__table__, CategoryFocus.__table__
week_t, combo_t, inc_t = MartIncidentWeek.__table__, MartIncidentCombo.__table__, Incident.__table__
month_total_t = MartIncidentMonthTotal.__table__
DETAIL_ONLY = {"place_type", "age_group"}  # only in the full monthly mart


class QueryError(LagesbildError):
    """A selection the store cannot answer (the message says why, in Swedish)."""


class TooManyRowsError(QueryError):
    """The breakdown would send more rows to the page than it can show."""


def row_limit() -> int:
    """Most rows one breakdown may send to a page (the setting row_limit)."""
    return settings.value("row_limit")


def too_many_rows() -> TooManyRowsError:
    return TooManyRowsError(f"Urvalet ger fler än {row_limit():,} rader. Välj en kortare period, "
                            "färre områden eller en grövre indelning.".replace(",", "\u00a0"))


def grain_for(by: tuple[str, ...], grain: str | None = None) -> str:
    dims = set(by)
    if dims & WEEK_ONLY and dims & MONTH_ONLY:
        raise QueryError("Vecka kan inte kombineras med månad, kvartal, år, platstyp eller "
                         "åldersgrupp. Välj månad i stället för vecka.")
    if dims & MONTH_ONLY:
        return "month"
    return grain or "week"


def period_bounds(f: Filters, grain: str) -> tuple[dt.date, dt.date]:
    """First and last period start covered: every week/month that overlaps the selection."""
    first = monday(f.start) if grain == "week" else f.start.replace(day=1)
    return first, f.end


def _dim_column(dim: str, t, grain: str):
    if dim in ("week", "month", "quarter", "year"):
        period = t.c.week_start if grain == "week" else t.c.month_start
    columns = {
        "kommundel": lambda: func.coalesce(areas_t.c.kommundel_id, areas_t.c.id),
        "omrade": lambda: t.c.area_id,
        "category": lambda: cat_t.c.code,
        "strategic_area": lambda: cat_t.c.strategic_area,
        "focus_area": lambda: focus_t.c.focus_area,
        "source": lambda: t.c.source,
        "pyramid_level": lambda: cat_t.c.pyramid_level,
        "week": lambda: period,
        "month": lambda: period,
        "quarter": lambda: _period_column("quarter", period),
        "year": lambda: _period_column("year", period),
        "place_type": lambda: t.c.place_type,
        "age_group": lambda: t.c.age_group,
    }
    return columns[dim]()


def counts_query(conn: Connection, f: Filters, by: tuple[str, ...], grain: str | None = None):
    """The SQL for summed counts of a mart grouped by `by` over whole weeks or months: the weekly
    mart for a breakdown by week, the monthly totals for months, quarters and years (place type
    and age group are not in these marts: period_counts sums them from the incident rows held in
    memory). Every week/month that overlaps f's dates is summed whole: period_counts calls it only
    with dates that are whole weeks/months."""
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise QueryError(f"Okänd indelning: {', '.join(unknown)}")
    grain = grain_for(by, grain)
    first, last = period_bounds(f, grain)
    t = (MartIncidentWeek if grain == "week" else MartIncidentMonthTotal).__table__
    period = t.c.week_start if grain == "week" else t.c.month_start
    conditions = [period >= first, period <= last, t.c.n > 0, *_filter_conditions(conn, f, t)]
    # Mart rows are first summed per month and område; quarters, years and kommundelar are
    # computed from those sums, not on every mart row (a lookup of the area per row, date
    # functions per row).
    derived = [d for d in by if d in ("quarter", "year", "kommundel")]
    inner = [d for d in by if d not in derived]
    inner += [d for d, needed in (("month", {"quarter", "year"}), ("omrade", {"kommundel"}))
              if set(derived) & needed and d not in inner]
    joined = t.join(cat_t, cat_t.c.id == t.c.category_id)
    if "focus_area" in by:
        joined = joined.join(focus_t, focus_t.c.category_id == t.c.category_id)
    cols = [_dim_column(d, t, grain).label(d) for d in inner]
    sensitive = func.max(case((cat_t.c.sensitivity == "person", 1), else_=0)).label("sensitive")
    query = select(*cols, func.sum(t.c.n).label("n"), func.sum(t.c.ksum).label(KEY_COLUMN), sensitive) \
        .select_from(joined).where(*conditions)
    if cols:
        query = query.group_by(*cols)
    if derived:
        sums = query.subquery("sums")
        source = sums.join(areas_t, areas_t.c.id == sums.c.omrade) if "kommundel" in derived else sums
        cols = [(func.coalesce(areas_t.c.kommundel_id, areas_t.c.id) if d == "kommundel" else
                 _period_column(d, sums.c.month) if d in derived else sums.c[d]).label(d) for d in by]
        query = select(*cols, func.sum(sums.c.n).label("n"), func.sum(sums.c[KEY_COLUMN]).label(KEY_COLUMN),
                       func.max(sums.c.sensitive).label("sensitive")).select_from(source).group_by(*cols)
    return query.order_by(*cols) if cols else query


def _filter_conditions(conn: Connection, f: Filters, t) -> list:
    """The selection's area, source and taxonomy conditions on a table with area_id, category_id
    and source (a mart, mart_incident_combo or the incidents)."""
    conds = category_conditions(f, t.c.category_id)
    ids = area_ids(conn, f.areas)
    if ids is not None:
        conds.append(t.c.area_id.in_(ids))
    if f.sources:
        conds.append(t.c.source.in_(f.sources))
    return conds


def _period_column(dim: str, month):
    year = cast(extract("year", month), Integer)
    return year * 10 + (cast(extract("month", month), Integer) + 2) // 3 if dim == "quarter" else year


# Up to this many weeks a period is summed from its weekly rows (about one row per combination and
# week) rather than from two running totals per combination: an index lookup costs about as much
# as reading 2 weekly rows on SQLite and 15 on PostgreSQL (measured at 3 000 combinations). Several
# periods: their weeks against half as many per distinct cut (a trend's partial months, a week
# and the same week a year earlier).
FEW_WEEKS = {"sqlite": 4, "postgresql": 26}


def _few_weeks(conn: Connection, bounds: list[tuple[dt.date, dt.date]], cuts: int) -> bool:
    weeks = len(_weeks_of(bounds))
    return weeks <= FEW_WEEKS.get(conn.dialect.name, 0) * max(cuts, 2) / 2


def _weeks_of(bounds: list[tuple[dt.date, dt.date]]) -> list[dt.date]:
    """The Mondays of the whole weeks first..last of each of `bounds`."""
    return sorted({a + dt.timedelta(weeks=w) for a, b in bounds for w in range((b - a).days // 7 + 1)})


def _weekly_rows(conn: Connection, f: Filters, bounds: list[tuple[dt.date, dt.date]]):
    """The weekly rows of the periods' weeks, and per period an expression that is a row's count
    (and one that is its key sum) inside the period, 0 outside."""
    t = week_t
    weeks = _weeks_of(bounds)
    within = (t.c.week_start.between(weeks[0], weeks[-1]) if len(weeks) == (weeks[-1] - weeks[0]).days // 7 + 1
              else t.c.week_start.in_(weeks))
    conds = [within, t.c.n > 0, *_filter_conditions(conn, f, t)]
    rows = select(t.c.area_id, t.c.category_id, t.c.source, t.c.week_start, t.c.n, t.c.ksum) \
        .where(*conds).subquery("weeks")
    ns = [case((rows.c.week_start.between(a, b), rows.c.n), else_=0) for a, b in bounds]
    ks = [case((rows.c.week_start.between(a, b), rows.c.ksum), else_=0) for a, b in bounds]
    return rows, ns, ks


# A running total and its key sum packed into one integer, cum * PACK + kcum, so that one lookup
# gives both (kcum < PACK while a combination has fewer than 2^24 events; cum * PACK < 2^63 while
# it has fewer than 2^23).
PACK = 1 << 40
_PACK = literal_column(str(PACK))


def packed(mart):
    """A mart row's running total and key sum as one integer (cum * PACK + kcum)."""
    return mart.c.cum * _PACK + mart.c.kcum


def unpack(packed_difference):
    """(events, key sum) of the difference of two packed running totals."""
    # Precedence of * and /: the difference is parenthesised, integer division on both backends.
    return packed_difference.op("/", precedence=8)(_PACK), packed_difference.op("%", precedence=8)(_PACK)


def combo_week(column, area_id, category_id, source, through: dt.date | None = None, newest: bool = True,
               mart=week_t):
    """`column` (an expression of mart_incident_week, or of `mart`: mart_incident_month_total) at
    the newest (newest=False: the first) week (month) of one combination (area, category, source:
    columns or values) that starts on or before `through`: one lookup in ix_mart_incident_week_cum
    (ix_mart_incident_month_total_cum), NULL when there is none. The one place the queries read
    the marts' running totals (running_total, queries.imports)."""
    start = mart.c.week_start if mart is week_t else mart.c.month_start
    conds = [mart.c.area_id == area_id, mart.c.category_id == category_id, mart.c.source == source]
    if through is not None:
        conds.append(start <= through)
    return select(column).where(*conds).order_by(start.desc() if newest else start.asc()).limit(1).scalar_subquery()


def running_total(area_id, category_id, source, through: dt.date, month: bool = False):
    """The packed running total (cum and kcum in one integer, see PACK) of one combination up to
    and including the week that starts on or before `through` (month=True: the month; `through`
    is then a month's last day), 0 before its first week (month)."""
    m = month_total_t if month else week_t
    return func.coalesce(combo_week(packed(m), area_id, category_id, source, through, mart=m), 0)


# ---------------------------------------------------------------------------------------------
# Exact periods. A period is a pair of inclusive dates, any weekday. Its whole ISO weeks (or whole
# months, for what only the monthly marts hold) come from the marts; the days before its first
# and after its last whole week (at most 6 on each side; for months up to 30) come from the
# incident rows by date. A selection of whole weeks, as the sidebar's named periods are, reads
# no incident row.

TIME_DIMS = ("week", "month", "quarter", "year")


def _unit_start(unit: str, day: dt.date) -> dt.date:
    return monday(day) if unit == "week" else day.replace(day=1)


def _unit_end(unit: str, start: dt.date) -> dt.date:
    if unit == "week":
        return start + dt.timedelta(days=6)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def units(unit: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, dt.date]]:
    """Each week/month that overlaps start..end: (its first day, the first and the last day of it
    inside start..end)."""
    out, day = [], _unit_start(unit, start)
    while day <= end:
        last = _unit_end(unit, day)
        out.append((day, max(day, start), min(last, end)))
        day = last + dt.timedelta(days=1)
    return out


def _cut(day: dt.date) -> bool:
    """Whether the marts know the running total up to and including `day`: a Sunday (the weekly
    running totals) or the last day of a month (the monthly mart, see _mart_table)."""
    return day.weekday() == 6 or (day + dt.timedelta(days=1)).day == 1


def _split(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list]:
    """The part of start..end the marts count (first day, last day; None: none) and the days
    outside it (a list of date ranges, counted from the incident rows): from the first day after
    a Sunday or a month's end to the last Sunday or month's end (at most 6 days outside on either
    side)."""
    first, last = start, end
    while first <= end and not _cut(first - dt.timedelta(days=1)):
        first += dt.timedelta(days=1)
    while last >= first and not _cut(last):
        last -= dt.timedelta(days=1)
    if first > last:
        return None, ([(start, end)] if start <= end else [])
    core = (first, last)
    edges = [r for r in ((start, core[0] - dt.timedelta(days=1)), (core[1] + dt.timedelta(days=1), end))
             if r[0] <= r[1]]
    return core, edges


class PeriodCounts:
    """True counts of exact date periods side by side, for the query layer's own arithmetic
    (publish before anything leaves it): `table` holds the columns of `by`, then per period i
    n{i} (events, int), ksum_{i} (their key sum, int) and s{i} (a person-related category among
    them, bool); one row per key with events in any period, ordered by `by`.

    A breakdown with a time dimension is counted period by period (`long`, one frame each) and
    put side by side only when `table` is read: trends read the periods one at a time."""

    def __init__(self, by: tuple[str, ...], periods, table: pd.DataFrame | None = None,
                 long: list[pd.DataFrame] | None = None):
        if (table is None) == (long is None):
            raise ValueError("PeriodCounts needs either the table or the long frames")
        self.by, self.periods = tuple(by), tuple(periods)
        self._table, self._long = table, long

    @property
    def table(self) -> pd.DataFrame:
        if self._table is None:
            self._table = _wide(self._long, self.by)
        return self._table

    def period(self, i: int) -> pd.DataFrame:
        """Period i alone (columns by, n, ksum, sensitive): the keys with events in it (with no
        `by`, one row, also when it is 0)."""
        if self._long is not None:
            return self._long[i].copy()
        df = self.table[[*self.by, f"n{i}", key_column(i), f"s{i}"]].set_axis(
            [*self.by, "n", KEY_COLUMN, "sensitive"], axis=1)
        if self.by:
            df = df[df["n"] > 0]
        return df.reset_index(drop=True)


def key_column(i: int) -> str:
    """The key-sum column of period i of a PeriodCounts table."""
    return f"{KEY_COLUMN}_{i}"


def _columns(count: int) -> tuple[list[str], list[str], list[str]]:
    return [f"n{i}" for i in range(count)], [key_column(i) for i in range(count)], [f"s{i}" for i in range(count)]


def _int_column(col: pd.Series) -> pd.Series:
    """Counts and key sums as int64, 0 for none (key sums exceed a float's 53 bits: no float detour
    where the store gave integers)."""
    if col.dtype == "int64":
        return col
    return (col.fillna(0) if col.hasnans else col).astype("int64")


def _bool_column(col: pd.Series) -> pd.Series:
    if col.dtype == bool:
        return col
    if col.dtype.kind in "iuf":
        return (col.fillna(0) if col.hasnans else col).astype(bool)
    return col.astype("boolean").fillna(False).astype(bool)


def _typed(table: pd.DataFrame, count: int) -> pd.DataFrame:
    ns, ks, ss = _columns(count)
    typed = {c: (_int_column(table[c]) if c in table else 0) for c in ns + ks}
    typed.update({c: (_bool_column(table[c]) if c in table else False) for c in ss})
    return table.assign(**typed)


def period_counts(conn: Connection, f: Filters, periods, by: tuple[str, ...]) -> PeriodCounts:
    """Events of f's areas, sources and categories in each period (start, end) of `periods`
    (exact dates; f's own dates are not used), counted by `by` (names of DIMENSIONS). The one
    count under every page: overview, briefing, flags, trends, the map's totals and raw_counts.

    A breakdown by week, month, quarter or year slices each period at those boundaries: a slice at
    either end holds only the period's days (the first and last month of a period of weeks are
    partial). Periods without a time dimension share one query per store (their whole weeks from
    running totals or weekly rows, see _mart_table) and one over the incident rows for their edge days.
    """
    by, periods = tuple(by), tuple((a, b) for a, b in periods)
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise QueryError(f"Okänd indelning: {', '.join(unknown)}")
    grain_for(by)  # refuses weeks with months
    if set(by) & DETAIL_ONLY:
        frames = _fact_counts(conn, f, [[p] for p in periods], by)
        if set(by) & set(TIME_DIMS):
            return PeriodCounts(by, periods, long=frames)
        table = _stored_order(conn, _wide(frames, by), by)
        table = table[[*by, *[c for cs in _columns(len(periods)) for c in cs]]]
        if len(table) > row_limit() * len(periods):
            raise too_many_rows()
        return PeriodCounts(by, periods, table=table)
    if set(by) & set(TIME_DIMS):
        return PeriodCounts(by, periods, long=_sliced(conn, f, periods, by))
    return PeriodCounts(by, periods, table=_exact_table(conn, f, periods, by))


def _stored_order(conn: Connection, table: pd.DataFrame, by: tuple[str, ...]) -> pd.DataFrame:
    """Rows ordered by `by` as the store orders them: SQLite puts NULL first, PostgreSQL last."""
    if not by:
        return table
    return table.sort_values(list(by), kind="stable", na_position="first" if conn.dialect.name == "sqlite"
                             else "last").reset_index(drop=True)


# Place type and age group: summed from the incident rows held in memory (lagesbild.queries.facts),
# exactly the periods' days. The other dimensions' values are looked up per area and category with
# the same SQL expressions as the marts' queries use (_dim_column), so each has one definition.
_AREA_DIMS, _CATEGORY_DIMS = ("kommundel",), ("category", "strategic_area", "pyramid_level")


def _fact_counts(conn: Connection, f: Filters, spans: list[list[tuple[dt.date, dt.date]]],
                 by: tuple[str, ...]) -> list[pd.DataFrame]:
    """Long frames (by, n, ksum, sensitive) of each span (a list of date ranges counted together),
    ordered by `by` as the store orders; with no `by` one row, also when it is 0. All spans are
    summed in one pass: one set of pandas operations however many there are."""
    copy = facts(conn)
    chosen_categories = category_ids(conn, f)
    ids = area_ids(conn, f.areas)
    parts, span_of = [], []
    for j, ranges in enumerate(spans):
        for start, end in ranges:
            rows = copy.rows(start, end)
            keep = np.flatnonzero(copy.chosen(rows, ids, chosen_categories, f.sources))
            parts.append(rows.take(keep))
            span_of.append(np.full(len(keep), j, dtype=np.int32))
    rows = Rows.join(parts)
    base = {"span": np.concatenate(span_of) if span_of else np.empty(0, dtype=np.int32),
            "category": rows.category, "n": rows.count.astype(np.int64), KEY_COLUMN: rows.rkey}
    if set(by) & {"omrade", "kommundel"}:
        base["area"] = rows.area.astype("int64")
    for d, column in (("source", rows.source), ("place_type", rows.place), ("age_group", rows.age)):
        if d in by:
            base[d] = column
    if set(by) & set(TIME_DIMS):
        base["month"] = rows.day.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[s]")
    df = pd.DataFrame(base)
    keys = [c for c in df.columns if c not in ("n", KEY_COLUMN)]
    df = df.groupby(keys, sort=False).agg(n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")}).reset_index()
    person = pd.Series(dict(conn.execute(select(cat_t.c.id, cat_t.c.sensitivity == "person")).all()), dtype=bool)
    df["sensitive"] = df["category"].map(person).fillna(False).astype(bool) & (df["n"] > 0)
    df = _fact_dims(conn, df, by, copy)
    df = (df.groupby(["span", *by], sort=False, dropna=False)
          .agg(n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")}, sensitive=("sensitive", "max")).reset_index())
    columns = [*by, "n", KEY_COLUMN, "sensitive"]
    found = dict(tuple(df.groupby("span", sort=False))) if len(df) else {}
    out = []
    for j in range(len(spans)):
        part = found.get(j)
        if not by:
            n, k = (int(part["n"].sum()), int(part[KEY_COLUMN].sum())) if part is not None else (0, 0)
            out.append(_typed_long(pd.DataFrame([[n, k, bool(part is not None and part["sensitive"].any())]],
                                                columns=columns)))
            continue
        part = _stored_order(conn, part[part["n"] > 0], by) if part is not None else None
        if part is None or not len(part):
            out.append(_typed_long(pd.DataFrame(columns=columns)))
            continue
        if len(part) > row_limit():
            raise too_many_rows()
        out.append(_typed_long(part[columns].reset_index(drop=True)))
    return out


def _fact_dims(conn: Connection, df: pd.DataFrame, by: tuple[str, ...], copy) -> pd.DataFrame:
    """The values of the dimensions `by` beside rows keyed by area, category, code and month:
    area and category dimensions looked up with the marts' own SQL expressions (_dim_column);
    a category in two focus areas counts in both (as the marts' join)."""
    if "focus_area" in by:
        focus = pd.DataFrame(conn.execute(select(focus_t.c.category_id, focus_t.c.focus_area)).all(),
                             columns=["category", "focus_area"])
        df = df.merge(focus, on="category")
    names = {"source": copy.sources, "place_type": copy.places, "age_group": copy.ages}
    for d in by:
        if d == "omrade":
            df[d] = df["area"]
        elif d in _AREA_DIMS + _CATEGORY_DIMS:
            key = "area" if d in _AREA_DIMS else "category"
            values = dict(conn.execute(select(areas_t.c.id if key == "area" else cat_t.c.id,
                                              _dim_column(d, None, "month"))).all())
            df[d] = df[key].map(values)
        elif d in names:
            df[d] = pd.Series(names[d], dtype=object).to_numpy()[df[d].to_numpy()]
        elif d == "month":
            df[d] = [m.date() for m in pd.to_datetime(df["month"])]
        elif d in ("quarter", "year"):
            month = pd.DatetimeIndex(df["month"])
            df[d] = month.year * 10 + (month.month + 2) // 3 if d == "quarter" else month.year
    return df


def _side_by_side(frames: list[pd.DataFrame], by: tuple[str, ...], order: list[int]) -> pd.DataFrame:
    """Long frames of the periods `order` side by side (n{i}, ksum_{i}, s{i} for each i)."""
    table = None
    for i, df in zip(order, frames):
        df = df.rename(columns={"n": f"n{i}", KEY_COLUMN: key_column(i), "sensitive": f"s{i}"})
        if table is None:
            table = df
        elif by:
            table = table.merge(df, on=list(by), how="outer")
        else:
            table = pd.concat([table, df], axis=1)
    return table


def _wide(frames: list[pd.DataFrame], by: tuple[str, ...]) -> pd.DataFrame:
    """Long frames (by, n, ksum, sensitive), one per period, side by side."""
    table = None
    for i, df in enumerate(frames):
        df = df.rename(columns={"n": f"n{i}", KEY_COLUMN: key_column(i), "sensitive": f"s{i}"})
        table = df if table is None else table.merge(df, on=list(by), how="outer")
    table = table.sort_values(list(by), kind="stable").reset_index(drop=True)
    return _typed(table, len(frames))


def _exact_table(conn: Connection, f: Filters, periods, by: tuple[str, ...]) -> pd.DataFrame:
    """Periods side by side, `by` without a time dimension, place type or age group: their whole
    weeks (or cut at a month's end) from the marts' running totals, the days outside them from the
    incident rows held in memory."""
    split = [_split(a, b) for a, b in periods]
    cores = {i: core for i, (core, _) in enumerate(split) if core}
    edges = {i: e for i, (_, e) in enumerate(split) if e}
    parts = []
    if cores:
        order = list(cores)
        table = _mart_table(conn, f, [cores[i] for i in order], by)
        names = {}
        for j, i in enumerate(order):
            names.update({f"n{j}": f"n{i}", key_column(j): key_column(i), f"s{j}": f"s{i}"})
        parts.append(table.rename(columns=names))
    if edges:  # the days outside the marts' weeks, from the incident rows held in memory
        order = list(edges)
        parts.append(_stored_order(conn, _side_by_side(_fact_counts(conn, f, [edges[i] for i in order], by), by,
                                                       order), by))
    if not parts:
        parts = [pd.DataFrame([[0] * len(by)], columns=list(by)).iloc[:0] if by else pd.DataFrame(index=[0])]
    if len(parts) == 1:  # as the store ordered it
        return _typed(parts[0], len(periods))
    both = pd.concat([_typed(p, len(periods)) for p in parts], ignore_index=True)
    ns, ks, ss = _columns(len(periods))
    sums = {**{c: "sum" for c in ns + ks}, **{c: "max" for c in ss}}
    if not by:
        return pd.DataFrame([both.agg(sums)]).astype({**{c: "int64" for c in ns + ks}, **{c: bool for c in ss}})
    table = _stored_order(conn, both.groupby(list(by), sort=True, dropna=False).agg(sums).reset_index(), by)
    if len(table) > row_limit() * len(periods):
        raise too_many_rows()
    return _typed(table, len(periods))


def _joined(t, by: tuple[str, ...]):
    """`t` joined with what the dimensions `by` need."""
    joined = t.join(cat_t, cat_t.c.id == t.c.category_id)
    if "kommundel" in by:
        joined = joined.join(areas_t, areas_t.c.id == t.c.area_id)
    if "focus_area" in by:
        joined = joined.join(focus_t, focus_t.c.category_id == t.c.category_id)
    return joined


def _mart_table(conn: Connection, f: Filters, bounds: list[tuple[dt.date, dt.date]],
                by: tuple[str, ...]) -> pd.DataFrame:
    """The whole weeks first..last of each of `bounds`, side by side as in PeriodCounts: one
    query. Each distinct bound is one running total per combination (a period and the one before
    it share one): a Sunday's from the weekly mart, a month's last day's from the monthly totals;
    or, for a few weeks in all, the weekly rows are read."""
    count = len(bounds)
    ns_, ks_, ss_ = _columns(count)
    # "week_start < first" is "week_start <= first - 1 day": every cut is a running total up to a day,
    # a Sunday or the last day of a month (_split).
    cuts = sorted({d for first, last in bounds for d in (first - dt.timedelta(days=1), last)})
    month_ends = {d for d in cuts if d.weekday() != 6}  # a month's running total; a Sunday's: the week's
    if not month_ends and _few_weeks(conn, bounds, len(cuts)):
        t, ns, ks = _weekly_rows(conn, f, bounds)
    else:
        combo = (combo_t.c.area_id, combo_t.c.category_id, combo_t.c.source)
        totals = [running_total(*combo, d, month=d in month_ends).label(f"c{i}") for i, d in enumerate(cuts)]
        # MATERIALIZED: computed once; as a plain subquery SQLite repeats the lookups per use.
        t = select(*combo, *totals).where(*_filter_conditions(conn, f, combo_t)).cte("running_totals") \
            .prefix_with("MATERIALIZED")
        at = {d: t.c[f"c{i}"] for i, d in enumerate(cuts)}
        ns, ks = zip(*(unpack(at[last] - at[first - dt.timedelta(days=1)]) for first, last in bounds))
    cols = [_dim_column(d, t, "week").label(d) for d in by]
    person = cat_t.c.sensitivity == "person"
    query = (select(*cols, *[func.sum(n).label(ns_[i]) for i, n in enumerate(ns)],
                    *[func.sum(k).label(ks_[i]) for i, k in enumerate(ks)],
                    *[func.max(case((and_(person, n > 0), 1), else_=0)).label(ss_[i])
                      for i, n in enumerate(ns)])
             .select_from(_joined(t, by)).where(or_(*[n > 0 for n in ns])))
    if cols:
        query = query.group_by(*cols).order_by(*cols)
    table = frame(conn.execute(query.limit(count * row_limit() + 1)), [*by, *ns_, *ks_, *ss_])
    if by and len(table) and (table[ns_] > 0).sum().max() > row_limit():
        raise too_many_rows()
    if not by and table.empty:
        table = pd.DataFrame(index=[0])
    return _typed(table, count)


def _time_value(dim: str, unit_start: dt.date):
    if dim == "quarter":
        return unit_start.year * 10 + (unit_start.month + 2) // 3
    if dim == "year":
        return unit_start.year
    return unit_start


def _sliced(conn: Connection, f: Filters, periods, by: tuple[str, ...]) -> list[pd.DataFrame]:
    """Periods by `by` with a time dimension (long frames: by, n, ksum, sensitive, ordered by
    `by`): their whole weeks or months from the mart, their partial first and last week/month
    from one period_counts without the time dimension (one read of the incident rows for all)."""
    unit = grain_for(by)
    rest = tuple(d for d in by if d not in TIME_DIMS)
    columns = [*by, "n", KEY_COLUMN, "sensitive"]
    wholes, edges = [], []
    for i, (start, end) in enumerate(periods):
        parts = units(unit, start, end)
        whole = [(u, s, e) for u, s, e in parts if s == u and e == _unit_end(unit, u)]
        edges += [(i, u, s, e) for u, s, e in parts if (u, s, e) not in whole]
        wholes.append(whole)
    frames: list[list[pd.DataFrame]] = [[] for _ in periods]
    for i, df in _whole_units(conn, f, wholes, by, unit).items():
        frames[i].append(df)
    if edges:  # partial weeks/months: their days from the incident rows held in memory
        slices = _fact_counts(conn, f, [[(s, e)] for _, _, s, e in edges], rest)
        for j, (i, u, _, _) in enumerate(edges):
            df = slices[j]
            df = df[df["n"] > 0]
            if len(df):
                frames[i].append(df.assign(**{d: _time_value(d, u) for d in by if d in TIME_DIMS})[columns])
    out = []
    for parts in frames:
        if not parts:
            out.append(_typed_long(pd.DataFrame(columns=columns)))
            continue
        df = _typed_long(pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0])
        if len(parts) > 1 and set(by) & {"quarter", "year"}:  # a quarter or year of whole and partial months
            df = df.groupby(list(by), sort=True, dropna=False).agg(
                n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")}, sensitive=("sensitive", "max")).reset_index()
        if len(parts) > 1:
            df = df.sort_values(list(by), kind="stable")
        out.append(df.reset_index(drop=True))
    return out


def _whole_units(conn: Connection, f: Filters, wholes: list[list], by: tuple[str, ...],
                 unit: str) -> dict[int, pd.DataFrame]:
    """The mart's rows of each period's whole weeks/months (period index -> long frame, ordered
    by `by`). With the week or month itself in `by`, one query over all the periods' units, each
    row then given to the periods that hold its unit (trends ask for a selection, the weeks before
    it and a year earlier: overlapping ranges); with quarter or year, one query per period."""
    columns = [*by, "n", KEY_COLUMN, "sensitive"]
    asked = {i: w for i, w in enumerate(wholes) if w}
    if not asked:
        return {}
    if unit in by and len(asked) > 1:
        first = min(w[0][1] for w in asked.values())
        last = max(w[-1][2] for w in asked.values())
        limit = row_limit() * len(asked)
        df = frame(conn.execute(counts_query(conn, f.with_period(first, last), by, unit).limit(limit + 1)), columns)
        if len(df) > limit:
            raise too_many_rows()
        df[unit] = pd.to_datetime(df[unit]).dt.date
        out = {}
        for i, whole in asked.items():
            part = df[df[unit].isin({u for u, _, _ in whole})]
            if len(part) > row_limit():
                raise too_many_rows()
            if len(part):
                out[i] = part.reset_index(drop=True)
        return out
    out = {}
    for i, whole in asked.items():
        query = counts_query(conn, f.with_period(whole[0][1], whole[-1][2]), by, unit).limit(row_limit() + 1)
        df = frame(conn.execute(query), columns)
        if len(df) > row_limit():
            raise too_many_rows()
        for d in ("week", "month"):
            if d in by and len(df):
                df[d] = pd.to_datetime(df[d]).dt.date
        if len(df):
            out[i] = df
    return out


def _typed_long(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(n=_int_column(df["n"]), **{KEY_COLUMN: _int_column(df[KEY_COLUMN])},
                     sensitive=_bool_column(df["sensitive"]))


def raw_counts(conn: Connection, f: Filters, by: tuple[str, ...], grain: str | None = None) -> pd.DataFrame:
    """True counts with their key sums over f's exact dates (period_counts): for the query layer's
    own arithmetic only, never for a page. With no `by`, one row."""
    grain_for(by, grain)
    df = period_counts(conn, f, [(f.start, f.end)], by).period(0)
    if len(df) > row_limit():
        raise too_many_rows()
    df = _typed_long(df)
    if "quarter" in by:
        df["quarter"] = df["quarter"].astype(int)
    if "year" in by:
        df["year"] = df["year"].astype(int)
    return df


def raw_counts_periods(conn: Connection, f: Filters, periods: list[tuple[dt.date, dt.date]],
                       by: tuple[str, ...]) -> list[pd.DataFrame]:
    """raw_counts(conn, f.with_period(start, end), by) for each (start, end) of `periods`."""
    counted = period_counts(conn, f, periods, by)
    return [_typed_long(counted.period(i)) for i in range(len(periods))]


def period_table(conn: Connection, f: Filters, periods: list[tuple[dt.date, dt.date]],
                 by: tuple[str, ...]) -> pd.DataFrame:
    """period_counts(...).table: the periods side by side (kept for the callers that want the frame)."""
    return period_counts(conn, f, periods, by).table


def counts(conn: Connection, f: Filters, by: tuple[str, ...], policy: Policy,
           grain: str | None = None) -> pd.DataFrame:
    """Published counts grouped by `by` (lagesbild.privacy.publish)."""
    return publish(raw_counts(conn, f, by, grain), policy)


def data_range(conn: Connection) -> tuple[dt.date | None, dt.date | None]:
    """First and last week start with any incidents (from the weekly mart)."""
    t = MartIncidentWeek.__table__
    # Two scalar subqueries: each is one index lookup (a single SELECT of min and max scans).
    first, last = conn.execute(select(select(func.min(t.c.week_start)).scalar_subquery(),
                                      select(func.max(t.c.week_start)).scalar_subquery())).one()
    return first, (last + dt.timedelta(days=6)) if last else None
