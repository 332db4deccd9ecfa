"""Helpers shared by the loader tests (no tests here)."""
from __future__ import annotations

import io

from sqlalchemy import func, select, text

from lagesbild.store.models import (Area, AreaPopulation, HousingFigure, ImportLog, Incident,
                                    MartIncidentWeek, Observation, SafetyWalk)
from loaders.kinds import Options
from loaders.pipeline import run_import
from loaders.source import SourceFile

DATA_MODELS = [Incident, SafetyWalk, Observation, HousingFigure, MartIncidentWeek]


def snapshot(engine) -> dict:
    """Everything an import may change, except the import log."""
    with engine.connect() as conn:
        counts = {m.__tablename__: conn.execute(select(func.count()).select_from(m.__table__)).scalar()
                  for m in DATA_MODELS}
        counts["population"] = conn.execute(select(func.sum(AreaPopulation.population))).scalar()
        counts["geometry"] = conn.execute(select(func.count()).where(Area.geometry_schematic.is_(False),
                                                                      Area.level != "okant")).scalar()
        counts["observation_status"] = sorted(conn.execute(select(Observation.obs_key, Observation.status)).all())
    return counts


def refused_log(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(select(ImportLog.kind, ImportLog.status)).all()


def csv_bytes(rows: list[str], encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode(encoding)


def run(engine, kind: str, name: str, data: bytes, **options):
    flags = {k: options.pop(k) for k in ("dry_run", "replace_demo") if k in options}
    return run_import(engine, kind, SourceFile(name, data), Options(**options), **flags)


def scalar(engine, sql: str):
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def xlsx_bytes(header: list[str], body: list[list]) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for r in body:
        sheet.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def incident_rows(engine, *columns: str) -> list[tuple]:
    """Incident columns (typed by the models) plus the area name, in time order."""
    inc = Incident.__table__
    query = (select(*[inc.c[c] for c in columns], Area.name).join(Area, Area.id == inc.c.area_id)
             .order_by(inc.c.occurred_at, inc.c.natural_key))
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query).all()]
