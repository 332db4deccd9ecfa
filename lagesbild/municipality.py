"""Any municipality from SCB's public files: `python -m lagesbild init --kommun CODE`.

Builds the area hierarchy kommun -> kommundel -> område (RegSO) of one kommun from
- SCB's key DeSO 2018 -> RegSO 2020 (columns Kommun, Kommunnamn, DeSO_2018, RegSO_2020, RegSOkod_2020),
- SCB's socio-economic area type per RegSO (rows 'Kommun (RegSO-namn)',type; footnotes skipped),
- population per DeSO or RegSO from an SCB table (a CSV with a deso/regso column and a
  total/folkmängd column, year about 2022; later years come from `python -m loaders fetch scb`
  or `import population`),
- the kommun's outline from a kommun boundary file (GeoJSON with kom_kod), for schematic
  boundaries (a Voronoi split around spread points, labelled schematic; real boundaries are
  imported under Datakällor as for Botkyrka),
- optionally a small CSV grouping RegSO into the municipality's own kommundelar (columns
  regso_code or regso_name, kommundel, optional kommundel_code; data/areas/botkyrka.csv is an
  example). A RegSO not in it is a kommundel of its own.
The files are read from where they are (a directory given with --reference-dir or
LAGESBILD_REFERENCE_DIR, or each file named); nothing is copied into the repository.
DeSO are not areas of the app: they are summed to their RegSO (the key is read again by the
population import, --deso-key).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon, shape
from sqlalchemy import Connection, select

from lagesbild.domain.areas import AREA_COLUMNS, AreaDef, area_defs_from_rows
from lagesbild.domain.geo import geom_to_sweref, geom_to_wgs84
from lagesbild.domain.taxonomy import normalise_label
from lagesbild.errors import AreaDefinitionError, Problem

PATTERNS = {"deso_key": "*koppling*deso*regso*.csv", "index": "*socioekonomisk*index*.csv",
            "boundaries": "kommuner*wgs84*.geojson", "population": "*deso*age*.csv"}
INDEX_ROW = re.compile(r"^(.+?)\s*\((.+)\)$")


def _problem(file: str, message: str, row: int | None = None, column: str | None = None) -> AreaDefinitionError:
    return AreaDefinitionError([Problem(file, row, column, None, message)])


def reference_file(kind: str, given: str | Path | None, directory: str | Path | None) -> Path:
    """The named file, or the newest file of the kind in the reference directory."""
    if given:
        path = Path(given)
        if not path.is_file():
            raise _problem(str(given), "filen finns inte")
        return path
    directory = directory or os.environ.get("LAGESBILD_REFERENCE_DIR")
    found = sorted(Path(directory).glob(PATTERNS[kind])) if directory else []
    if not found:
        raise _problem(str(directory or "-"), f"hittar ingen fil som matchar {PATTERNS[kind]}; ange "
                       f"katalogen med SCB:s filer (--reference-dir) eller filen (--{kind.replace('_', '-')})")
    return found[-1]


def _csv(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def read_key(path: Path, kommun: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The kommun's name and its (DeSO, RegSO code, RegSO name), from SCB's key table."""
    rows = _csv(path)
    need = {"Kommun", "Kommunnamn", "DeSO_2018", "RegSO_2020", "RegSOkod_2020"}
    if not rows or not need <= set(rows[0]):
        raise _problem(path.name, f"nyckelfilen ska ha kolumnerna {', '.join(sorted(need))}", 1)
    mine = [r for r in rows if r["Kommun"].strip().zfill(4) == kommun]
    if not mine:
        raise _problem(path.name, f"kommunkoden {kommun} finns inte i SCB:s nyckel (fyra siffror, t.ex. 0181)")
    return mine[0]["Kommunnamn"].strip(), [(r["DeSO_2018"].strip(), r["RegSOkod_2020"].strip(),
                                            r["RegSO_2020"].strip()) for r in mine]


def read_index(path: Path) -> dict[tuple[str, str], int]:
    """SCB's area type (1-5) by (kommun name, RegSO name); title and footnote rows are skipped."""
    types = {}
    for cells in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))):
        if len(cells) >= 2 and (m := INDEX_ROW.match(cells[0].strip())) and cells[1].strip() in "12345" \
                and cells[1].strip():
            types[(normalise_label(m.group(1)), normalise_label(m.group(2)))] = int(cells[1])
    return types


def read_population(path: Path, deso_to_regso: dict[str, str]) -> dict[str, int]:
    """Population per RegSO from a table per DeSO (summed) or per RegSO."""
    rows = _csv(path)
    columns = {normalise_label(c): c for c in (rows[0] if rows else {})}
    region = next((columns[c] for c in ("deso", "regso", "region") if c in columns), None)
    total = next((columns[c] for c in ("total", "folkmängd", "befolkning", "population") if c in columns), None)
    if not region or not total:
        raise _problem(path.name, "befolkningsfilen ska ha en kolumn deso eller regso och en kolumn "
                       "total eller folkmängd", 1)
    out: dict[str, int] = {}
    for n, r in enumerate(rows, start=2):
        code = r[region].strip().split(" ")[0]
        regso = deso_to_regso.get(code, code)
        if regso in set(deso_to_regso.values()):
            if not r[total].strip().isdigit():
                raise _problem(path.name, "folkmängden ska vara ett heltal", n, total)
            out[regso] = out.get(regso, 0) + int(r[total])
    return out


def read_kommundelar(path: Path | None, regso: dict[str, str]) -> dict[str, tuple[str, str]]:
    """RegSO code -> (kommundel code, kommundel name) from the optional grouping CSV."""
    if path is None:
        return {}
    by_name = {normalise_label(name): code for code, name in regso.items()}
    out = {}
    for n, r in enumerate(_csv(path), start=2):
        code = (r.get("regso_code") or "").strip() or by_name.get(normalise_label(r.get("regso_name") or ""))
        name = (r.get("kommundel") or "").strip()
        if code not in regso or not name:
            raise _problem(path.name, "okänt RegSO eller tom kommundel (kolumner regso_code eller "
                           "regso_name, kommundel)", n)
        out[code] = ((r.get("kommundel_code") or "").strip() or f"{code[:4]}K-{normalise_label(name)}"[:32], name)
    return out


def outline_of(path: Path, kommun: str) -> list[tuple[float, float]]:
    """The kommun's outline (largest part, lon/lat) from a GeoJSON of kommuner (property kom_kod)."""
    features = json.loads(path.read_text(encoding="utf-8")).get("features", [])
    feature = next((f for f in features if str(f.get("properties", {}).get("kom_kod", "")).zfill(4) == kommun), None)
    if feature is None:
        raise _problem(path.name, f"kommunen {kommun} finns inte i gränsfilen (egenskapen kom_kod)")
    geom = shape(feature["geometry"])
    part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
    simple = geom_to_wgs84(geom_to_sweref(Polygon(part.exterior)).simplify(150))
    return [(round(x, 6), round(y, 6)) for x, y in simple.exterior.coords[:-1]]


def spread_points(outline: list[tuple[float, float]], n: int) -> list[tuple[float, float]]:
    """n points spread over the outline (farthest-point sampling on a grid): schematic centres."""
    poly = geom_to_sweref(Polygon(outline))
    x0, y0, x1, y1 = poly.bounds
    step = max(x1 - x0, y1 - y0) / 60
    grid = [shapely.Point(x, y) for x in np.arange(x0, x1, step) for y in np.arange(y0, y1, step)]
    inside = np.array([(p.x, p.y) for p in grid if poly.contains(p)])
    start = poly.representative_point()
    chosen = [int(np.argmin(np.hypot(inside[:, 0] - start.x, inside[:, 1] - start.y)))]
    dist = np.hypot(inside[:, 0] - inside[chosen[0], 0], inside[:, 1] - inside[chosen[0], 1])
    while len(chosen) < n:
        chosen.append(int(np.argmax(dist)))
        dist = np.minimum(dist, np.hypot(inside[:, 0] - inside[chosen[-1], 0], inside[:, 1] - inside[chosen[-1], 1]))
    pts = [geom_to_wgs84(shapely.Point(*inside[i])) for i in chosen]
    return sorted(((round(p.x, 5), round(p.y, 5)) for p in pts), key=lambda xy: (-xy[1], xy[0]))


def municipality_rows(kommun: str, *, reference_dir=None, deso_key=None, index=None, boundaries=None,
                      population=None, kommundelar=None) -> tuple[list[dict[str, str]], list[tuple[float, float]]]:
    """The rows of an area file (AREA_COLUMNS) and the outline for `kommun`."""
    kommun = str(kommun).strip().zfill(4)
    if not re.fullmatch(r"\d{4}", kommun):
        raise _problem("--kommun", "kommunkoden ska vara fyra siffror, t.ex. 0181")
    name, key = read_key(reference_file("deso_key", deso_key, reference_dir), kommun)
    regso = {code: rname for _, code, rname in key}
    types = read_index(reference_file("index", index, reference_dir))
    people = read_population(reference_file("population", population, reference_dir),
                             {d: r for d, r, _ in key})
    groups = read_kommundelar(Path(kommundelar) if kommundelar else None, regso)
    outline = outline_of(reference_file("boundaries", boundaries, reference_dir), kommun)
    centres = spread_points(outline, len(regso))
    rows = []
    for (code, rname), (lon, lat) in zip(sorted(regso.items()), centres):
        kd_code, kd_name = groups.get(code, (f"{code}K", rname))
        rows.append(dict(zip(AREA_COLUMNS, [kommun, name, kd_code, kd_name, code, rname,
                                            str(people.get(code, 0)),
                                            str(types.get((normalise_label(name), normalise_label(rname)), "")),
                                            str(lon), str(lat)])))
    return rows, outline


def build_municipality(kommun: str, years: range, **files) -> list[AreaDef]:
    rows, outline = municipality_rows(kommun, **files)
    return area_defs_from_rows(rows, outline, years)


def resync_areas(conn: Connection, areas: list[AreaDef]) -> None:
    """Update the areas of a store set up for the same kommun; refuse another kommun's store."""
    from lagesbild.store.models import Area
    from lagesbild.store.reference import sync_areas
    current = conn.execute(select(Area.code, Area.name).where(Area.level == "kommun")).first()
    if current and current.code != areas[0].code:
        raise _problem("--kommun", f"databasen är redan uppsatt för {current.name} ({current.code}); "
                       "använd en ny databas (--db) för en annan kommun")
    sync_areas(conn, areas)
