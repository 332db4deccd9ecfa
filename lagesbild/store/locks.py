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
from typing import Callable

from sqlalchemy import Connection, select, text
from sqlalchemy.exc import OperationalError

from lagesbild.errors import InputError, Problem
from lagesbild.store.models import ImportLog

LOCK_KEY = 0x4C616765  # "Lage": the advisory lock of every Lägesbild store on the server
WAIT_SECONDS = 600.0   # how long a writer waits for another one before it gives up
POLL_SECONDS = 0.25
DATA_VERSION = "data_version"
Notify = Callable[[str], None]


class StoreBusy(InputError):
    """Another import (or a rebuild of the marts) held the store longer than we were willing to wait."""


def take_write_lock(conn: Connection, *, wait: float = WAIT_SECONDS, on_wait: Notify | None = None,
                    own_import: int | None = None) -> None:
    """Take the store's write lock inside the connection's (just begun) transaction."""
    deadline = time.monotonic() + wait
    told = False
    while not _try_lock(conn):
        message = busy_message(conn, own_import)
        if time.monotonic() >= deadline:
            raise StoreBusy([Problem("-", None, None, None, f"{message} Försök igen när den är klar.")])
        if on_wait and not told:
            on_wait(f"{message} Väntar på att den blir klar …")
            told = True
        time.sleep(POLL_SECONDS)


def _try_lock(conn: Connection) -> bool:
    if conn.dialect.name == "postgresql":
        if not conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": LOCK_KEY}).scalar():
            return False
        _bump_version(conn)
        return True
    return _try_sqlite_lock(conn)


def _try_sqlite_lock(conn: Connection) -> bool:
    raw = conn.connection.driver_connection
    raw.execute("PRAGMA busy_timeout = 200")
    try:
        _bump_version(conn)
        return True
    except OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        raw.rollback()  # drop the read snapshot the failed write took, or the next try fails at once
        return False
    finally:
        raw.execute("PRAGMA busy_timeout = 30000")  # engine.make_engine's timeout=30


def _bump_version(conn: Connection) -> None:
    """A write as the transaction's first statement: the new data version."""
    value = uuid.uuid4().hex
    updated = conn.execute(text("UPDATE meta_info SET value = :v WHERE key = :k"),
                           {"v": value, "k": DATA_VERSION}).rowcount
    if not updated:
        conn.execute(text("INSERT INTO meta_info (key, value) VALUES (:k, :v)"), {"v": value, "k": DATA_VERSION})


def running_imports(conn: Connection, exclude: int | None = None) -> list[tuple[str | None, dt.datetime, str]]:
    """(imported_by, started at, kind) of the imports recorded as running, oldest first. Read on a
    connection of its own: the caller's transaction must not hold a snapshot while it waits."""
    log = ImportLog.__table__
    query = (select(log.c.imported_by, log.c.imported_at, log.c.kind)
             .where(log.c.status == "running").order_by(log.c.id))
    if exclude is not None:
        query = query.where(log.c.id != exclude)
    with conn.engine.connect() as other:
        return [tuple(r) for r in other.execute(query).all()]


def busy_message(conn: Connection, own_import: int | None = None) -> str:
    running = running_imports(conn, own_import)
    if not running:
        return "En annan skrivning till databasen pågår (en import eller en ombyggnad av sammanställningarna)."
    who, started, kind = running[0]
    return f"En annan import pågår ({kind}), startad av {who or 'okänd'} kl {started:%H:%M} ({started:%Y-%m-%d})."
