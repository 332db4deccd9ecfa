"""Aggregate tables (marts) that the pages read; refreshed after every change to the incidents.

A refresh rebuilds the marts from `since` (the Monday of the earliest changed week, or of the month
for monthly marts) onwards. An import that only adds incidents instead adds the sums of its own
rows to the marts (`add_import`), so its cost does not grow with the data already stored.
The weekly mart also keeps running totals (`cum`, see update_running_totals).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, func, insert, select, text

from lagesbild.store.models import (Incident, MartIncidentCell, MartIncidentCombo, MartIncidentMonth,
                                    MartIncidentMonthTotal, MartIncidentWeek)

inc = Incident.__table__
week_t, month_t, cell_t = MartIncidentWeek.__table__, MartIncidentMonth.__table__, MartIncidentCell.__table__
total_t, combo_t = MartIncidentMonthTotal.__table__, MartIncidentCombo.__table__
EARLIEST_WEEK = dt.date(1900, 1, 1)

# cum of every weekly row from :w0 on (of the combinations `combos` selects): the running total
# of the weeks from :w0, plus the running total of the combination's last week before :w0.
RUNNING_TOTALS = """
UPDATE mart_incident_week SET cum = x.cum
FROM (SELECT k.week_start, k.area_id, k.category_id, k.source,
             COALESCE((SELECT b.cum FROM mart_incident_week b
                       WHERE b.area_id = k.area_id AND b.category_id = k.category_id
                         AND b.source = k.source AND b.week_start < :w0
                       ORDER BY b.week_start DESC LIMIT 1), 0)
             + SUM(k.n) OVER (PARTITION BY k.area_id, k.category_id, k.source ORDER BY k.week_start) AS cum
      FROM mart_incident_week k{combos} WHERE k.week_start >= :w0) AS x
WHERE mart_incident_week.week_start = x.week_start AND mart_incident_week.area_id = x.area_id
  AND mart_incident_week.category_id = x.category_id AND mart_incident_week.source = x.source
"""


def update_running_totals(conn: Connection, since: dt.date | None = None, combos: str = "",
                          params: dict | None = None) -> None:
    """Recompute `cum` of the weekly rows from `since` on; `combos` may narrow it down to the
    combinations an import touched (an SQL query of area_id, category_id, source)."""
    # The week is written into the SQL (a date, so safe) for the same reason as NEW_ROWS.
    w0 = f"'{(since or EARLIEST_WEEK).isoformat()}'"
    join = f" JOIN ({combos}) AS t ON {ON_COMBO}" if combos else ""
    conn.execute(text(RUNNING_TOTALS.replace(":w0", w0).format(combos=join)), params or {})


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
    _refresh(conn, total_t, "month_start", month_from,
             [inc.c.month_start, inc.c.area_id, inc.c.category_id, inc.c.source], [],
             ["month_start", "area_id", "category_id", "source", "n"])
    conn.execute(delete(combo_t))
    conn.execute(insert(combo_t).from_select(
        ["area_id", "category_id", "source"],
        select(week_t.c.area_id, week_t.c.category_id, week_t.c.source).distinct()))
    update_running_totals(conn, week_from)


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
    "mart_incident_month_total": (["month_start", "area_id", "category_id", "source"], [], [], ""),
}
# The ids are written into the SQL (integers, so safe): with bind parameters PostgreSQL soon
# switches to a generic plan that guesses a third of the table for `id > $1` and scans it all.
NEW_ROWS = "FROM incidents WHERE id > {after_id:d} AND import_id = {import_id:d}"


def last_incident_id(conn: Connection) -> int:
    """The highest incident id: rows stored after this call have higher ids."""
    return conn.execute(select(func.max(inc.c.id))).scalar() or 0


# The combinations an import touched, joined (not `IN`: PostgreSQL may then rerun it per row).
TOUCHED = "SELECT DISTINCT area_id, category_id, source " + NEW_ROWS
ON_COMBO = "t.area_id = k.area_id AND t.category_id = k.category_id AND t.source = k.source"
BY_WEEK = "GROUP BY week_start, area_id, category_id, source"
# The weekly rows of an import with their running totals, for when the import only adds weeks after
# the last stored week of each combination it touches (the usual case: last week's file).
APPEND_WEEKS = """
INSERT INTO mart_incident_week (week_start, area_id, category_id, source, iso_year, iso_week, n, cum)
SELECT d.week_start, d.area_id, d.category_id, d.source, d.iso_year, d.iso_week, d.n,
       COALESCE((SELECT b.cum FROM mart_incident_week b
                 WHERE b.area_id = d.area_id AND b.category_id = d.category_id AND b.source = d.source
                 ORDER BY b.week_start DESC LIMIT 1), 0)
       + SUM(d.n) OVER (PARTITION BY d.area_id, d.category_id, d.source ORDER BY d.week_start)
FROM (SELECT week_start, area_id, category_id, source, MIN(iso_year) AS iso_year,
             MIN(iso_week) AS iso_week, SUM(count) AS n
      """ + NEW_ROWS + " " + BY_WEEK + """) AS d
"""


def add_import(conn: Connection, import_id: int, after_id: int, since: dt.date | None = None) -> None:
    """Add the incidents one import stored (ids above `after_id`) to every mart. The same result
    as a refresh when the import only inserted rows, which incident imports do (duplicates are
    skipped, never updated); reads only the new rows, through the primary key. `since` (the
    earliest day of the import, optional) saves looking it up."""
    ids = {"import_id": int(import_id), "after_id": int(after_id)}
    new_rows, touched = NEW_ROWS.format(**ids), TOUCHED.format(**ids)
    if since is None:
        since = conn.execute(text(f"SELECT MIN(day) {new_rows}")).scalar()
        if since is None:
            return
        since = since if isinstance(since, dt.date) else dt.date.fromisoformat(str(since))
    w0 = since - dt.timedelta(days=since.weekday())
    appends = conn.execute(text(f"SELECT 1 FROM ({touched}) AS t JOIN mart_incident_week k ON {ON_COMBO} "
                                f"AND k.week_start >= '{w0.isoformat()}' LIMIT 1")).first() is None
    for table, (keys, extras, extra_names, where) in MART_KEYS.items():
        if table == "mart_incident_week" and appends:
            conn.execute(text(APPEND_WEEKS.format(**ids)))
            continue
        cols = ", ".join(keys + extra_names + ["n"])
        conn.execute(text(
            f"INSERT INTO {table} ({cols}) "
            f"SELECT {', '.join(keys + extras)}, SUM(count) {new_rows}{where} GROUP BY {', '.join(keys)} "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET n = {table}.n + excluded.n"))
    conn.execute(text(f"INSERT INTO mart_incident_combo (area_id, category_id, source) "
                      f"SELECT DISTINCT area_id, category_id, source {new_rows} "
                      f"ON CONFLICT (area_id, category_id, source) DO NOTHING"))
    if not appends:
        update_running_totals(conn, w0, touched)
