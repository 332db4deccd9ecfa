"""The import log's life cycle: an import is recorded as `running` in a transaction of its own
before any work starts, and marked `ok` (in the import's own transaction, so only when its data
are committed), `refused` or `avbruten` at the end. An import whose process was killed stays
`running`; the next start marks it `avbruten` (its process is gone, or it is older than
ABANDONED_AFTER). Messages hold counts and Swedish explanations, never row contents.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import socket

from sqlalchemy import Connection, Engine, insert, select, update

from lagesbild.calendar import utc_now
from lagesbild.errors import InputError
from lagesbild.store.locks import Notify, when_writable
from lagesbild.store.models import ImportLog

RUNNING, OK, REFUSED, ABANDONED = "running", "ok", "refused", "avbruten"
ABANDONED_AFTER = dt.timedelta(hours=1)
_PROCESS = re.compile(r"process (\d+) på ([^)\s]+)\)")
log_t = ImportLog.__table__


def _text(value: str, limit: int) -> str:
    """Text as the log stores it: at most `limit` characters, no NUL (PostgreSQL stores none)."""
    return value[:limit].replace("\x00", "\ufffd")


def _now() -> dt.datetime:
    return utc_now()


def process_note() -> str:
    return f"Pågår (process {os.getpid()} på {socket.gethostname()})."


def start(engine: Engine, kind: str, source: str | None, file_name: str, sha256: str,
          imported_by: str | None, on_wait: Notify | None = None) -> int:
    """Record the import as running (committed at once) and return its id."""
    def record(conn: Connection) -> int:
        mark_abandoned(conn)
        return conn.execute(insert(log_t).values(
            kind=_text(kind, 32), source=(source or None) and _text(source, 32), file_name=_text(file_name, 260),
            sha256=sha256, imported_at=_now(), imported_by=imported_by, rows_read=0, status=RUNNING,
            message=process_note())).inserted_primary_key[0]
    return when_writable(engine, record, on_wait=on_wait)


def finish(conn: Connection, import_id: int, *, rows_read: int, rows_accepted: int,
           rows_duplicate: int, message: str) -> None:
    """Mark the import ok inside its own writing transaction."""
    conn.execute(update(log_t).where(log_t.c.id == import_id).values(
        status=OK, rows_read=rows_read, rows_accepted=rows_accepted, rows_duplicate=rows_duplicate,
        message=_text(message, 20000)))


def refused(engine: Engine, import_id: int, error: InputError) -> None:
    text = "\n".join(str(p) for p in error.problems)
    when_writable(engine, lambda conn: conn.execute(update(log_t).where(log_t.c.id == import_id).values(
        status=REFUSED, rows_read=0, rows_accepted=0, rows_rejected=len(error.problems), message=_text(text, 20000))))


def abandoned(engine: Engine, import_id: int, error: BaseException) -> None:
    """An unexpected error (or an interrupt) stopped the import; nothing of it was stored."""
    when_writable(engine, lambda conn: conn.execute(
        update(log_t).where(log_t.c.id == import_id, log_t.c.status == RUNNING).values(
            status=ABANDONED, message=f"Avbruten av ett oväntat fel ({type(error).__name__}); inget sparades.")))


def _process_gone(message: str) -> bool:
    """True when the message names a process on this host that no longer runs."""
    m = _PROCESS.search(message or "")
    if not m or m.group(2) != socket.gethostname():
        return False
    try:
        os.kill(int(m.group(1)), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, ValueError):
        return False
    return False


def mark_abandoned(conn: Connection, now: dt.datetime | None = None) -> int:
    """Mark running imports whose process is gone, or that started ABANDONED_AFTER ago, as avbruten."""
    now = now or _now()
    running = conn.execute(select(log_t.c.id, log_t.c.imported_at, log_t.c.message)
                           .where(log_t.c.status == RUNNING)).all()
    stale = [i for i, started, message in running
             if started < now - ABANDONED_AFTER or _process_gone(message)]
    if stale:
        conn.execute(update(log_t).where(log_t.c.id.in_(stale)).values(
            status=ABANDONED, message="Avbruten: importen avslutades aldrig (processen stoppades); "
                                      "inget av den sparades."))
    return len(stale)
