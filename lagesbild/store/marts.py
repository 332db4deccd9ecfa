"""Aggregate tables (marts) that the pages read; refreshed after every change to the incidents.

A refresh rebuilds the marts from `since` (the Monday of the earliest changed week, or of the month
for monthly marts) onwards, so an import of last week's file touches only the recent part.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, func, insert, select

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
