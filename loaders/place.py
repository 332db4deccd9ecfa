"""Placing rows in areas and coarsening points, so no exact position is ever stored.

Order for a row: a named area (code or name, from an area column) -> the område whose geometry
holds the point (also refines a kommundel name) -> a place name found in free text -> the area
"okant" (Okänt område). Rows are never dropped for lack of a place.
Names: every area's code and name, the parts of hyphenated names ("Uttran-Broäng" -> "Uttran",
"Broäng") when unambiguous, and data/mappings/place_aliases.csv (alias,area).
"""
from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import Connection, select

from lagesbild import config
from lagesbild.domain.geo import cell_of, geom_to_sweref, to_sweref
from lagesbild.domain.taxonomy import normalise_label
from lagesbild.domain.vocab import UNKNOWN_AREA_CODE
from lagesbild.store.models import Area

ALIASES_FILE = config.MAPPINGS_DIR / "place_aliases.csv"
SWEDEN_E = (200_000, 1_000_000)
SWEDEN_N = (6_100_000, 7_700_000)
LEVEL_RANK = {"omrade": 0, "kommundel": 1}  # the kommun itself places nothing: "okant"


@dataclass(frozen=True)
class AreaRow:
    id: int
    code: str
    name: str
    level: str
    kommundel_id: int | None


class AreaIndex:
    """The areas of the store, looked up by name, by free text and by point."""

    def __init__(self, areas: list[AreaRow], geometries: dict[int, dict], aliases: dict[str, str]):
        self.areas = {a.id: a for a in areas}
        self.unknown_id = next(a.id for a in areas if a.code == UNKNOWN_AREA_CODE)
        self.kommun = next((a for a in areas if a.level == "kommun"), None)
        self.by_name = _name_table(areas, aliases)
        names = sorted(self.by_name, key=len, reverse=True)
        self._text = re.compile(r"(?<![\wåäöÅÄÖ-])(" + "|".join(re.escape(n) for n in names)
                                + r")s?(?![\wåäöÅÄÖ])", re.IGNORECASE) if names else None
        omraden = [(i, g) for i, g in geometries.items() if self.areas[i].level == "omrade"]
        self._polygons = []  # (id, prepared SWEREF99 TM geometry, bounds) in store order
        for i, g in omraden:
            geom = geom_to_sweref(shape(g))
            shapely.prepare(geom)
            self._polygons.append((i, geom, geom.bounds))

    def by_label(self, label: str) -> int | None:
        """An area named exactly by code, name or alias (case-insensitive)."""
        return self.by_name.get(normalise_label(label)) if str(label).strip() else None

    def in_text(self, text: str) -> int | None:
        """The first area named anywhere in free text (longest name first at each position)."""
        if not self._text or not text:
            return None
        m = self._text.search(str(text))
        return self.by_name[normalise_label(m.group(1))] if m else None

    def at_points(self, east: np.ndarray, north: np.ndarray) -> np.ndarray:
        """The id of the område holding each SWEREF99 TM point (on its border counts), -1 outside
        every område. Per område: its bounding box picks the candidates, then the prepared
        geometry tests only those (no point objects are made)."""
        east, north = np.asarray(east, dtype=float), np.asarray(north, dtype=float)
        found = np.full(len(east), -1, dtype=np.int64)
        for area_id, geom, (x0, y0, x1, y1) in self._polygons:
            candidates = np.flatnonzero((found < 0) & (east >= x0) & (east <= x1)
                                        & (north >= y0) & (north <= y1))
            if candidates.size:
                inside = shapely.intersects_xy(geom, east[candidates], north[candidates])
                found[candidates[inside]] = area_id
        return found

    def refine(self, named: int | None, at_point: int | None) -> int | None:
        """The named area, unless it is a kommundel and the point lies in one of its områden."""
        if named is None:
            return at_point
        area = self.areas[named]
        if at_point is not None and area.level == "kommundel" and \
                self.areas[at_point].kommundel_id == area.id:
            return at_point
        return named


def _name_table(areas: list[AreaRow], aliases: dict[str, str]) -> dict[str, int]:
    table: dict[str, int] = {}
    placed = [a for a in areas if a.level in LEVEL_RANK]
    for a in sorted(placed, key=lambda a: -LEVEL_RANK[a.level]):  # more specific levels win
        table[normalise_label(a.code)] = a.id
        table[normalise_label(a.name)] = a.id
    parts: dict[str, set[int]] = {}
    for a in placed:
        if "-" in a.name:
            for part in a.name.split("-"):
                parts.setdefault(normalise_label(part), set()).add(a.id)
    for part, ids in parts.items():
        if len(ids) == 1 and part not in table and len(part) > 2:
            table[part] = next(iter(ids))
    for alias, target in aliases.items():
        if normalise_label(target) in table:
            table.setdefault(normalise_label(alias), table[normalise_label(target)])
    return table


def read_aliases() -> dict[str, str]:
    if not ALIASES_FILE.exists():
        return {}
    with ALIASES_FILE.open(encoding="utf-8-sig", newline="") as fh:
        return {r["alias"].strip(): r["area"].strip() for r in csv.DictReader(fh) if r.get("alias")}


def load_index(conn: Connection) -> AreaIndex:
    a = Area.__table__
    rows = conn.execute(select(a.c.id, a.c.code, a.c.name, a.c.level, a.c.kommundel_id,
                               a.c.geometry_geojson)).all()
    areas = [AreaRow(r.id, r.code, r.name, r.level, r.kommundel_id) for r in rows]
    geometries = {r.id: json.loads(r.geometry_geojson) for r in rows if r.geometry_geojson}
    return AreaIndex(areas, geometries, read_aliases())


def points_to_sweref(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """(east, north) in SWEREF99 TM from 'sweref' (x=E, y=N) or 'wgs84' (x=lon, y=lat)."""
    if crs == "wgs84":
        return tuple(np.asarray(v, dtype=float) for v in to_sweref(x, y))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def inside_sweden(east: float, north: float) -> bool:
    return SWEDEN_E[0] <= east <= SWEDEN_E[1] and SWEDEN_N[0] <= north <= SWEDEN_N[1]


__all__ = ["AreaIndex", "load_index", "points_to_sweref", "inside_sweden", "cell_of"]
