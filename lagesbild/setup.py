"""Create or upgrade a database: migrations, reference tables and (optionally) the demo data."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
from sqlalchemy import Connection, Engine, delete, func, insert, select

from lagesbild import config, demo_actions, demo_marker
from lagesbild.calendar import today as calendar_today, utc_now
from lagesbild.demo import DEMO_SEED, DemoArea, demo_period, generate_housing, generate_incidents, generate_walks
from lagesbild.domain.areas import build_area_defs
from lagesbild.domain.taxonomy import load_taxonomy
from lagesbild.privacy import record_keys
from lagesbild.store.bulk import insert_ignore
from lagesbild.store.engine import migrate
from lagesbild.store.locks import take_write_lock
from lagesbild.store.marts import refresh_marts
from lagesbild.store.models import (Area, AreaPopulation, HousingFigure, ImportLog, Incident,
                                    MetaInfo, Observation, SafetyWalk, SourceCategory)
from lagesbild.store.reference import get_meta, sync_areas, sync_taxonomy

POPULATION_YEARS = range(2015, dt.date.today().year + 2)


def ensure_database(engine: Engine, demo: bool | None = None, today: dt.date | None = None,
                    areas: list | None = None) -> None:
    """Bring the database to the current schema and reference data; seed the demo into an empty
    store when `demo` asks for it or, when None, as lagesbild.demo_marker.wanted says (SQLite only).
    Waits for a running import (the store's write lock) and marks abandoned imports avbruten.
    `areas` (lagesbild.municipality) replaces the shipped Botkyrka areas of a new store."""
    from loaders.import_log import mark_abandoned
    migrate(engine)
    with engine.begin() as conn:
        take_write_lock(conn)
        mark_abandoned(conn)
        if conn.execute(select(func.count()).select_from(Area.__table__)).scalar() == 0:
            sync_areas(conn, areas or build_area_defs(config.AREAS_FILE, config.OUTLINE_FILE, POPULATION_YEARS))
        elif areas:
            from lagesbild.municipality import resync_areas
            resync_areas(conn, areas)
        changed = sync_taxonomy(conn, load_taxonomy(config.TAXONOMY_DIR))
        if changed:  # the audit trail: the taxonomy in the store changed (from data/taxonomy)
            from lagesbild import audit
            audit.record(conn, "system", audit.TAXONOMY, "data/taxonomy inläst vid start (sha256 "
                         f"{(get_meta(conn, 'taxonomy_sha256') or '')[:12]})")
        empty = conn.execute(select(func.count()).select_from(ImportLog.__table__)).scalar() == 0
        if empty and demo_marker.wanted(engine, demo):
            counts = seed_demo(conn, today or calendar_today())
            from lagesbild import audit  # the audit trail: a system import, as the taxonomy above
            audit.record(conn, "system", audit.IMPORT, f"{demo_marker.LABEL} inlagda när databasen skapades "
                         f"({demo_marker.NOTE}): import {demo_marker.imports(conn)[0]}, "
                         f"{counts['incidents']} rader")
        elif changed or get_meta(conn, "rebuild_marts") is not None:
            refresh_marts(conn)
        conn.execute(delete(MetaInfo.__table__).where(MetaInfo.key == "rebuild_marts"))


def _demo_areas(conn: Connection) -> list[DemoArea]:
    a, p = Area.__table__, AreaPopulation.__table__
    rows = conn.execute(select(a.c.id, a.c.code, a.c.socioeconomic_type, a.c.geometry_geojson,
                               func.max(p.c.population))
                        .join(p, p.c.area_id == a.c.id)
                        .where(a.c.level == "omrade", p.c.year == 2022)
                        .group_by(a.c.id, a.c.code, a.c.socioeconomic_type, a.c.geometry_geojson)
                        .order_by(a.c.sort_order)).all()
    return [DemoArea(r[0], r[1], r[4], r[2] or 4, json.loads(r[3])) for r in rows]


def seed_demo(conn: Connection, today: dt.date) -> dict[str, int]:
    """Generate the demo data set into an empty store, as one import of kind demo_marker.KIND."""
    start, end = demo_period(today)
    areas = _demo_areas(conn)
    sc = SourceCategory.__table__
    category_ids = {(s, c): i for s, c, i in conn.execute(
        select(sc.c.source, sc.c.source_category, sc.c.category_id)) if i is not None}
    import_id = conn.execute(insert(ImportLog.__table__).values(
        kind=demo_marker.KIND, source=None, file_name=demo_marker.FILE_NAME, sha256="-",
        imported_at=utc_now(), imported_by="lagesbild init",
        status="ok", message=f"Genererade demodata {start}–{end}")).inserted_primary_key[0]
    keys = np.random.default_rng(DEMO_SEED)  # the same seed gives the same published numbers
    incidents = generate_incidents(areas, category_ids, start, end).assign(import_id=import_id)
    incidents = demo_actions.with_effects(incidents, conn, end, DEMO_SEED)  # what the demo actions changed
    incidents["rkey"] = record_keys(len(incidents), keys)
    n_inc = insert_ignore(conn, Incident.__table__, incidents)
    walks, observations = generate_walks(areas, start, end)
    insert_ignore(conn, SafetyWalk.__table__, walks.assign(import_id=import_id))
    walk_ids = dict(conn.execute(select(SafetyWalk.walk_key, SafetyWalk.id)).all())
    observations = observations.assign(walk_id=observations["walk_key"].map(walk_ids),
                                       import_id=import_id)
    n_obs = insert_ignore(conn, Observation.__table__, observations)
    housing = generate_housing(areas, start, end)
    n_housing = insert_ignore(conn, HousingFigure.__table__,
                              housing.assign(import_id=import_id, rkey=record_keys(len(housing), keys)))
    demo_actions.store(conn, end, import_id)
    demo_actions.store_outcomes(conn, import_id)
    conn.execute(ImportLog.__table__.update().where(ImportLog.id == import_id).values(
        rows_read=n_inc, rows_accepted=n_inc))
    refresh_marts(conn)
    return {"incidents": n_inc, "walks": len(walks), "observations": n_obs, "housing": n_housing}

