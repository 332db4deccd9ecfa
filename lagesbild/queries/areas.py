"""Areas, populations and geometry as the pages need them."""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Connection, func, select

from lagesbild.queries.frames import frame
from lagesbild.store.models import Area, AreaPopulation

areas_t, pop_t = Area.__table__, AreaPopulation.__table__
LEVELS = ("kommundel", "omrade")


def area_frame(conn: Connection) -> pd.DataFrame:
    """Every area: id, code, name, level, parent and kommundel ids, socio-economic type."""
    rows = conn.execute(select(areas_t.c.id, areas_t.c.code, areas_t.c.name, areas_t.c.level,
                               areas_t.c.parent_id, areas_t.c.kommundel_id,
                               areas_t.c.socioeconomic_type, areas_t.c.geometry_schematic)
                        .order_by(areas_t.c.sort_order, areas_t.c.id)).all()
    return frame(rows, ["id", "code", "name", "level", "parent_id", "kommundel_id",
                        "socioeconomic_type", "schematic"])


def area_choices(conn: Connection) -> list[tuple[str, str]]:
    """(code, label) for the area filter: kommundelar, each followed by its områden, indented.
    Plain rows, not area_frame: every page's sidebar asks for it (a frame cost 5 ms more)."""
    rows = conn.execute(select(areas_t.c.id, areas_t.c.code, areas_t.c.name, areas_t.c.level, areas_t.c.parent_id)
                        .order_by(areas_t.c.sort_order, areas_t.c.id)).all()
    out = []
    for kd in (r for r in rows if r.level == "kommundel"):
        out.append((kd.code, kd.name))
        out += [(om.code, f"{kd.name} › {om.name}") for om in rows
                if om.level == "omrade" and om.parent_id == kd.id]
    out += [(r.code, r.name) for r in rows if r.level == "okant"]
    return out


def population(conn: Connection, year: int) -> pd.Series:
    """Population per area id for `year`, or the nearest earlier (else later) year available."""
    years = conn.execute(select(pop_t.c.year).distinct()).scalars().all()
    if not years:
        return pd.Series(dtype="float64")
    earlier = [y for y in years if y <= year]
    chosen = max(earlier) if earlier else min(years)
    rows = conn.execute(select(pop_t.c.area_id, pop_t.c.population).where(pop_t.c.year == chosen)).all()
    s = pd.Series({a: p for a, p in rows}, dtype="float64")
    s.attrs["year"] = chosen
    return s


def geometries(conn: Connection, level: str) -> dict[int, dict]:
    """GeoJSON geometry (WGS84) per area id of one level."""
    rows = conn.execute(select(areas_t.c.id, areas_t.c.geometry_geojson)
                        .where(areas_t.c.level == level, areas_t.c.geometry_geojson.is_not(None))).all()
    return {i: json.loads(g) for i, g in rows}


def any_schematic(conn: Connection) -> bool:
    return conn.execute(select(func.count()).select_from(areas_t)
                        .where(areas_t.c.geometry_schematic.is_(True))).scalar() > 0


def selection_population(conn: Connection, codes: tuple[str, ...], year: int) -> float:
    """Inhabitants of the chosen areas (all of the kommun when none), each person counted once."""
    areas, pop = area_frame(conn), population(conn, year)
    if not codes:
        chosen = areas[areas.level == "kommun"]
    else:
        chosen = areas[areas.code.isin(codes)]
        chosen = chosen[~chosen.parent_id.isin(chosen.id)]  # an område inside a chosen kommundel
    return float(pop.reindex(chosen.id).fillna(0).sum())
