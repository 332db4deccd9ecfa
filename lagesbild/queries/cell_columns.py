"""The map's mart (mart_incident_cell) held in memory as columns, one copy per store and process.

Why: a county's map of a year sums about 220 000 mart rows (3 000 000 incidents: nearly one row
per placed incident, as each ISO week, cell, category, area and source holds about one). SQL's
GROUP BY over them takes 0.16–0.36 s on SQLite and PostgreSQL; numpy sums the same rows in about
0.015 s. The rows are the store's: this is a copy of the mart, not a second count.

In step with the store: every transaction that changes the marts notes the weeks it touched in
`changed_weeks` (lagesbild.store.marts.log_change, in the same transaction, with its data version
as a token). `refresh` reads the log from the last row it applied on (one short index read when
nothing changed) and reads again only the weeks of the newer rows (an import of last week's file:
one week). A rebuild, or a log whose row it last applied is gone or different (another store at
the same address), reads every week again. A change that commits while the copy is being read is
read again on the next call, as its row comes after the last one applied.

The first read of a large store takes seconds (3 M incidents: 2.1 M rows, ~2–3 s): a server does
it before its first request (lagesbild.warmup).
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, case, select

from lagesbild.calendar import monday
from lagesbild.privacy import KEY_COLUMN
from lagesbild.store.models import ChangedWeeks, MartIncidentCell, MartIncidentCombo, MartIncidentWeek

cell_t, changed_t, week_t = MartIncidentCell.__table__, ChangedWeeks.__table__, MartIncidentWeek.__table__
combo_t = MartIncidentCombo.__table__
COLUMNS = ["cell_e", "cell_n", "n", KEY_COLUMN, "sensitive"]


@dataclass(frozen=True)
class Rows:
    """Mart rows as columns (one week's, or several weeks' put together)."""
    category: np.ndarray  # int32
    cell_e: np.ndarray    # int32, SWEREF99 TM metres (lower-left corner)
    cell_n: np.ndarray    # int32
    area: np.ndarray      # int32
    source: np.ndarray    # int16: index into CellColumns.sources
    n: np.ndarray         # int64
    ksum: np.ndarray      # int64

    @staticmethod
    def join(parts: list["Rows"]) -> "Rows":
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return Rows(*(np.empty(0, dtype=t) for t in (np.int32, np.int32, np.int32, np.int32, np.int16,
                                                          np.int64, np.int64)))
        return Rows(*(np.concatenate([getattr(p, name) for p in parts]) for name in Rows.__dataclass_fields__))


class CellColumns:
    """The copy of one store's mart_incident_cell, by ISO week. Safe to share between threads:
    readers take the week map as it was when they asked; a refresh builds a new one and swaps it."""

    def __init__(self):
        self._lock = threading.Lock()
        self.applied: tuple[int, str] | None = None  # (id, token) of the last changed_weeks row applied
        self.weeks: dict[dt.date, Rows] = {}
        self.sources: list[str] = []               # source names by code (only ever appended to)
        self.reads = 0                             # weeks read from the store since the start (for tests)

    def refresh(self, conn: Connection) -> None:
        """Bring the copy in step with what `conn` sees: one short read of the change log's end
        when nothing changed."""
        log = self._log(conn, self.applied[0] if self.applied else 0)
        if self.applied is not None and len(log) == 1 and (log[0].id, log[0].token) == self.applied:
            return
        with self._lock:
            since = self.applied[0] if self.applied else 0
            log = self._log(conn, since)
            known = self.applied is not None and bool(log) and (log[0].id, log[0].token) == self.applied
            if self.applied is not None and not known:  # another store at this address, or a new log
                log = self._log(conn, 0)
            if not log:  # a store whose marts were never written
                self.weeks, self.applied = {}, None
                return
            new = log[1:] if known else log
            if not new:
                return
            if not known or any(r.first_week is None for r in new):
                weeks: dict[dt.date, Rows] = {}
                wanted = _all_weeks(conn)
            else:
                weeks = dict(self.weeks)
                wanted = sorted({w for r in new for w in _mondays(r.first_week, r.last_week)})
            for week, rows in self._read_weeks(conn, wanted).items():
                if rows is None:
                    weeks.pop(week, None)
                else:
                    weeks[week] = rows
            self.weeks = weeks
            self.applied = (log[-1].id, log[-1].token)

    @staticmethod
    def _log(conn: Connection, since: int) -> list:
        return conn.execute(select(changed_t.c.id, changed_t.c.token, changed_t.c.first_week, changed_t.c.last_week)
                            .where(changed_t.c.id >= since).order_by(changed_t.c.id)).all()

    def _read_weeks(self, conn: Connection, weeks: list[dt.date]) -> dict[dt.date, Rows | None]:
        """The mart's rows of each week, read as plain integers: the source as its code (a CASE
        over the store's sources) and through the driver's cursor, which gives tuples that numpy
        turns into one array at once (3 M incidents: ~2 s for every week, against ~5 s through
        SQLAlchemy's rows)."""
        for (name,) in conn.execute(select(combo_t.c.source).distinct()):
            if name not in self.sources:
                self.sources.append(name)
        code = case({name: i for i, name in enumerate(self.sources)}, value=cell_t.c.source, else_=-1)
        query = select(cell_t.c.category_id, cell_t.c.cell_e, cell_t.c.cell_n, cell_t.c.area_id, code,
                       cell_t.c.n, cell_t.c.ksum)
        out: dict[dt.date, Rows | None] = {}
        cursor = conn.connection.driver_connection.cursor()
        try:
            for week in weeks:
                # Every value in the SQL is the store's own (a date, source names), written as literals
                # by SQLAlchemy's quoting, so the same text runs on either driver.
                cursor.execute(str(query.where(cell_t.c.week_start == week)
                                   .compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})))
                found = cursor.fetchall()
                self.reads += 1
                if not found:
                    out[week] = None
                    continue
                a = np.array(found, dtype=np.int64)
                out[week] = Rows(a[:, 0].astype(np.int32), a[:, 1].astype(np.int32), a[:, 2].astype(np.int32),
                                 a[:, 3].astype(np.int32), a[:, 4].astype(np.int16), a[:, 5].copy(), a[:, 6].copy())
        finally:
            cursor.close()
        return out

    def rows(self, first: dt.date, last: dt.date) -> Rows:
        """The rows of the weeks first..last (Mondays), as one set of columns."""
        weeks = self.weeks
        return Rows.join([weeks[w] for w in _mondays(first, last) if w in weeks])

    def cells(self, first: dt.date, last: dt.date, areas: list[int] | None, categories: list[int] | None,
              sources: tuple[str, ...], person: list[int]) -> pd.DataFrame:
        """Events per 250 m cell in the weeks first..last of the chosen areas, categories and
        sources (None, empty: all), a cell's rows in different areas summed: cell_e, cell_n, n,
        ksum, sensitive (a person-related category among them), ordered by cell."""
        rows = self.rows(first, last)
        keep = np.ones(len(rows.n), dtype=bool)
        if areas is not None:
            keep &= np.isin(rows.area, np.asarray(areas, dtype=np.int32))
        if categories is not None:
            keep &= np.isin(rows.category, np.asarray(categories, dtype=np.int32))
        if sources:
            codes = [i for i, name in enumerate(self.sources) if name in sources]
            keep &= np.isin(rows.source, np.asarray(codes, dtype=np.int16))
        cell_e, cell_n = rows.cell_e[keep], rows.cell_n[keep]
        if not len(cell_e):
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(COLUMNS, ["int64"] * 4 + [bool])})
        order = np.lexsort((cell_n, cell_e))
        cell_e, cell_n = cell_e[order], cell_n[order]
        starts = np.flatnonzero(np.concatenate(([True], (cell_e[1:] != cell_e[:-1]) | (cell_n[1:] != cell_n[:-1]))))
        person_rows = np.isin(rows.category[keep], np.asarray(person, dtype=np.int32))[order]
        return pd.DataFrame({"cell_e": cell_e[starts].astype(np.int64), "cell_n": cell_n[starts].astype(np.int64),
                             "n": np.add.reduceat(rows.n[keep][order], starts),
                             KEY_COLUMN: np.add.reduceat(rows.ksum[keep][order], starts),
                             "sensitive": np.maximum.reduceat(person_rows, starts)})

    def size(self) -> int:
        """Rows held."""
        return sum(len(r.n) for r in self.weeks.values())


def _mondays(first: dt.date, last: dt.date) -> list[dt.date]:
    start, end = monday(first), monday(last)
    return [start + dt.timedelta(weeks=i) for i in range((end - start).days // 7 + 1)] if start <= end else []


def _all_weeks(conn: Connection) -> list[dt.date]:
    """Every week with events (the weekly mart's first and last; the cell mart holds no other)."""
    first, last = conn.execute(select(select(week_t.c.week_start).order_by(week_t.c.week_start).limit(1)
                                      .scalar_subquery(),
                                      select(week_t.c.week_start).order_by(week_t.c.week_start.desc()).limit(1)
                                      .scalar_subquery())).one()
    return _mondays(first, last) if first is not None else []


_COPIES: dict[str, CellColumns] = {}
_COPIES_LOCK = threading.Lock()


def cell_columns(conn: Connection) -> CellColumns:
    """This process's copy of the store `conn` reads, brought in step with it."""
    url = conn.engine.url.render_as_string(hide_password=False)
    with _COPIES_LOCK:
        copy = _COPIES.setdefault(url, CellColumns())
    copy.refresh(conn)
    return copy
