"""Real data never silently mixes with the generated demo data."""
from __future__ import annotations

from sqlalchemy import Connection, delete, select

from lagesbild.store.models import (Action, ActionChange, ActionNote, HousingFigure, ImportLog, Incident, MetaInfo,
                                    Observation, OutcomeIndicator, SafetyWalk)
from lagesbild.demo_marker import LEGACY_META_KEYS, holds_demo, imports  # noqa: F401 - holds_demo for the pipeline
from loaders.errors import DemoDataPresent, refuse


def refuse_demo(file: str) -> DemoDataPresent:
    return refuse(file, "Databasen innehåller demodata. Riktiga data blandas inte med demodata: "
                  "välj 'Ta bort demodata först' (kommandoraden: --replace-demo) och importera igen.",
                  error=DemoDataPresent)


def remove_demo_actions(conn: Connection, ids: list[int]) -> int:
    """The demo's actions (with their notes and history) and outcome indicators (issue 14): the
    rows of the demo imports `ids`."""
    actions = Action.__table__
    demo_actions = select(actions.c.id).where(actions.c.import_id.in_(ids))
    for table in (ActionNote.__table__, ActionChange.__table__):
        conn.execute(delete(table).where(table.c.action_id.in_(demo_actions)))
    removed = conn.execute(delete(actions).where(actions.c.import_id.in_(ids))).rowcount
    outcomes = OutcomeIndicator.__table__
    return removed + conn.execute(delete(outcomes).where(outcomes.c.import_id.in_(ids))).rowcount


def remove_demo(conn: Connection) -> int:
    """Delete every row of the demo import and the import itself (lagesbild.demo_marker)."""
    log = ImportLog.__table__
    ids = imports(conn)
    removed = 0
    if ids:
        obs, walks = Observation.__table__, SafetyWalk.__table__
        demo_walks = select(walks.c.id).where(walks.c.import_id.in_(ids))
        removed += conn.execute(delete(obs).where(obs.c.walk_id.in_(demo_walks) | obs.c.import_id.in_(ids))).rowcount
        for table in (walks, HousingFigure.__table__, Incident.__table__):
            removed += conn.execute(delete(table).where(table.c.import_id.in_(ids))).rowcount
        removed += remove_demo_actions(conn, ids)
        conn.execute(delete(log).where(log.c.id.in_(ids)))
    meta = MetaInfo.__table__
    conn.execute(delete(meta).where(meta.c.key.in_(LEGACY_META_KEYS)))
    return removed
