"""When the store itself cannot do what was asked: named errors with a Swedish message.

The database drivers, Alembic and the operating system each say it their own way (SQLite's
"database is locked", PostgreSQL's SQLSTATE 53100, Alembic's "Can't locate revision", errno
ENOSPC). `store_failure` turns any of them into one of the errors below, in one place; the command
lines print the message and exit with 2, the pages show it instead of a traceback.
"""
from __future__ import annotations

import errno
import re

from lagesbild.errors import LagesbildError


class StoreFailure(LagesbildError):
    """The store cannot be read or written right now; nothing was saved."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def __reduce__(self):
        return type(self), (self.message,)


class DatabaseBusy(StoreFailure):
    pass


class DatabaseReadOnly(StoreFailure):
    pass


class DiskFull(StoreFailure):
    pass


class DatabaseNewer(StoreFailure):
    pass


BUSY = ("Databasen är upptagen: en annan import eller ett annat program har hållit den låst i mer än "
        "30 sekunder. Inget har sparats. Vänta tills den andra importen är klar och försök igen.")
READ_ONLY = ("Databasen är skrivskyddad (filen eller katalogen går inte att skriva till, eller användaren "
             "saknar skrivrätt). Inget har sparats. Be den som driftar Lägesbild att ge skrivrätt till "
             "databasen.")
DISK_FULL = ("Disken är full, så databasen kan inte skriva. Inget har sparats. Frigör utrymme på servern "
             "(eller be den som driftar Lägesbild om det) och försök igen.")
NEWER = ("Databasen är nyare än den här versionen av Lägesbild (databasens version '{}' finns inte här). "
         "Använd samma eller en nyare version av Lägesbild som den som senast uppgraderade databasen; "
         "ändra inte databasen.")

SQLSTATES = {"53100": DiskFull, "25006": DatabaseReadOnly, "42501": DatabaseReadOnly,
             "55P03": DatabaseBusy}
SQLITE_TEXTS = {"database is locked": DatabaseBusy, "database table is locked": DatabaseBusy,
                "readonly database": DatabaseReadOnly, "database or disk is full": DiskFull,
                "disk i/o error": DiskFull}
MESSAGES = {DatabaseBusy: BUSY, DatabaseReadOnly: READ_ONLY, DiskFull: DISK_FULL}
ERRNOS = {errno.ENOSPC: DiskFull, errno.EDQUOT: DiskFull, errno.EROFS: DatabaseReadOnly}


def store_failure(exc: BaseException) -> StoreFailure | None:
    """The named failure behind an exception (or its causes); None when it is something else."""
    for cause in _chain(exc):
        if isinstance(cause, StoreFailure):
            return cause
        kind = _classify(cause)
        if kind is DatabaseNewer:
            return DatabaseNewer(NEWER.format(_revision(str(cause))))
        if kind is not None:
            return kind(MESSAGES[kind])
    return None


def _chain(exc: BaseException):
    seen: set[int] = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]


def _classify(e: BaseException) -> type[StoreFailure] | None:
    text = str(e).casefold()
    if type(e).__name__ == "CommandError" and "can't locate revision" in text:
        return DatabaseNewer
    state = getattr(e, "sqlstate", None)
    if state in SQLSTATES:
        return SQLSTATES[state]
    if type(e).__module__ == "sqlite3":
        return next((k for t, k in SQLITE_TEXTS.items() if t in text), None)
    if isinstance(e, OSError) and e.errno in ERRNOS:
        return ERRNOS[e.errno]
    return None


def _revision(text: str) -> str:
    """The revision id Alembic names in "Can't locate revision identified by 'abc123'"."""
    match = re.search(r"identified by '([^']*)'", text)
    return match.group(1) if match else "okänd"
