"""Area boundaries: features matched to the stored areas by code (kolumn code) or exact name.

EPSG:3006 (also a GeoJSON with the legacy `crs` member) and any other stated CRS are reprojected
to WGS84; a file without a CRS is taken as SWEREF99 TM when its coordinates are in metres.
Features that match no area are counted and skipped; a file where none matches is refused.
Invalid geometry refuses the file with the reason. Only geometry is stored (no gate needed).
A kommundel without its own feature gets the union of its områden once all have real borders.
"""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely
from shapely.validation import explain_validity
from sqlalchemy import Connection, select, update

from lagesbild.domain.taxonomy import normalise_label
from lagesbild.store.models import Area
from loaders.errors import FileRefused, refuse
from loaders.kinds import Options, Prepared, Stored
from loaders.mapping import apply_mapping, load_mapping, mapping_path
from loaders.readers.geo import read_boundaries
from loaders.source import SourceFile
from loaders.values import Collector

KIND = "areas"
FIELDS = {"code", "name"}
SWEDEN_LONLAT = (10.0, 55.0, 25.0, 69.5)


def to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        minx, miny, _, _ = frame.total_bounds
        frame = frame.set_crs(3006 if abs(minx) > 1000 or abs(miny) > 1000 else 4326)
    return frame.to_crs(4326)


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    frame = read_boundaries(file)
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name)).astype(str)
    props.index = pd.RangeIndex(1, len(props) + 1)
    mapping = load_mapping(mapping_path(KIND, options.source, options.mapping), FIELDS)
    mapped = apply_mapping(file.name, props, mapping, [("code", "name")], FIELDS)
    matched = _match(conn, mapped.frame)
    if not matched:
        raise refuse(file.name, "Inget objekt i filen matchar ett område i Lägesbild (på kod eller "
                     "namn). Kontrollera kolumnerna för kod och namn (mappning: "
                     f"{mapping.name}).", error=FileRefused)
    geoms = to_wgs84(frame.set_axis(props.index)).geometry
    problems = Collector(file.name)
    rows = [_checked(problems, row, geoms[row], area_id) for row, area_id in matched.items()]
    problems.raise_if_any()
    table = pd.DataFrame(rows, columns=["row", "area_id", "geometry_geojson"]).set_index("row")
    notes = [f"{len(frame) - len(matched)} objekt i filen matchar inget område och hoppas över."] \
        if len(frame) > len(matched) else []
    names = dict(conn.execute(select(Area.id, Area.name)).all())
    preview = pd.DataFrame({"Område": table["area_id"].map(names)})
    return Prepared(KIND, file, options.source, len(frame), {"areas": table}, preview, notes)


def _match(conn: Connection, frame: pd.DataFrame) -> dict[int, int]:
    a = Area.__table__
    rows = conn.execute(select(a.c.id, a.c.code, a.c.name, a.c.level).where(a.c.level != "okant")).all()
    by_code = {normalise_label(r.code): r.id for r in rows}
    by_name = {normalise_label(r.name): r.id for r in sorted(rows, key=lambda r: r.level != "omrade")}
    matched = {}
    for row in frame.index:
        code = normalise_label(frame.at[row, "code"]) if "code" in frame else ""
        name = normalise_label(frame.at[row, "name"]) if "name" in frame else ""
        area = by_code.get(code) or by_name.get(name)
        if area is not None and area not in matched.values():
            matched[row] = area
    return matched


def _checked(problems: Collector, row: int, geom, area_id: int) -> tuple:
    if geom is None or geom.is_empty:
        problems.add(row, "geometry", None, "Objektet saknar geometri.")
    elif geom.geom_type not in ("Polygon", "MultiPolygon"):
        problems.add(row, "geometry", geom.geom_type, "Geometrin ska vara en polygon eller multipolygon.")
    elif not geom.is_valid:
        problems.add(row, "geometry", explain_validity(geom), "Ogiltig geometri (t.ex. en polygon som "
                     "korsar sig själv). Rätta den i ett GIS-program (t.ex. QGIS: 'Fix geometries').")
    elif not _in_sweden(geom):
        problems.add(row, "geometry", None, "Geometrin ligger inte i Sverige. Kontrollera "
                     "koordinatsystemet (SWEREF99 TM, EPSG:3006, eller WGS84).")
    else:
        geojson = json.dumps(shapely.geometry.mapping(shapely.set_precision(geom, 1e-6)))
        return row, area_id, geojson
    return row, area_id, None


def _in_sweden(geom) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    return SWEDEN_LONLAT[0] <= minx and maxx <= SWEDEN_LONLAT[2] and \
        SWEDEN_LONLAT[1] <= miny and maxy <= SWEDEN_LONLAT[3]


def store(conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    a = Area.__table__
    table = prepared.tables["areas"]
    current = dict(conn.execute(select(a.c.id, a.c.geometry_geojson).where(
        a.c.geometry_schematic.is_(False), a.c.id.in_([int(i) for i in table["area_id"]]))).all())
    updated = 0
    for area_id, geojson in zip(table["area_id"], table["geometry_geojson"]):
        if current.get(int(area_id)) == geojson:
            continue
        conn.execute(update(a).where(a.c.id == int(area_id))
                     .values(geometry_geojson=geojson, geometry_schematic=False))
        updated += 1
    _union_kommundelar(conn, set(int(i) for i in table["area_id"]))
    return Stored(updated=updated, duplicates=len(table) - updated)


def _union_kommundelar(conn: Connection, given: set[int]) -> None:
    a = Area.__table__
    rows = conn.execute(select(a.c.id, a.c.level, a.c.parent_id, a.c.geometry_geojson,
                               a.c.geometry_schematic)).all()
    for kd in (r for r in rows if r.level == "kommundel" and r.id not in given):
        parts = [r for r in rows if r.level == "omrade" and r.parent_id == kd.id]
        if parts and all(not p.geometry_schematic and p.geometry_geojson for p in parts):
            union = shapely.union_all([shapely.geometry.shape(json.loads(p.geometry_geojson)) for p in parts])
            conn.execute(update(a).where(a.c.id == kd.id).values(
                geometry_geojson=json.dumps(shapely.geometry.mapping(shapely.set_precision(union, 1e-6))),
                geometry_schematic=False))
