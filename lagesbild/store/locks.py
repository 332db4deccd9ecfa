"""One writer at a time per store: imports, mart rebuilds and demo removal are serialised.

Every writing transaction calls `take_write_lock` as its first statement:

- PostgreSQL: a transaction-level advisory lock (pg_try_advisory_xact_lock), released by the
  commit or rollback. Two imports in two processes or on two servers queue on it.
- SQLite: the first statement is a write (the data version below), which takes SQLite's write
  lock at once, as BEGIN IMMEDIATE would. A transaction that first reads and then writes could
  otherwise fail with "database is locked" when another writer committed in between.

While the lock is held by someone else the caller is told who ("en annan import pågår, startad
av … kl …", from the imports recorded as running) and waits, at most `wait` seconds; then
StoreBusy is raised and nothing is written.

The same statement sets `data_version` in meta_info to a new value: it changes exactly when the
writing transaction commits (and not at all when it rolls back), so the pages' caches, keyed by
it, never mix numbers from before and after an import (lagesbild.ui.common.data_version).
"""
from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Callable, TypeVar

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import OperationalError

from lagesbild.errors import InputError, Problem
from lagesbild.store.models import ImportLog

LOCK_KEY = 0x4C616765  # "Lage": the advisory lock of the store (advisory locks are per database)
WAIT_SECONDS = 600.0   # how long a writer waits for another one before it gives up
POLL_SECONDS = 0.25
DATA_VERSION = "data_version"
Notify = Callable[[str], None]
T = TypeVar("T")


class StoreBusy(InputError):
    """Another import (or a rebuild of the marts) held the store longer than we were willing to wait."""


def take_write_lock(conn: Connection, *, wait: float | None = None, on_wait: Notify | None = None,
                    own_import: int | None = None) -> None:
    """Take the store's write lock inside the connection's (just begun) transaction."""
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    told = False
    while not _try_lock(conn):
        told = _wait_or_give_up(conn.engine, deadline, on_wait, told, own_import)


def _wait_or_give_up(engine: Engine, deadline: float, on_wait: Notify | None, told: bool,
                     own_import: int | None = None) -> bool:
    message = busy_message(engine, own_import)
    if time.monotonic() >= deadline:
        raise StoreBusy([Problem("-", None, None, None, f"{message} Försök igen när den är klar.")])
    if on_wait and not told:
        on_wait(f"{message} Väntar på att den blir klar …")
    time.sleep(POLL_SECONDS)
    return told or on_wait is not None


def when_writable(engine: Engine, work: Callable[[Connection], T], *, wait: float | None = None,
                  on_wait: Notify | None = None) -> T:
    """Run `work` in a short transaction of its own (the import log's records). On PostgreSQL at
    once; on SQLite, where a running import holds the only write lock, it waits like an import
    (telling who runs) instead of failing with "database is locked" after 30 s."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            return work(conn)
    deadline = time.monotonic() + (WAIT_SECONDS if wait is None else wait)
    told = False
    while True:
        try:
            with engine.begin() as conn:
                return _with_short_timeout(conn, work)
        except OperationalError as exc:
            if not _locked(exc):
                raise
        told = _wait_or_give_up(engine, deadline, on_wait, told)


def _with_short_timeout(conn: Connection, work: Callable[[Connection], T]) -> T:
    raw = conn.connection.driver_connection
    raw.execute("PRAGMA busy_timeout = 200")
    try:
        return work(conn)
    finally:
        raw.execute("PRAGMA busy_timeout = 30000")  # engine.make_engine's timeout=30


def _locked(exc: OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _try_lock(conn: Connection) -> bool:
    if conn.dialect.name == "postgresql":
        if not conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}).scalar():
            return False
        _bump_version(conn)
        return True
    return _try_sqlite_lock(conn)


def _try_sqlite_lock(conn: Connection) -> bool:
    try:
        _with_short_timeout(conn, _bump_version)
        return True
    except OperationalError as exc:
        if not _locked(exc):
            raise
        conn.connection.driver_connection.rollback()  # drop the read snapshot the failed write
        return False                                  # took, or the next try fails at once


def _bump_version(conn: Connection) -> None:
    """A write as the transaction's first statement: the new data version."""
    value = uuid.uuid4().hex
    updated = conn.execute(text("UPDATE meta_info SET value = :v WHERE key = :k"),
                           {"v": value, "k": DATA_VERSION}).rowcount
    if not updated:
        conn.execute(text("INSERT INTO meta_info (key, value) VALUES (:k, :v)"), {"v": value, "k": DATA_VERSION})


def running_imports(engine: Engine, exclude: int | None = None) -> list[tuple[str | None, dt.datetime, str]]:
    """(imported_by, started at, kind) of the imports recorded as running, oldest first. Read on a
    connection of its own: the caller's transaction must not hold a snapshot while it waits."""
    log = ImportLog.__table__
    query = (select(log.c.imported_by, log.c.imported_at, log.c.kind)
             .where(log.c.status == "running").order_by(log.c.id))
    if exclude is not None:
        query = query.where(log.c.id != exclude)
    with engine.connect() as other:
        return [tuple(r) for r in other.execute(query).all()]


def busy_message(engine: Engine, own_import: int | None = None) -> str:
    running = running_imports(engine, own_import)
    if not running:
        return "En annan skrivning till databasen pågår (en import eller en ombyggnad av sammanställningarna)."
    who, started, kind = running[0]
    return f"En annan import pågår ({kind}), startad av {who or 'okänd'} kl {started:%H:%M} ({started:%Y-%m-%d})."
