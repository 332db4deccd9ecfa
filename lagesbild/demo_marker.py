"""The one home of the demo marker and of the seeding policy.

The marker: the generated demo data are one import of kind `KIND` in the import log, and every row
they wrote (incidents, walks, observations, housing figures, actions, outcome indicators) carries
that import's id. A store *holds demo data* exactly when such an import exists; removing the demo
removes the rows of those imports and the imports themselves (loaders.demo_guard). Nothing else
marks the demo (older stores also carry a `dataset` meta key, which is only ever deleted).

The seeding policy (`wanted`): a new, empty store is seeded with the demo when it is an embedded
SQLite file (a newcomer's `make run`), never on PostgreSQL (a shared production store), unless the
caller says otherwise (`python -m lagesbild init --no-demo`; the tests' demo stores).
"""
from __future__ import annotations

from sqlalchemy import Connection, Engine, select

from lagesbild.store.models import ImportLog

KIND = "demo"          # the import-log kind of the generated data
LABEL = "Demodata"     # how the app names them (import log, notices, handout, PDF)
NOTE = "påhittade siffror, genererade av Lägesbild för att visa hur verktyget fungerar"
FILE_NAME = "Inlagda av Lägesbild (ingen fil)"  # what the import log shows as the demo import's file
LEGACY_META_KEYS = ("dataset", "demo_period")  # written by older versions; deleted with the demo


def imports(conn: Connection) -> list[int]:
    """The ids of the demo imports (at most one in practice)."""
    log = ImportLog.__table__
    return list(conn.execute(select(log.c.id).where(log.c.kind == KIND)).scalars())


def holds_demo(conn: Connection) -> bool:
    log = ImportLog.__table__
    return conn.execute(select(log.c.id).where(log.c.kind == KIND).limit(1)).first() is not None


def wanted(engine: Engine, asked: bool | None = None) -> bool:
    """Whether a new, empty store gets the demo data: `asked` when given, else only on SQLite."""
    return asked if asked is not None else engine.dialect.name == "sqlite"
