"""Backup and restore of a store (docs/operations.md).

SQLite: the online backup API (sqlite3.Connection.backup) copies a consistent snapshot while the
app keeps running; a restore copies the backup back the same way.
PostgreSQL: pg_dump in its custom format (-Fc) and pg_restore into an empty database.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from lagesbild import logs
from lagesbild.errors import LagesbildError

log = logs.get("backup")


class BackupError(LagesbildError):
    """A backup or restore could not be done (the message says why, in Swedish)."""


def backup(engine: Engine, file: str | Path) -> str:
    """Write a backup of the store to `file`; returns a one-line Swedish report."""
    file = Path(file)
    if engine.dialect.name == "sqlite":
        _sqlite_copy(Path(engine.url.database), file)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(file), _libpq(engine.url)], engine.url)
    log.info("backup written: backend=%s bytes=%d", engine.dialect.name, file.stat().st_size)
    return f"Säkerhetskopian är skriven: {file} ({file.stat().st_size} byte)."


def restore(engine: Engine, file: str | Path, force: bool = False) -> str:
    """Restore a backup into the store of `engine` (empty, unless force on SQLite)."""
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"Säkerhetskopian finns inte: {file}")
    if engine.dialect.name == "sqlite":
        target = Path(engine.url.database)
        if target.exists() and target.stat().st_size and not force:
            raise BackupError(f"Databasen {target} finns redan. Ange --force för att skriva över den.")
        engine.dispose()
        _sqlite_copy(file, target)
    else:
        with engine.connect() as conn:
            if inspect(conn).get_table_names():
                raise BackupError("Databasen är inte tom. Återställ till en nyskapad, tom databas "
                                  "(createdb) och peka DATABASE_URL dit.")
        engine.dispose()
        _run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", _libpq(engine.url), str(file)], engine.url)
    log.info("restore done: backend=%s", engine.dialect.name)
    return f"Databasen är återställd från {file}."


def _sqlite_copy(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"Databasfilen finns inte: {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _libpq(url: URL) -> str:
    """The URL as libpq understands it (no driver, no password: that goes in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: URL) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} finns inte på den här datorn (installera postgresql-client).")
    env = dict(os.environ, **({"PGPASSWORD": url.password} if url.password else {}))
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} misslyckades: {done.stderr.strip()[:2000]}")
