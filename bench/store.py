"""Bench databases: a fresh SQLite file and a fresh PostgreSQL database with the bench areas and
taxonomy; imports through the real loader and the naive pandas baseline."""
from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, insert, text

from lagesbild import config
from lagesbild.store.engine import make_engine, migrate

WORK = Path(__file__).resolve().parent / "work"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PG_DB = os.environ.get("BENCH_PG_DB", "lagesbild_bench")


def patch_config(work: Path = WORK) -> None:
    """Point the app at the bench taxonomy (the product's data/ files stay untouched)."""
    config.TAXONOMY_DIR = work / "taxonomy"


def url_for(backend: str, work: Path = WORK) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / 'bench.db'}"
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{PG_DB}"


def _pg_admin(sql: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(sql))
    admin.dispose()


def fresh_database(backend: str, work: Path = WORK) -> str:
    """An empty database for the backend; returns its URL."""
    drop_database(backend, work)
    if backend == "postgresql":
        _pg_admin(f'CREATE DATABASE "{PG_DB}"')
    return url_for(backend, work)


def drop_database(backend: str, work: Path = WORK) -> None:
    if backend == "sqlite":
        for p in work.glob("bench.db*"):
            p.unlink()
    else:
        _pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def set_up(url: str, defs) -> None:
    """Schema, the bench areas and the bench taxonomy (via ensure_database with patched config)."""
    from lagesbild.setup import ensure_database
    from lagesbild.store.reference import sync_areas
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        sync_areas(conn, defs)
    ensure_database(engine, demo=False)
    engine.dispose()


def import_incidents(url: str, files: list[tuple[Path, str, int]]) -> dict:
    """Every file through the real loader, as `python -m loaders import incidents FILE ...
    --source S` does (loaders.batch.import_files: each file all or nothing, the next one prepared
    in a second process while one is written)."""
    from loaders.batch import import_files
    from loaders.kinds import Options
    engine = make_engine(url)
    rows = inserted = 0
    refused = []
    started, cpu = time.perf_counter(), time.process_time()
    paths = [p for p, _, _ in files]
    options = [Options(source=s) for _, s, _ in files]
    for path, outcome in zip(paths, import_files(engine, "incidents", paths, options, imported_by="bench")):
        if hasattr(outcome, "problems"):
            refused.append(f"{path.name}: {outcome.problems[:3]}")
            continue
        rows += outcome.rows_read
        inserted += outcome.stored.inserted
    seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    engine.dispose()
    if refused:
        raise RuntimeError("bench files refused: " + "; ".join(refused))
    # cpu_s: this process's CPU time (both threads; SQLite included, the PostgreSQL server not):
    # steadier than the clock on a shared machine.
    return {"rows": rows, "inserted": inserted, "seconds": seconds, "rows_per_s": rows / seconds,
            "files": len(files), "cpu_s": cpu_s}


def naive_import(url: str, files: list[tuple[Path, str, int]]) -> dict:
    """Baseline: pandas.read_csv + DataFrame.to_sql with default settings into a scratch table."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS naive_incidents"))
    rows = 0
    started, cpu = time.perf_counter(), time.process_time()
    for path, _, _ in files:
        df = pd.read_csv(path, sep=";")
        df.to_sql("naive_incidents", engine, if_exists="append")
        rows += len(df)
    seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS naive_incidents"))
    engine.dispose()
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds, "cpu_s": cpu_s}


def add_walks_and_housing(url: str, walks: pd.DataFrame, observations: pd.DataFrame,
                          housing: pd.DataFrame) -> dict:
    """Safety walks and housing figures, stored with insert_ignore under one import log row."""
    from sqlalchemy import select
    from lagesbild.store.bulk import insert_ignore
    from lagesbild.store.models import HousingFigure, ImportLog, Observation, SafetyWalk
    engine = make_engine(url)
    with engine.begin() as conn:
        import_id = conn.execute(insert(ImportLog.__table__).values(
            kind="walks", source="kommun", file_name="bench walks+housing", sha256="-",
            imported_at=dt.datetime.now().replace(microsecond=0), imported_by="bench",
            status="ok", message="")).inserted_primary_key[0]
        insert_ignore(conn, SafetyWalk.__table__, walks.assign(import_id=import_id))
        ids = dict(conn.execute(select(SafetyWalk.walk_key, SafetyWalk.id)).all())
        obs = observations.assign(walk_id=observations["walk_key"].map(ids), import_id=import_id)
        n_obs = insert_ignore(conn, Observation.__table__, obs)
        n_h = insert_ignore(conn, HousingFigure.__table__, housing.assign(import_id=import_id))
    engine.dispose()
    return {"walks": len(walks), "observations": n_obs, "housing_rows": n_h}
