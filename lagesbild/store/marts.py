"""Aggregate tables (marts) that the pages read; refreshed after every change to the incidents.

A refresh rebuilds the marts from `since` (the Monday of the earliest changed week, or of the month
for monthly marts) onwards. An import that only adds incidents instead adds the sums of its own
rows to the marts (`add_import`), so its cost does not grow with the data already stored.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, func, insert, select, text

from lagesbild.store.models import Incident, MartIncidentCell, MartIncidentMonth, MartIncidentWeek

inc = Incident.__table__
week_t, month_t, cell_t = MartIncidentWeek.__table__, MartIncidentMonth.__table__, MartIncidentCell.__table__


def _since_filters(since: dt.date | None):
    if since is None:
        return (None, None)
    month = since.replace(day=1)
    week = since - dt.timedelta(days=since.weekday())
    return (week, month)


def refresh_marts(conn: Connection, since: dt.date | None = None) -> None:
    """Rebuild every mart row from `since` on (all rows when None)."""
    week_from, month_from = _since_filters(since)
    _refresh(conn, week_t, "week_start", week_from,
             [inc.c.week_start, inc.c.area_id, inc.c.category_id, inc.c.source],
             [func.min(inc.c.iso_year), func.min(inc.c.iso_week)],
             ["week_start", "area_id", "category_id", "source", "iso_year", "iso_week", "n"])
    _refresh(conn, month_t, "month_start", month_from,
             [inc.c.month_start, inc.c.area_id, inc.c.category_id, inc.c.source,
              inc.c.place_type, inc.c.age_group], [],
             ["month_start", "area_id", "category_id", "source", "place_type", "age_group", "n"])
    _refresh(conn, cell_t, "month_start", month_from,
             [inc.c.month_start, inc.c.category_id, inc.c.cell_e, inc.c.cell_n, inc.c.area_id,
              inc.c.source], [],
             ["month_start", "category_id", "cell_e", "cell_n", "area_id", "source", "n"],
             extra_where=[inc.c.cell_e.is_not(None), inc.c.cell_n.is_not(None)])


def _refresh(conn, table, period_col, since, keys, extras, names, extra_where=()) -> None:
    where = list(extra_where)
    if since is not None:
        conn.execute(delete(table).where(table.c[period_col] >= since))
        where.append(inc.c[period_col] >= since)
    else:
        conn.execute(delete(table))
    query = select(*keys, *extras, func.sum(inc.c.count)).where(*where).group_by(*keys)
    conn.execute(insert(table).from_select(names, query))


MART_KEYS = {
    "mart_incident_week": (["week_start", "area_id", "category_id", "source"],
                           ["MIN(iso_year)", "MIN(iso_week)"], ["iso_year", "iso_week"], ""),
    "mart_incident_month": (["month_start", "area_id", "category_id", "source", "place_type",
                             "age_group"], [], [], ""),
    "mart_incident_cell": (["month_start", "category_id", "cell_e", "cell_n", "area_id", "source"],
                           [], [], " AND cell_e IS NOT NULL AND cell_n IS NOT NULL"),
}


def last_incident_id(conn: Connection) -> int:
    """The highest incident id: rows stored after this call have higher ids."""
    return conn.execute(select(func.max(inc.c.id))).scalar() or 0


def add_import(conn: Connection, import_id: int, after_id: int) -> None:
    """Add the incidents one import stored (ids above `after_id`) to every mart. The same result
    as a refresh when the import only inserted rows, which incident imports do (duplicates are
    skipped, never updated); reads only the new rows, through the primary key."""
    for table, (keys, extras, extra_names, where) in MART_KEYS.items():
        cols = ", ".join(keys + extra_names + ["n"])
        conn.execute(text(
            f"INSERT INTO {table} ({cols}) "
            f"SELECT {', '.join(keys + extras)}, SUM(count) FROM incidents "
            f"WHERE id > :after_id AND import_id = :import_id{where} GROUP BY {', '.join(keys)} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table}.n + excluded.n"),
            {"import_id": import_id, "after_id": after_id})
