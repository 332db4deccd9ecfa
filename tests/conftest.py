"""Shared fixtures: stores on SQLite and PostgreSQL, empty or seeded with the demo data.

PostgreSQL is the local server (PG_TEST_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Each test database is created from a migrated template. With CI=true a missing server fails the
tests that need it; elsewhere they are skipped.
"""
from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lagesbild.setup import ensure_database
from lagesbild.store.engine import make_engine

PG_URL = os.environ.get("PG_TEST_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEMO_TODAY = dt.date(2026, 11, 18)  # a Wednesday: the last complete week is 2026-W46
REFERENCE_DATA = Path(__file__).resolve().parents[2] / "shared" / "reference-data"
IN_CI = os.environ.get("CI", "").lower() == "true"
BACKENDS = ["sqlite", "postgresql"]


def require(condition: bool, reason: str) -> None:
    """Skip when a dependency is missing, but fail when running in CI (CI=true)."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


def _pg_admin():
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means no server
        engine.dispose()
        return None, str(exc).splitlines()[0]
    return engine, None


@pytest.fixture(scope="session")
def pg_admin():
    engine, error = _pg_admin()
    require(engine is not None, f"PostgreSQL is not reachable at {PG_URL}: {error}")
    yield engine
    engine.dispose()


def _pg_url(name: str) -> str:
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{name}"


def _create_pg_db(admin, name: str, template: str | None = None) -> str:
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        suffix = f' TEMPLATE "{template}"' if template else ""
        c.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    return _pg_url(name)


def _drop_pg_db(admin, name: str) -> None:
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_template(pg_admin):
    """A migrated PostgreSQL database with reference data and no incidents, used as a template."""
    name = f"lagesbild_tmpl_{os.getpid()}"
    engine = make_engine(_create_pg_db(pg_admin, name))
    ensure_database(engine, demo=False)
    engine.dispose()
    yield name
    _drop_pg_db(pg_admin, name)


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    """A migrated store with areas and taxonomy but no data, on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
        ensure_database(engine, demo=False)
        yield engine
        engine.dispose()
        return
    admin = request.getfixturevalue("pg_admin")
    template = request.getfixturevalue("pg_template")
    name = f"lagesbild_t_{uuid.uuid4().hex[:10]}"
    engine = make_engine(_create_pg_db(admin, name, template))
    yield engine
    engine.dispose()
    _drop_pg_db(admin, name)


@pytest.fixture(params=BACKENDS)
def blank_engine(request, tmp_path):
    """An empty database without any schema, on each backend (for migration tests)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'blank.db'}")
        yield engine
        engine.dispose()
        return
    admin = request.getfixturevalue("pg_admin")
    name = f"lagesbild_b_{uuid.uuid4().hex[:10]}"
    engine = make_engine(_create_pg_db(admin, name))
    yield engine
    engine.dispose()
    _drop_pg_db(admin, name)


@pytest.fixture(scope="session")
def sqlite_demo_engine(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    ensure_database(engine, demo=True, today=DEMO_TODAY)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_demo_engine(pg_admin):
    name = f"lagesbild_demo_{os.getpid()}"
    engine = make_engine(_create_pg_db(pg_admin, name))
    ensure_database(engine, demo=True, today=DEMO_TODAY)
    yield engine
    engine.dispose()
    _drop_pg_db(pg_admin, name)


@pytest.fixture(params=BACKENDS)
def demo_engine(request):
    """The demo data set (read-only for tests!) on each backend."""
    return request.getfixturevalue(f"{'sqlite' if request.param == 'sqlite' else 'pg'}_demo_engine")


@pytest.fixture
def reference_data() -> Path:
    if not REFERENCE_DATA.exists():
        pytest.skip(f"reference data not found at {REFERENCE_DATA}")
    return REFERENCE_DATA


def with_calendar_columns(df, column: str = "occurred_at"):
    """The day, Monday of the ISO week and first of the month of each incident, computed here
    with pandas' own calendar (independently of the marts' code) for checks against the pages."""
    import pandas as pd
    ts = pd.to_datetime(df[column])
    return df.assign(day=ts.dt.date,
                     week_start=(ts.dt.normalize() - pd.to_timedelta(ts.dt.day_of_week, unit="D")).dt.date,
                     month_start=ts.dt.to_period("M").dt.start_time.dt.date)


def published_labels(df, by, k: int = 5):
    """The label a page shows for each group of incident rows (columns `count`, `rkey`, `person`),
    computed here from the rows with the rule of lagesbild.privacy: the expected published value."""
    from lagesbild.formatting import number
    from lagesbild.privacy import Policy, published_values
    groups = df.groupby(by).agg(n=("count", "sum"), ksum=("rkey", "sum"), person=("person", "max"))
    values, small = published_values(groups["n"], groups["ksum"], groups["person"], Policy(k=k))
    import pandas as pd
    return pd.Series([f"<{k}" if s else number(v) for v, s in zip(values, small)], index=groups.index)


def plotly_array(values) -> list:
    """The values of a plotly trace array as plain Python: plotly 7 writes numeric arrays as
    {'dtype': …, 'bdata': base64} (typed arrays); lists stay lists (flattened)."""
    import base64

    import numpy as np
    import pandas as pd
    if values is None:
        return []
    if isinstance(values, dict) and "bdata" in values:
        arr = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        return arr.tolist()  # 'shape' (e.g. "5, 1") only arranges the same values
    if isinstance(values, dict):
        return []
    return pd.Series(values, dtype=object).explode().tolist()
