"""Aggregate tables (marts) that the pages read, kept in step with the incidents: the one writer.

Nothing else writes a mart, and only two callers ask this module to:
- the import pipeline (`loaders.pipeline`) opens an `Increment` inside its writing transaction,
  hands it to the kind that stores incidents (which reports the rows it newly stored with
  `Increment.add`: duplicates skipped, never updated) and closes it (`Increment.write`) before the
  commit. The counts are grouped in pandas from the stored rows, so the cost does not grow with the
  data already stored and the incidents are never read back;
- the full rebuild `refresh_marts` (the pipeline after removing the demo data, `lagesbild.setup`
  after seeding or a taxonomy change, `python -m lagesbild rebuild-marts` / `check`), which groups
  the stored incidents, in chunks, with the same code.

Every change is noted in `changed_weeks` (`log_change`: the weeks touched and the import whose
rows were added, or all weeks for a rebuild) in the same transaction, so that the copy of the
incidents in memory (lagesbild.queries.facts) reads only what changed.

Contracts (tests/test_marts_contract.py, both backends): every mart's sum of `n` (and of `ksum`)
equals the incidents' sum of `count` (and of `rkey`; the cell mart: of the incidents with a
cell), and an incremental import gives exactly the marts of a full rebuild.

The weekly mart and the monthly totals also keep running totals (`cum`): the events of the same
area, category and source up to and including the week (month), so that any period's count is
the difference of two running totals (see lagesbild.queries.incidents). Every mart row also
carries `ksum`, the sum of the record keys of its incidents (the Cell Key Method,
lagesbild.privacy), and those two marts its running total `kcum`.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, delete, insert, text

from lagesbild.calendar import week_and_month_starts
from lagesbild.store.bulk import add_counts
from lagesbild.store.locks import DATA_VERSION
from lagesbild.store.models import ChangedWeeks, MartIncidentCombo, MartIncidentMonthTotal, MartIncidentWeek
from lagesbild.store.reference import get_meta

week_t = MartIncidentWeek.__table__
total_t, combo_t = MartIncidentMonthTotal.__table__, MartIncidentCombo.__table__
changed_t = ChangedWeeks.__table__
COMBO = ["area_id", "category_id", "source"]
# The key of each mart (its primary key): what the counts are grouped by.
MART_KEYS: dict[str, list[str]] = {
    "mart_incident_week": ["week_start", "area_id", "category_id", "source"],
    "mart_incident_month_total": ["month_start", "area_id", "category_id", "source"],
}
TABLES = {"mart_incident_week": week_t, "mart_incident_month_total": total_t}
ROW_COLUMNS = ["occurred_at", "area_id", "category_id", "source", "count", "rkey"]
HOLD_ROWS = 600_000  # summed rows an import's Increment holds before it writes them
SUMS = ["n", "ksum"]  # what every mart sums: the events and their record keys

# Marts with running totals (cum, kcum): the mart, its time column and the columns beside n and
# ksum that a row carries.
RUNNING = {"mart_incident_week": ("week_start", ["iso_year", "iso_week"]),
           "mart_incident_month_total": ("month_start", [])}

# The running totals of each combination's last row before :t0 (one index lookup per combination).
TOTALS_BEFORE = """
SELECT c.area_id, c.category_id, c.source,
       COALESCE((SELECT b.cum FROM {mart} b
                 WHERE b.area_id = c.area_id AND b.category_id = c.category_id
                   AND b.source = c.source AND b.{time} < :t0
                 ORDER BY b.{time} DESC LIMIT 1), 0) AS base,
       COALESCE((SELECT b.kcum FROM {mart} b
                 WHERE b.area_id = c.area_id AND b.category_id = c.category_id
                   AND b.source = c.source AND b.{time} < :t0
                 ORDER BY b.{time} DESC LIMIT 1), 0) AS kbase
FROM mart_incident_combo c WHERE c.source IN :sources
"""


def _sql_date(day: dt.date) -> str:
    # Written into the SQL (a date, so safe): with a bind parameter PostgreSQL may switch to a
    # generic plan that guesses a third of the table for `week_start >= $1` and scans it all.
    return f"'{day.isoformat()}'"


def deltas(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The counts of `rows` (columns ROW_COLUMNS) per key of every mart. Text keys are grouped
    by their codes (pd.factorize) and turned back into text on the summed rows only."""
    week_start, month_start = week_and_month_starts(rows["occurred_at"])
    base = pd.DataFrame({"week_start": week_start, "month_start": month_start,
                         "area_id": rows["area_id"].to_numpy(dtype=np.int64),
                         "category_id": rows["category_id"].to_numpy(dtype=np.int64),
                         "n": rows["count"].to_numpy(dtype=np.int64),
                         "ksum": rows["rkey"].to_numpy(dtype=np.int64)})
    labels = {}
    for column in ("source",):
        codes, uniques = pd.factorize(rows[column])
        base[column], labels[column] = codes, np.asarray(uniques, dtype=object)
    out = {}
    for name, keys in MART_KEYS.items():
        summed = base.groupby(keys, as_index=False, sort=True)[SUMS].sum()
        for column in labels.keys() & set(keys):
            summed[column] = pd.Series(labels[column][summed[column].to_numpy()], dtype=object)
        out[name] = summed
    week = out["mart_incident_week"]
    iso = pd.DatetimeIndex(week["week_start"].unique()).isocalendar()
    week["iso_year"] = week["week_start"].map(iso["year"].astype(int)).astype(np.int64)
    week["iso_week"] = week["week_start"].map(iso["week"].astype(int)).astype(np.int64)
    return out


class Increment:
    """What one import adds to the marts. The kind reports the incidents it newly stored
    (`add`, columns ROW_COLUMNS); their sums per mart key are kept, merged, and written by
    `write` (the pipeline, once per file, before the commit). A file read in pieces holds at most
    about `limit` summed rows: beyond that the sums so far are written at once (memory stays bounded;
    the result is the same, as adding is associative and the running totals are recomputed)."""

    def __init__(self, conn: Connection, limit: int | None = None, import_id: int | None = None):
        self.conn, self.limit, self.import_id = conn, HOLD_ROWS if limit is None else limit, import_id
        self.parts: dict[str, list[pd.DataFrame]] = {name: [] for name in MART_KEYS}
        self.held = 0
        self.rows = 0

    def add(self, rows: pd.DataFrame) -> None:
        if rows.empty:
            return
        self.rows += len(rows)
        for name, frame in deltas(rows).items():
            self.parts[name].append(frame)
            self.held += len(frame)
        if self.held > self.limit:
            self.write()

    def write(self) -> None:
        """Add what was reported so far to every mart and keep the running totals right."""
        if not self.held:
            return
        sums = _merged(self.parts)
        add_deltas(self.conn, sums)
        weeks = sums["mart_incident_week"]["week_start"]
        log_change(self.conn, pd.Timestamp(weeks.min()).date(), pd.Timestamp(weeks.max()).date(), self.import_id)
        self.parts = {name: [] for name in MART_KEYS}
        self.held = 0


def _merged(parts: dict[str, list[pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    sums = {}
    for name, frames in parts.items():
        if len(frames) == 1:
            sums[name] = frames[0]
            continue
        keys = MART_KEYS[name] + (["iso_year", "iso_week"] if name == "mart_incident_week" else [])
        sums[name] = (pd.concat(frames, ignore_index=True)
                      .groupby(keys, as_index=False, sort=True)[SUMS].sum())
    return sums


def add_deltas(conn: Connection, sums: dict[str, pd.DataFrame]) -> None:
    if sums["mart_incident_week"].empty:
        return
    for name, table in TABLES.items():
        if name in RUNNING:
            _add_running(conn, name, sums[name])
        else:
            add_counts(conn, table, sums[name], MART_KEYS[name])
    touched = sums["mart_incident_week"][COMBO].drop_duplicates()
    add_counts(conn, combo_t, touched, COMBO, on_conflict="ignore")


def log_change(conn: Connection, first: dt.date | None, last: dt.date | None,
               import_id: int | None = None) -> None:
    """Note in changed_weeks that this transaction changed the marts' weeks first..last (None:
    every week) by adding the rows of import `import_id`, with its data version: what the copy of
    the incidents in memory reads (lagesbild.queries.facts)."""
    conn.execute(insert(changed_t).values(token=get_meta(conn, DATA_VERSION, "") or "",
                                          first_week=first, last_week=last, import_id=import_id))


def _add_running(conn: Connection, name: str, rows: pd.DataFrame) -> None:
    """Add the weekly (monthly) counts to the mart `name` and rewrite the running totals of the
    combinations they touch from their first week (month) on: the total before it (one lookup per
    combination) plus the cumulative sum of the stored and the new counts. Usually (last week's
    file) only new weeks are written."""
    keys, (time, extra) = MART_KEYS[name], RUNNING[name]
    t0 = pd.Timestamp(rows[time].min()).date()
    sources = sorted(rows["source"].unique())
    stored = pd.DataFrame([tuple(r) for r in conn.execute(text(
        f"SELECT {', '.join(keys + extra)}, n, ksum FROM {name} "
        f"WHERE {time} >= {_sql_date(t0)} AND source IN :sources").bindparams(
            bindparam("sources", expanding=True)), {"sources": sources})],
        columns=keys + extra + SUMS)
    touched = rows[COMBO].drop_duplicates()
    rows = rows.assign(stored=False)
    if not stored.empty:
        stored = stored.merge(touched, on=COMBO).assign(stored=True)
        stored[time] = pd.to_datetime(stored[time]).to_numpy().astype(rows[time].dtype)
        rows = (pd.concat([stored, rows], ignore_index=True)
                .groupby(keys, as_index=False, sort=False)
                .agg(**{c: (c, "first") for c in extra}, n=("n", "sum"), ksum=("ksum", "sum"),
                     stored=("stored", "max")))
    base = pd.DataFrame([tuple(r) for r in conn.execute(
        text(TOTALS_BEFORE.format(mart=name, time=time).replace(":t0", _sql_date(t0)))
        .bindparams(bindparam("sources", expanding=True)), {"sources": sources})], columns=COMBO + ["base", "kbase"])
    rows = rows.merge(base, on=COMBO, how="left").fillna({"base": 0, "kbase": 0})
    rows = rows.sort_values(COMBO + [time], kind="stable")
    running = rows.groupby(COMBO, sort=False)[SUMS].cumsum()
    rows["cum"] = running["n"] + rows.pop("base").astype(np.int64)
    rows["kcum"] = running["ksum"] + rows.pop("kbase").astype(np.int64)
    # Rows already stored are rewritten, the others only inserted (on PostgreSQL by COPY, which a
    # single stored key among them would send the slower way).
    stored_rows = rows.pop("stored").astype(bool)
    add_counts(conn, TABLES[name], rows[stored_rows], keys, on_conflict="replace")
    add_counts(conn, TABLES[name], rows[~stored_rows], keys, on_conflict="replace")


def refresh_marts(conn: Connection, chunk: int = 500_000) -> None:
    """Rebuild every mart from the stored incidents, read a chunk at a time."""
    for table in (*TABLES.values(), combo_t):
        conn.execute(delete(table))
    log_change(conn, None, None)
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in MART_KEYS}
    result = conn.execute(text(f"SELECT {', '.join(ROW_COLUMNS)} FROM incidents"),
                          execution_options={"stream_results": True})
    while batch := result.fetchmany(chunk):
        rows = pd.DataFrame(batch, columns=ROW_COLUMNS)
        rows["occurred_at"] = pd.to_datetime(rows["occurred_at"], format="ISO8601")
        for name, frame in deltas(rows).items():
            parts[name].append(frame)
    if not parts["mart_incident_week"]:
        return
    add_deltas(conn, _merged(parts))
