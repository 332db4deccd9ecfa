"""The area hierarchy of a municipality: kommun -> kommundel -> område (RegSO).

Read from a CSV in data/areas (one row per område). Boundaries shipped with the project are
schematic: a Voronoi split of a hand-drawn outline around hand-placed centre points, drawn by this
project and labelled as schematic wherever they are shown. Real boundaries come from the area loader.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import MultiPoint, Polygon, mapping
from shapely.ops import unary_union

from lagesbild.domain.geo import geom_to_sweref, geom_to_wgs84, to_sweref
from lagesbild.errors import AreaDefinitionError, Problem

AREA_COLUMNS = ["kommun_code", "kommun_name", "kommundel_code", "kommundel", "regso_code",
                "regso_name", "population_2022", "socioeconomic_type", "schematic_lon",
                "schematic_lat"]
POPULATION_GROWTH = 0.008  # yearly growth used to extend the 2022 populations of the demo


@dataclass
class AreaDef:
    code: str
    name: str
    level: str
    parent_code: str | None
    population: dict[int, int] = field(default_factory=dict)
    socioeconomic_type: int | None = None
    geometry: dict | None = None  # GeoJSON geometry in WGS84
    schematic: bool = False


def read_area_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in AREA_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise AreaDefinitionError([Problem(path.name, 1, c, None, "kolumnen saknas")
                                       for c in missing])
        rows = list(reader)
    problems = [Problem(path.name, i, "population_2022", r["population_2022"], "ska vara ett heltal")
                for i, r in enumerate(rows, start=2) if not r["population_2022"].isdigit()]
    if problems:
        raise AreaDefinitionError(problems)
    return rows


def _populations(base_2022: int, years: range) -> dict[int, int]:
    return {y: round(base_2022 * (1 + POPULATION_GROWTH) ** (y - 2022)) for y in years}


def schematic_polygons(outline_lonlat: list[tuple[float, float]],
                       centres: dict[str, tuple[float, float]]) -> dict[str, Polygon]:
    """Voronoi cells of the centres, clipped to the outline; computed in SWEREF99 TM metres."""
    outline = geom_to_sweref(Polygon(outline_lonlat))
    points = {code: shapely.Point(to_sweref(*lonlat)) for code, lonlat in centres.items()}
    cells = shapely.voronoi_polygons(MultiPoint(list(points.values())), extend_to=outline)
    result = {}
    for code, point in points.items():
        cell = next(c for c in cells.geoms if c.contains(point))
        result[code] = cell.intersection(outline)
    return {code: geom_to_wgs84(poly) for code, poly in result.items()}


def _geojson(geom) -> dict:
    rounded = shapely.set_precision(geom, 1e-6)
    return json.loads(json.dumps(mapping(rounded)))


def build_area_defs(area_file: Path, outline_file: Path, years: range) -> list[AreaDef]:
    """All areas of the definition file, parents first, with schematic geometry and populations."""
    rows = read_area_rows(area_file)
    with outline_file.open(encoding="utf-8") as fh:
        outline = [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader(fh)]
    return area_defs_from_rows(rows, outline, years)


def area_defs_from_rows(rows: list[dict[str, str]], outline: list[tuple[float, float]],
                        years: range) -> list[AreaDef]:
    """The same from rows with AREA_COLUMNS and an outline (lon, lat): lagesbild.municipality
    builds them for any kommun from SCB's files."""
    polys = schematic_polygons(outline, {r["regso_code"]: (float(r["schematic_lon"]),
                                                          float(r["schematic_lat"])) for r in rows})
    kommun = AreaDef(rows[0]["kommun_code"], rows[0]["kommun_name"], "kommun", None,
                     geometry=_geojson(unary_union(list(polys.values()))), schematic=True)
    kommundelar: dict[str, AreaDef] = {}
    omraden: list[AreaDef] = []
    for r in rows:
        base = int(r["population_2022"])
        omraden.append(AreaDef(r["regso_code"], r["regso_name"], "omrade", r["kommundel_code"],
                               _populations(base, years), int(r["socioeconomic_type"] or 0) or None,
                               _geojson(polys[r["regso_code"]]), True))
        kd = kommundelar.setdefault(r["kommundel_code"], AreaDef(
            r["kommundel_code"], r["kommundel"], "kommundel", kommun.code, schematic=True))
        for y, p in omraden[-1].population.items():
            kd.population[y] = kd.population.get(y, 0) + p
        kommun.population = {y: kommun.population.get(y, 0) + p for y, p in omraden[-1].population.items()}
    for kd in kommundelar.values():
        members = [polys[r["regso_code"]] for r in rows if r["kommundel_code"] == kd.code]
        kd.geometry = _geojson(unary_union(members))
    return [kommun, *kommundelar.values(), *omraden]
