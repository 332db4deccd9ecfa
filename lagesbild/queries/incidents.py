"""Incident counts from the marts: any breakdown, one period, published before they leave.

Inside the query layer a count travels with the sum of its records' keys (`ksum`, the Cell Key
Method of lagesbild.privacy) and whether it holds a person-related category (`sensitive`);
`counts` and every other function a page calls return only what privacy.publish gives.

Which mart answers: a breakdown without weeks, months or what only the monthly mart has is summed
per (area, category, source) as the difference of two running totals of the weekly mart (two index
lookups per combination, whatever the length of the period); months, quarters and years come from
the slim monthly mart; weeks from the weekly mart; place type and age group from the full monthly
mart.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, Integer, and_, case, cast, extract, func, literal_column, or_, select

from lagesbild import settings
from lagesbild.errors import LagesbildError
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.filters import Filters, area_ids, category_conditions, monday
from lagesbild.queries.frames import frame
from lagesbild.store.models import (Area, Category, CategoryFocus, MartIncidentCombo, MartIncidentMonth,
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
week_t, combo_t = MartIncidentWeek.__table__, MartIncidentCombo.__table__
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
    """The SQL for summed counts grouped by `by` (dimension names of DIMENSIONS)."""
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise QueryError(f"Okänd indelning: {', '.join(unknown)}")
    grain = grain_for(by, grain)
    first, last = period_bounds(f, grain)
    if grain == "week" and "week" not in by and not _few_weeks(conn, first, last):
        t = _period_sums(conn, f, first, last)
        conditions = [t.c.n > 0]
    else:
        t = (MartIncidentWeek if grain == "week" else
             MartIncidentMonth if set(by) & DETAIL_ONLY else MartIncidentMonthTotal).__table__
        period = t.c.week_start if grain == "week" else t.c.month_start
        conditions = [period >= first, period <= last, t.c.n > 0, *category_conditions(f, t.c.category_id)]
        ids = area_ids(conn, f.areas)
        if ids is not None:
            conditions.append(t.c.area_id.in_(ids))
        if f.sources:
            conditions.append(t.c.source.in_(f.sources))
    # Mart rows are first summed per month and område; quarters, years and kommundelar are
    # computed from those sums, not on every mart row (a lookup of the area per row, date
    # functions per row).
    derived = [d for d in by if d in ("quarter", "year") or (d == "kommundel" and t.name != "period_sums")]
    inner = [d for d in by if d not in derived]
    inner += [d for d, needed in (("month", {"quarter", "year"}), ("omrade", {"kommundel"}))
              if set(derived) & needed and d not in inner]
    joined = t.join(cat_t, cat_t.c.id == t.c.category_id)
    if "kommundel" in inner:
        joined = joined.join(areas_t, areas_t.c.id == t.c.area_id)
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


def _period_column(dim: str, month):
    year = cast(extract("year", month), Integer)
    return year * 10 + (cast(extract("month", month), Integer) + 2) // 3 if dim == "quarter" else year


# Up to this many weeks a period is summed from its weekly rows (about one row per combination and
# week) rather than from two running totals per combination: an index lookup costs about as much
# as reading 2 weekly rows on SQLite and 15 on PostgreSQL (measured at 3 000 combinations).
FEW_WEEKS = {"sqlite": 4, "postgresql": 26}


def _few_weeks(conn: Connection, first: dt.date, last: dt.date) -> bool:
    return (last - first).days // 7 + 1 <= FEW_WEEKS.get(conn.dialect.name, 0)


def _weekly_rows(conn: Connection, f: Filters, bounds: list[tuple[dt.date, dt.date]]):
    """The weekly rows from the first period's start to the last one's end, and per period an
    expression that is a row's count (and one that is its key sum) inside the period, 0 outside."""
    t = week_t
    conds = [t.c.week_start >= min(a for a, _ in bounds), t.c.week_start <= max(b for _, b in bounds),
             t.c.n > 0, *category_conditions(f, t.c.category_id)]
    ids = area_ids(conn, f.areas)
    if ids is not None:
        conds.append(t.c.area_id.in_(ids))
    if f.sources:
        conds.append(t.c.source.in_(f.sources))
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


def _unpack(packed_difference):
    """(events, key sum) of the difference of two packed running totals."""
    # Precedence of * and /: the difference is parenthesised, integer division on both backends.
    return packed_difference.op("/", precedence=8)(_PACK), packed_difference.op("%", precedence=8)(_PACK)


def _running_total(bound):
    """The packed running total (see PACK) of the combination of mart_incident_combo at the last
    week that meets `bound` (one lookup in ix_mart_incident_week_cum), 0 before its first week."""
    return func.coalesce(
        select(week_t.c.cum * _PACK + week_t.c.kcum).where(week_t.c.area_id == combo_t.c.area_id,
                                   week_t.c.category_id == combo_t.c.category_id,
                                   week_t.c.source == combo_t.c.source, bound)
        .order_by(week_t.c.week_start.desc()).limit(1).scalar_subquery(), 0)


def _combo_conditions(conn: Connection, f: Filters) -> list:
    conds = category_conditions(f, combo_t.c.category_id)
    ids = area_ids(conn, f.areas)
    if ids is not None:
        conds.append(combo_t.c.area_id.in_(ids))
    if f.sources:
        conds.append(combo_t.c.source.in_(f.sources))
    return conds


def _period_sums(conn: Connection, f: Filters, first: dt.date, last: dt.date):
    """Events of the weeks first..last per (area, category, source) of the selection: the running
    total at the last week up to `last` minus the one before `first` (ix_mart_incident_week_cum)."""
    packed = _running_total(week_t.c.week_start <= last) - _running_total(week_t.c.week_start < first)
    diffs = select(combo_t.c.area_id, combo_t.c.category_id, combo_t.c.source, packed.label("p")) \
        .where(*_combo_conditions(conn, f))
    # MATERIALIZED: computed once; as a plain subquery SQLite repeats the lookups for WHERE n > 0.
    diffs = diffs.cte("period_diffs").prefix_with("MATERIALIZED")
    n, ksum = _unpack(diffs.c.p)
    return select(diffs.c.area_id, diffs.c.category_id, diffs.c.source, n.label("n"),
                  ksum.label(KEY_COLUMN)).cte("period_sums")


def raw_counts(conn: Connection, f: Filters, by: tuple[str, ...], grain: str | None = None) -> pd.DataFrame:
    """True counts with their key sums: for the query layer's own arithmetic only, never for a page."""
    query = counts_query(conn, f, by, grain).limit(row_limit() + 1)
    df = frame(conn.execute(query), [*by, "n", KEY_COLUMN, "sensitive"])
    if len(df) > row_limit():
        raise too_many_rows()
    if df.empty:
        return df.astype({"n": "int64", KEY_COLUMN: "int64", "sensitive": "int64"})
    df["n"] = df["n"].fillna(0).astype("int64")
    df[KEY_COLUMN] = df[KEY_COLUMN].fillna(0).astype("int64")
    df["sensitive"] = df["sensitive"].fillna(0).astype(bool)
    if "quarter" in by:
        df["quarter"] = df["quarter"].astype(int)
    for d in ("week", "month"):
        if d in by:
            df[d] = pd.to_datetime(df[d]).dt.date
    return df


def raw_counts_periods(conn: Connection, f: Filters, periods: list[tuple[dt.date, dt.date]],
                       by: tuple[str, ...]) -> list[pd.DataFrame]:
    """raw_counts(conn, f.with_period(start, end), by) for each (start, end) of `periods`, from one
    query when they come from running totals (see period_table)."""
    if not _one_query(by, periods):
        return [raw_counts(conn, f.with_period(a, b), by) for a, b in periods]
    table = period_table(conn, f, periods, by)
    frames = []
    for i in range(len(periods)):
        # The rows the period's own query returns: the keys with events in that period.
        df = table.loc[table[f"n{i}"] > 0, [*by, f"n{i}", key_column(i), f"s{i}"]].set_axis(
            [*by, "n", KEY_COLUMN, "sensitive"], axis=1)
        frames.append(df.reset_index(drop=True))
    return frames


def _one_query(by: tuple[str, ...], periods) -> bool:
    return bool(by) and grain_for(by) == "week" and "week" not in by and len(periods) > 1


def key_column(i: int) -> str:
    """The key-sum column of period i of a period_table."""
    return f"{KEY_COLUMN}_{i}"


def period_table(conn: Connection, f: Filters, periods: list[tuple[dt.date, dt.date]],
                 by: tuple[str, ...]) -> pd.DataFrame:
    """True counts of several periods side by side: `by`, then n0, n1, … (int), ksum_0, ksum_1, …
    (their key sums) and s0, s1, … (sensitive, bool) per period, one row per key with events in any
    of them, ordered by `by`. For the query layer's own arithmetic: publish before returning.

    From running totals one query: each distinct bound is looked up once per combination (a
    period and the one before it share one) and the combinations are read once.
    """
    count = len(periods)
    ns_, ks_, ss_ = [f"n{i}" for i in range(count)], [key_column(i) for i in range(count)], \
        [f"s{i}" for i in range(count)]
    types = {**{c: "int64" for c in ns_ + ks_}, **{c: bool for c in ss_}}
    if not _one_query(by, periods):
        table = None
        for i, (a, b) in enumerate(periods):
            df = raw_counts(conn, f.with_period(a, b), by).rename(
                columns={"n": f"n{i}", KEY_COLUMN: key_column(i), "sensitive": f"s{i}"})
            table = df if table is None else table.merge(df, on=list(by), how="outer")
        table = table.sort_values(list(by), kind="stable").reset_index(drop=True)
        return table.fillna({c: 0 for c in types}).astype(types)
    bounds = [period_bounds(f.with_period(a, b), "week") for a, b in periods]
    # "week_start < first" is "week_start <= first - 1 day": every cut is a running total up to a day.
    cuts = sorted({d for first, last in bounds for d in (first - dt.timedelta(days=1), last)})
    if _few_weeks(conn, cuts[0] + dt.timedelta(days=1), cuts[-1]):
        t, ns, ks = _weekly_rows(conn, f, bounds)
    else:
        totals = [_running_total(week_t.c.week_start <= d).label(f"c{i}") for i, d in enumerate(cuts)]
        t = select(combo_t.c.area_id, combo_t.c.category_id, combo_t.c.source, *totals) \
            .where(*_combo_conditions(conn, f)).cte("running_totals").prefix_with("MATERIALIZED")
        at = {d: t.c[f"c{i}"] for i, d in enumerate(cuts)}
        ns, ks = zip(*(_unpack(at[last] - at[first - dt.timedelta(days=1)]) for first, last in bounds))
    joined = t.join(cat_t, cat_t.c.id == t.c.category_id)
    if "kommundel" in by:
        joined = joined.join(areas_t, areas_t.c.id == t.c.area_id)
    if "focus_area" in by:
        joined = joined.join(focus_t, focus_t.c.category_id == t.c.category_id)
    cols = [_dim_column(d, t, "week").label(d) for d in by]
    person = cat_t.c.sensitivity == "person"
    query = (select(*cols, *[func.sum(n).label(ns_[i]) for i, n in enumerate(ns)],
                    *[func.sum(k).label(ks_[i]) for i, k in enumerate(ks)],
                    *[func.max(case((and_(person, n > 0), 1), else_=0)).label(ss_[i])
                      for i, n in enumerate(ns)])
             .select_from(joined).where(or_(*[n > 0 for n in ns]))
             .group_by(*cols).order_by(*cols).limit(count * row_limit() + 1))
    table = frame(conn.execute(query), [*by, *ns_, *ks_, *ss_])
    if (table[ns_] > 0).sum().max() > row_limit():
        raise too_many_rows()
    return table.astype(types)


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
