"""What the store holds and where it came from: import log, freshness per source, summary."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, case, func, select

from lagesbild import demo_marker
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.incidents import combo_week, packed, unpack
from lagesbild.store.models import (Area, AreaPopulation, Category, HousingFigure, ImportLog, Incident,
                                    MartIncidentCombo, MartIncidentWeek, Observation, SafetyWalk)

log_t, inc_t, area_t = ImportLog.__table__, Incident.__table__, Area.__table__
TABLES = {"incidents": Incident, "safety_walks": SafetyWalk, "observations": Observation,
          "housing_figures": HousingFigure, "area_population": AreaPopulation, "imports": ImportLog}
LOG_COLUMNS = ["imported_at", "kind", "source", "file_name", "status", "rows_read", "rows_accepted",
               "rows_duplicate", "message"]


def import_log(conn: Connection, limit: int = 50) -> pd.DataFrame:
    """The latest imports, refused ones included, newest first (lagesbild.pageviews.datakallor
    words them)."""
    rows = conn.execute(select(*[log_t.c[c] for c in LOG_COLUMNS]).order_by(log_t.c.id.desc()).limit(limit)).all()
    return pd.DataFrame(rows, columns=LOG_COLUMNS)


def freshness(conn: Connection, policy: Policy) -> pd.DataFrame:
    """Per source: events held (published) and the first and last week with events. Read from the
    weekly mart, so it stays fast on a store of millions of incidents. (When each source last
    delivered, and whether it is late, is lagesbild.freshness's: dates only, no counts.)
    """
    # Typed row by row (a handful of sources; PostgreSQL sums as numeric): no frame-wide cast.
    data = pd.DataFrame([(source, int(n), int(k), bool(person), first, last)
                         for source, n, k, person, first, last in conn.execute(_per_source())],
                        columns=["source", "n", KEY_COLUMN, "sensitive", "first", "last"])
    shown = publish(data.astype({"n": "int64", KEY_COLUMN: "int64", "sensitive": bool}) if data.empty else data, policy)
    return shown[["source", "n_label", "first", "last"]]


def _per_source():
    """Events, key sum, sensitivity, first and last week per source: per (area, category, source)
    its last running total and key sum (one lookup in ix_mart_incident_week_cum, both packed in
    one integer), and per source its first and last week (the mart's primary key starts with the
    week: one short index walk from either end)."""
    week_t, combo_t, cat_t = MartIncidentWeek.__table__, MartIncidentCombo.__table__, Category.__table__
    person = select(cat_t.c.id).where(cat_t.c.sensitivity == "person")
    last = combo_week(packed(week_t), combo_t.c.area_id, combo_t.c.category_id, combo_t.c.source)
    per_combo = select(combo_t.c.source, last.label("packed"),
                       case((combo_t.c.category_id.in_(person), 1), else_=0).label("person")).subquery()
    n, k = unpack(per_combo.c.packed)

    def edge(newest: bool):
        week = func.max(week_t.c.week_start) if newest else func.min(week_t.c.week_start)
        return select(week).where(week_t.c.source == per_combo.c.source).scalar_subquery()
    return (select(per_combo.c.source, func.sum(n), func.sum(k), func.max(per_combo.c.person), edge(False),
                   edge(True)).where(per_combo.c.packed.is_not(None))
            .group_by(per_combo.c.source).order_by(per_combo.c.source))


def _count(conn: Connection, model) -> int:
    return conn.execute(select(func.count()).select_from(model.__table__)).scalar()


def store_summary(engine: Engine) -> dict:
    """Rows per table, incidents per source and per area, date range, last import per source."""
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(inc_t.c.occurred_at), func.max(inc_t.c.occurred_at))).one()
        per_area = conn.execute(select(area_t.c.name, func.coalesce(func.sum(inc_t.c.count), 0))
                                .join(inc_t, inc_t.c.area_id == area_t.c.id)
                                .group_by(area_t.c.name, area_t.c.sort_order)
                                .order_by(area_t.c.sort_order)).all()
        last_import = conn.execute(select(log_t.c.kind, log_t.c.source, func.max(log_t.c.imported_at))
                                   .where(log_t.c.status == "ok")
                                   .group_by(log_t.c.kind, log_t.c.source)).all()
        return {
            "dataset": demo_marker.KIND if demo_marker.holds_demo(conn) else "egna data",
            "tables": {name: _count(conn, model) for name, model in TABLES.items()},
            "incidents_per_source": dict(conn.execute(select(inc_t.c.source, func.sum(inc_t.c.count))
                                                      .group_by(inc_t.c.source)).all()),
            "incidents_per_area": {name: int(n) for name, n in per_area},
            "date_range": [first and first.date(), last and last.date()],
            "last_import": [{"kind": k, "source": s, "imported_at": t} for k, s, t in last_import],
        }


def summary_text(summary: dict) -> str:
    lines = [f"Datamängd: {summary['dataset']}", "Rader per tabell:"]
    lines += [f"  {t}: {n}" for t, n in summary["tables"].items()]
    first, last = summary["date_range"]
    lines.append(f"Händelser från {first or '-'} till {last or '-'}")
    lines += ["Händelser per källa:"] + [f"  {s}: {n}" for s, n in summary["incidents_per_source"].items()]
    lines += ["Händelser per område:"] + [f"  {a}: {n}" for a, n in summary["incidents_per_area"].items()]
    lines += ["Senaste import:"] + [f"  {i['kind']} {i['source'] or ''}: {i['imported_at']}"
                                    for i in summary["last_import"]]
    return "\n".join(lines)
