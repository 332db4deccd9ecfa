"""The incident rows held in memory as columns, one copy per store and process: what the map, the
breakdowns by place type and age group, and every count of days outside the marts' whole weeks and
months are summed from (lagesbild.queries.maps, lagesbild.queries.incidents._fact_counts).

Why: those two read data that is nearly one row per incident (a county's map of a year: ~300 000
incidents in ~220 000 cells × week × category; a place-type breakdown of a year: ~250 000 monthly
mart rows plus the first and last month's days from the incident rows). SQL's GROUP BY over that
many rows takes 0.2–0.5 s on SQLite and PostgreSQL; numpy sums them in a few hundredths, to the
exact day. The rows are the store's own (the store of record stays the database): the copy sums
the same records as the marts do, and the same disclosure rule publishes what it counts.

In step with the store: every write of the marts notes in `changed_weeks` the import whose rows it
added and the weeks it touched (lagesbild.store.marts.log_change, in the same transaction, with
its data version as a token). `refresh` reads the log from the last row it applied on (one short
index read when nothing changed) and reads the rows of the newer imports (incidents are only ever
added: an import's rows are all that changed; through the import_id index). A change without an import reads its weeks again; a rebuild, or a log whose last
applied row is gone or different (another store at the same address), reads every incident again.
A change that commits while the copy is being read is read on the next call, as its row comes
after the last one applied; an import's rows already held are replaced, never counted twice.

The first read of a large store takes seconds (3 M incidents: 4–6 s, 40 bytes a row, ~120 MB): a
server does it before its first request (lagesbild.warmup).
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, fields

import numpy as np
from sqlalchemy import Connection, Date, Integer, case, cast, func, literal_column, select

from lagesbild.domain.vocab import AGE_GROUPS, PLACE_TYPES
from lagesbild.store.models import ChangedWeeks, Incident, MartIncidentCombo

changed_t, inc_t = ChangedWeeks.__table__, Incident.__table__
combo_t = MartIncidentCombo.__table__
EPOCH = dt.date(1970, 1, 1)  # day numbers count from here (a Thursday)
NO_CELL = -1                 # cell_e and cell_n of an incident without a place
CHUNK = 25_000               # rows fetched at a time (as Python tuples: ~10 MB)
MAX_SEGMENTS = 16            # a week's segments (one per import added) before they are put together


class OutOfStep(RuntimeError):
    """The incidents changed while the copy read them twice over (a new value each time)."""


@dataclass(frozen=True)
class Rows:
    """Incident rows as columns (a week's segment, or several put together)."""
    day: np.ndarray       # int32, days since 1970-01-01
    area: np.ndarray      # int32, areas.id
    category: np.ndarray  # int32, categories.id
    source: np.ndarray    # int8, index into Facts.sources
    place: np.ndarray     # int8, index into Facts.places
    age: np.ndarray       # int8, index into Facts.ages
    cell_e: np.ndarray    # int32, 250 m cell (SWEREF99 TM, lower-left corner), NO_CELL if none
    cell_n: np.ndarray    # int32
    count: np.ndarray     # int32, events (summed as int64)
    rkey: np.ndarray      # int64, record key (lagesbild.privacy)
    imp: np.ndarray       # int32, the import that stored the row (-1: none recorded)

    TYPES = (np.int32, np.int32, np.int32, np.int8, np.int8, np.int8, np.int32, np.int32, np.int32, np.int64,
             np.int32)

    @staticmethod
    def of(a: np.ndarray) -> "Rows":
        """From an int64 array with one column per field, in field order."""
        return Rows(*(a[:, i].astype(t) for i, t in enumerate(Rows.TYPES)))

    @staticmethod
    def join(parts: list["Rows"]) -> "Rows":
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return Rows(*(np.empty(0, dtype=t) for t in Rows.TYPES))
        return Rows(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Rows)))

    def take(self, index) -> "Rows":
        return Rows(*(getattr(self, f.name)[index] for f in fields(Rows)))

    def __len__(self) -> int:
        return len(self.day)


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def _week_of(days: np.ndarray) -> np.ndarray:
    """The day number of each day's Monday."""
    return days - (days + 3) % 7


class Facts:
    """The copy of one store's incident rows, by ISO week. Safe to share between threads: readers
    take the week map as it was when they asked; a refresh builds a new one and swaps it."""

    def __init__(self):
        self._lock = threading.Lock()
        self.applied: tuple[int, str] | None = None  # (id, token) of the last changed_weeks row applied
        self.weeks: dict[int, tuple[Rows, ...]] = {}  # Monday's day number -> that week's rows (segments)
        self.sources: list[str] = []                 # codes of the text columns (only ever appended to)
        self.places: list[str] = list(PLACE_TYPES)
        self.ages: list[str] = list(AGE_GROUPS)
        self.full_reads = 0                          # for tests: whole reads, weeks read again, imports added
        self.week_reads = 0
        self.import_reads = 0

    # --- keeping in step -----------------------------------------------------------------------

    def refresh(self, conn: Connection) -> None:
        """Bring the copy in step with what `conn` sees: one short read of the change log's end
        when nothing changed."""
        log = self._log(conn, self.applied[0] if self.applied else 0)
        if self.applied is not None and len(log) == 1 and (log[0].id, log[0].token) == self.applied:
            return
        with self._lock:
            log = self._log(conn, self.applied[0] if self.applied else 0)
            known = self.applied is not None and bool(log) and (log[0].id, log[0].token) == self.applied
            if self.applied is not None and not known:  # another store at this address, or a new log
                log = self._log(conn, 0)
            if not log:  # a store whose marts were never written
                self.weeks, self.applied = {}, None
                return
            new = log[1:] if known else log
            if not new:
                return
            weeks = None
            if known and all(r.first_week is not None for r in new):
                weeks = dict(self.weeks)
                imports = sorted({r.import_id for r in new if r.import_id is not None})
                ranges = [(r.first_week, r.last_week) for r in new if r.import_id is None]
                if imports:
                    weeks = self._add_imports(conn, weeks, imports)
                if weeks is not None and ranges:
                    weeks = None if self._most(ranges) else self._read_changed(conn, weeks, ranges)
            if weeks is None:  # a rebuild, another store, or a value the codes do not know yet
                weeks = self._read_all(conn)
            self.weeks = weeks
            self.applied = (log[-1].id, log[-1].token)

    def _most(self, ranges: list[tuple[dt.date, dt.date]]) -> bool:
        """Whether the weeks of `ranges` hold more than a quarter of the rows: then one scan of
        the table (~2 µs a row) is cheaper than reading them through the time index (~6 µs)."""
        held = sum(len(seg) for first, last in _merged(ranges)
                   for w in range(day_number(first), day_number(last) + 1, 7) for seg in self.weeks.get(w, ()))
        return held > self.size() / 4

    @staticmethod
    def _log(conn: Connection, since: int) -> list:
        return conn.execute(select(changed_t.c.id, changed_t.c.token, changed_t.c.first_week, changed_t.c.last_week,
                                   changed_t.c.import_id)
                            .where(changed_t.c.id >= since).order_by(changed_t.c.id)).all()

    def _query(self, conn: Connection):
        """Every column as an integer: the day number, the text columns as their codes (CASE over
        the known values, -1 for another), no cell as NO_CELL."""
        if conn.dialect.name == "sqlite":  # stored as text, 'YYYY-MM-DD HH:MM…'
            day = cast(func.julianday(func.substr(inc_t.c.occurred_at, 1, 10)) - 2440587.5, Integer)
        else:
            day = cast(inc_t.c.occurred_at, Date) - literal_column("DATE '1970-01-01'")

        def code(column, values):
            if not values:  # a store without incidents: no value to name (an empty CASE is no SQL)
                return literal_column("-1")
            return case({v: i for i, v in enumerate(values)}, value=column, else_=-1)
        return select(day, inc_t.c.area_id, inc_t.c.category_id, code(inc_t.c.source, self.sources),
                      code(inc_t.c.place_type, self.places), code(inc_t.c.age_group, self.ages),
                      func.coalesce(inc_t.c.cell_e, NO_CELL), func.coalesce(inc_t.c.cell_n, NO_CELL),
                      inc_t.c["count"], inc_t.c.rkey, func.coalesce(inc_t.c.import_id, -1))

    def _learn_sources(self, conn: Connection) -> None:
        for (value,) in conn.execute(select(combo_t.c.source).distinct()):
            if value not in self.sources:
                self.sources.append(value)

    def _learn_other_values(self, conn: Connection) -> None:
        """Place types and age groups beyond the vocabulary's (a store written by an older
        version): read from the incidents only when a read met one."""
        for column, known in ((inc_t.c.place_type, self.places), (inc_t.c.age_group, self.ages)):
            for (value,) in conn.execute(select(column).where(column.not_in(known)).distinct()):
                known.append(value)

    def _fetch(self, conn: Connection, query) -> dict[int, tuple[Rows, ...]] | None:
        """The query's rows as compact columns by week (one segment each); None if a text value
        had no code. Read through the driver's cursor a chunk at a time (tuples, which
        numpy turns into one array at once; SQLAlchemy's rows would take about twice as long),
        and each chunk split into weeks at once, so that at most one chunk is held beside the
        copy. Every value in the SQL is the store's own (dates, text values from its tables) and
        written as a literal by SQLAlchemy's quoting, so the same text runs on either driver."""
        sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        driver = conn.connection.driver_connection
        # PostgreSQL: a server-side cursor, else the driver holds every row at once (3 M incidents:
        # +700 MB); SQLite's cursor steps through the rows as they are fetched.
        cursor = driver.cursor(name="lagesbild_facts") if conn.dialect.name == "postgresql" else driver.cursor()
        pieces: dict[int, list[Rows]] = {}
        try:
            cursor.execute(sql)
            while chunk := cursor.fetchmany(CHUNK):
                a = np.array(chunk, dtype=np.int64)
                del chunk
                if (a[:, 3:6] < 0).any():
                    return None
                rows = Rows.of(a)
                del a
                week = _week_of(rows.day)
                order = np.argsort(week, kind="stable")
                week = week[order]
                bounds = np.flatnonzero(np.concatenate(([True], week[1:] != week[:-1], [True])))
                for s, e in zip(bounds[:-1], bounds[1:]):
                    pieces.setdefault(int(week[s]), []).append(rows.take(order[s:e]))
        finally:
            cursor.close()
        return {w: (Rows.join(pieces.pop(w)),) for w in sorted(pieces)}

    def _read_all(self, conn: Connection) -> dict[int, tuple[Rows, ...]]:
        self.full_reads += 1
        self._learn_sources(conn)
        weeks = self._fetch(conn, self._query(conn))
        if weeks is None:  # a text value without a code: learn them, read once more
            self._learn_sources(conn)
            self._learn_other_values(conn)
            weeks = self._fetch(conn, self._query(conn))
            if weeks is None:
                raise OutOfStep("incident values changed while they were read; try again")
        return weeks

    def _add_imports(self, conn: Connection, weeks: dict[int, tuple[Rows, ...]],
                     imports: list[int]) -> dict[int, tuple[Rows, ...]] | None:
        """`weeks` with the rows of these imports added (read through the import_id index: an
        import's rows only) as a segment of each week they fall in,
        so the rows already held are neither copied nor sorted. Incidents are only ever added,
        never changed, so an import's rows are all there is to read. A row already held from one
        of these imports (a whole read that saw the import commit before its log row was read) is
        dropped first, never counted twice. A week of more than MAX_SEGMENTS is put together."""
        self._learn_sources(conn)
        found = self._fetch(conn, self._query(conn).where(inc_t.c.import_id.in_(imports)))
        if found is None:
            return None
        self.import_reads += len(imports)
        ids = np.asarray(imports, dtype=np.int32)
        for w, (rows,) in found.items():
            held = []
            for seg in weeks.get(w, ()):
                again = np.isin(seg.imp, ids)
                held.append(seg.take(~again) if again.any() else seg)
            segments = (*held, rows)
            weeks[w] = segments if len(segments) <= MAX_SEGMENTS else (Rows.join(list(segments)),)
        return weeks

    def _read_changed(self, conn: Connection, weeks: dict[int, Rows],
                      ranges: list[tuple[dt.date, dt.date]]) -> dict[int, Rows] | None:
        """`weeks` with the weeks of each (first Monday, last Monday) read again."""
        self._learn_sources(conn)
        for first, last in _merged(ranges):
            start, end = first, last + dt.timedelta(days=7)
            query = self._query(conn).where(inc_t.c.occurred_at >= literal_column(f"'{start.isoformat()}'"),
                                            inc_t.c.occurred_at < literal_column(f"'{end.isoformat()}'"))
            found = self._fetch(conn, query)
            if found is None:
                return None
            for w in range(day_number(start), day_number(end), 7):
                self.week_reads += 1
                weeks.pop(w, None)
            weeks.update(found)
        return weeks

    # --- reading -------------------------------------------------------------------------------

    def rows(self, first: dt.date, last: dt.date) -> Rows:
        """The rows of the days first..last (inclusive), in no particular order."""
        weeks, a, b = self.weeks, day_number(first), day_number(last)
        parts = []
        for w in range(a - (a + 3) % 7, b + 1, 7):
            for seg in weeks.get(w, ()):
                if w < a or w + 6 > b:  # a week cut by the period: its days inside it
                    seg = seg.take((seg.day >= a) & (seg.day <= b))
                parts.append(seg)
        return Rows.join(parts)

    def chosen(self, rows: Rows, areas: list[int] | None, categories: list[int] | None,
               sources: tuple[str, ...]) -> np.ndarray:
        """Which rows are in the chosen areas, categories and sources (None, empty: all)."""
        keep = np.ones(len(rows), dtype=bool)
        if areas is not None:
            keep &= np.isin(rows.area, np.asarray(areas, dtype=np.int32))
        if categories is not None:
            keep &= np.isin(rows.category, np.asarray(categories, dtype=np.int32))
        if sources:
            keep &= np.isin(rows.source, np.asarray([i for i, s in enumerate(self.sources) if s in sources],
                                                    dtype=np.int16))
        return keep

    def size(self) -> int:
        """Rows held."""
        return sum(len(seg) for segments in self.weeks.values() for seg in segments)


def _merged(ranges: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Overlapping or adjacent week ranges as one."""
    out: list[list[dt.date]] = []
    for first, last in sorted(ranges):
        if out and first <= out[-1][1] + dt.timedelta(days=7):
            out[-1][1] = max(out[-1][1], last)
        else:
            out.append([first, last])
    return [(a, b) for a, b in out]


_COPIES: dict[str, Facts] = {}
_COPIES_LOCK = threading.Lock()


def facts(conn: Connection) -> Facts:
    """This process's copy of the incidents of the store `conn` reads, brought in step with it."""
    url = conn.engine.url.render_as_string(hide_password=False)
    with _COPIES_LOCK:
        copy = _COPIES.setdefault(url, Facts())
    copy.refresh(conn)
    return copy
