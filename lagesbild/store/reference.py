"""Reference tables: the area hierarchy with populations, and the taxonomy from data/taxonomy."""
from __future__ import annotations

import hashlib
import json

from sqlalchemy import Connection, delete, insert, select, update

from lagesbild.domain.areas import AreaDef
from lagesbild.domain.taxonomy import IGNORED, Taxonomy
from lagesbild.domain.vocab import UNKNOWN_AREA_CODE, UNKNOWN_AREA_NAME
from lagesbild.store.models import (Area, AreaPopulation, Category, CategoryFocus, Incident,
                                    MetaInfo, SourceCategory)

areas_t, pop_t = Area.__table__, AreaPopulation.__table__
cat_t, focus_t, srccat_t = Category.__table__, CategoryFocus.__table__, SourceCategory.__table__
meta_t = MetaInfo.__table__


def get_meta(conn: Connection, key: str, default: str | None = None) -> str | None:
    value = conn.execute(select(meta_t.c.value).where(meta_t.c.key == key)).scalar()
    return default if value is None else value


def set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(delete(meta_t).where(meta_t.c.key == key))
    conn.execute(insert(meta_t).values(key=key, value=value))


def area_ids_by_code(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(select(areas_t.c.code, areas_t.c.id)).all())


def sync_areas(conn: Connection, defs: list[AreaDef]) -> None:
    """Insert missing areas (parents first), update names and geometry, upsert populations."""
    ids = area_ids_by_code(conn)
    for order, d in enumerate(defs):
        values = dict(code=d.code, name=d.name, level=d.level, socioeconomic_type=d.socioeconomic_type,
                      geometry_geojson=json.dumps(d.geometry) if d.geometry else None,
                      geometry_schematic=d.schematic, sort_order=order,
                      parent_id=ids.get(d.parent_code) if d.parent_code else None)
        if d.code in ids:
            conn.execute(update(areas_t).where(areas_t.c.id == ids[d.code]).values(**values))
        else:
            ids[d.code] = conn.execute(insert(areas_t).values(**values)).inserted_primary_key[0]
        kommundel = {"kommundel": ids[d.code], "omrade": ids.get(d.parent_code or "")}.get(d.level)
        conn.execute(update(areas_t).where(areas_t.c.id == ids[d.code]).values(kommundel_id=kommundel))
        conn.execute(delete(pop_t).where(pop_t.c.area_id == ids[d.code]))
        if d.population:
            conn.execute(insert(pop_t), [dict(area_id=ids[d.code], year=y, population=p)
                                         for y, p in sorted(d.population.items())])
    if UNKNOWN_AREA_CODE not in ids:
        conn.execute(insert(areas_t).values(code=UNKNOWN_AREA_CODE, name=UNKNOWN_AREA_NAME,
                                            level="okant", geometry_schematic=False,
                                            sort_order=len(defs) + 1))


def taxonomy_fingerprint(taxonomy: Taxonomy) -> str:
    payload = json.dumps([[c.__dict__ for c in taxonomy.categories],
                          sorted(f"{k[0]}|{k[1]}|{v}" for k, v in taxonomy.mapping.items())],
                         sort_keys=True, default=list, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def sync_taxonomy(conn: Connection, taxonomy: Taxonomy) -> bool:
    """Bring the taxonomy tables in line with the files; remap stored incidents. True if changed."""
    fingerprint = taxonomy_fingerprint(taxonomy)
    if get_meta(conn, "taxonomy_sha256") == fingerprint:
        return False
    ids = dict(conn.execute(select(cat_t.c.code, cat_t.c.id)).all())
    for order, c in enumerate(taxonomy.categories):
        values = dict(code=c.code, name=c.name, strategic_area=c.strategic_area,
                      pyramid_level=c.pyramid_level, sensitivity=c.sensitivity,
                      description=c.description, sort_order=order)
        if c.code in ids:
            conn.execute(update(cat_t).where(cat_t.c.id == ids[c.code]).values(**values))
        else:
            ids[c.code] = conn.execute(insert(cat_t).values(**values)).inserted_primary_key[0]
    conn.execute(delete(focus_t))
    focus_rows = [dict(category_id=ids[c.code], focus_area=f) for c in taxonomy.categories
                  for f in c.focus_areas]
    if focus_rows:
        conn.execute(insert(focus_t), focus_rows)
    conn.execute(delete(srccat_t))
    conn.execute(insert(srccat_t), [
        dict(source=src, source_category=label, category_id=None if code == IGNORED else ids[code])
        for (src, label), code in taxonomy.mapping.items()])
    _remap_incidents(conn)
    set_meta(conn, "taxonomy_sha256", fingerprint)
    return True


def _remap_incidents(conn: Connection) -> None:
    """Point stored incidents at the category their source category now maps to."""
    inc = Incident.__table__
    mapped = (select(srccat_t.c.category_id)
              .where(srccat_t.c.source == inc.c.source,
                     srccat_t.c.source_category == inc.c.source_category,
                     srccat_t.c.category_id.is_not(None))
              .scalar_subquery())
    exists_mapping = (select(srccat_t.c.category_id)
                      .where(srccat_t.c.source == inc.c.source,
                             srccat_t.c.source_category == inc.c.source_category,
                             srccat_t.c.category_id.is_not(None)).exists())
    conn.execute(update(inc).where(exists_mapping, inc.c.category_id != mapped).values(category_id=mapped))
