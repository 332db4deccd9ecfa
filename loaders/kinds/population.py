"""Population per area and year from SCB Statistikdatabasen exports.

Region cells may be a RegSO code ('0127R001' or '0127R001 Albyberget'), SCB's 'Kommun (RegSO)'
label, a kommun code ('0127 Botkyrka'), an area name, or a DeSO code ('0127C1010'), which is
summed to its RegSO through SCB's key file (koppling DeSO2018 -> RegSO2020: columns DeSO_2018 and
RegSOkod_2020). Years: columns named by year (wide), a year column (long), or --year.
Regions outside the store's areas are counted and skipped. A `.json` file is a JSON-stat table
(PxWeb API v2, or saved from Statistikdatabasen; what `python -m loaders fetch scb` gets): all
ages go to area_population, the ages 12-20 (when the table has single-year ages) to
area_population_band for youth rates. Kommundel and kommun totals are
summed from their områden when the file does not give them and every område is present.
"""
from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import Connection, delete, insert, select

from lagesbild.domain.taxonomy import normalise_label
from lagesbild.store.models import Area, AreaPopulation
from loaders.errors import FileRefused, refuse
from loaders.kinds import Options, Prepared, Stored
from loaders.mapping import load_mapping, mapping_path
from loaders.readers.csvfile import csv_rows
from loaders.readers.scb import read_scb
from loaders.readers.text import decode
from loaders.source import SourceFile
from loaders.values import Collector, parse_count

KIND = "population"
FIELDS = {"region", "year", "population"}
DESO = re.compile(r"^(\d{4}[A-C]\d{4})\b")
REGSO = re.compile(r"^(\d{4}R\d{3})\b")
KOMMUN = re.compile(r"^(\d{4})(?:\s|$)")
PAREN = re.compile(r"^(.+?)\s*\((.+)\)$")
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
MISSING = {"..", ".", "-", ""}


def read_deso_key(file: SourceFile) -> dict[str, str]:
    rows = csv_rows(decode(file.name, file.data), name=file.name)
    header = [c.strip() for c in rows[0][1]] if rows else []
    if "DeSO_2018" not in header or "RegSOkod_2020" not in header:
        raise refuse(file.name, "Nyckelfilen ska ha kolumnerna DeSO_2018 och RegSOkod_2020 "
                     "(SCB:s koppling DeSO–RegSO).", row=1, error=FileRefused)
    d, r = header.index("DeSO_2018"), header.index("RegSOkod_2020")
    return {cells[d].strip(): cells[r].strip() for _, cells in rows[1:] if len(cells) > max(d, r)}


def _columns(file: str, frame: pd.DataFrame, options: Options) -> tuple[str, dict[str, int | None], str | None]:
    """The region column, value columns with their year, and a year column (long format)."""
    mapping = load_mapping(mapping_path(KIND, None, options.mapping), FIELDS)
    keys = {normalise_label(c): c for c in frame.columns}
    pick = lambda f: next((keys[normalise_label(a)] for a in mapping.fields.get(f, ())  # noqa: E731
                           if normalise_label(a) in keys), None)
    region = pick("region") or frame.columns[0]
    value, year_col = pick("population"), pick("year")
    if value:
        return region, {value: options.year}, year_col
    by_year = {c: int(YEAR.search(c).group(1)) for c in frame.columns if c != region and YEAR.search(c)}
    if by_year:
        return region, by_year, None
    raise refuse(file, "Hittar varken årskolumner (t.ex. '2022') eller en kolumn med folkmängd. "
                 "Exportera tabellen med åren som kolumner.", row=1, error=FileRefused)


TOTAL_CODES = {"totalt", "total", "tot", "1+2", "summa", "tot1"}
BANDS = {"12-20": [str(a) for a in range(12, 21)]}  # the ages of the youth rates


def _dim(ids: list[str], *names: str) -> str | None:
    return next((d for d in ids if any(n in normalise_label(d) for n in names)), None)


def read_jsonstat_population(file: SourceFile) -> pd.DataFrame:
    """A JSON-stat table (PxWeb API v2 or a saved file) as columns region, år, folkmängd and one
    column per age band of BANDS (empty when the table lacks single-year ages). Other dimensions
    (kön, tabellinnehåll) keep their total, else their first category."""
    from loaders.readers.jsonstat import read_jsonstat
    cells = read_jsonstat(file)
    ids = [c for c in cells.columns if c != "value"]
    region, time, age = _dim(ids, "region"), _dim(ids, "tid", "år", "year"), _dim(ids, "ålder", "alder", "age")
    if region is None or time is None:
        raise refuse(file.name, "JSON-stat-tabellen ska ha dimensionerna Region och Tid.", error=FileRefused)
    for other in (d for d in ids if d not in (region, time, age)):
        codes = list(dict.fromkeys(cells[other]))
        keep = [c for c in codes if normalise_label(c) in TOTAL_CODES] or codes[:1]
        cells = cells[cells[other].isin(keep)]
    cells = cells.assign(value=pd.to_numeric(cells["value"], errors="coerce"))
    if age is None:
        totals, ages = cells, None
    else:
        totals = cells[cells[age].map(normalise_label).isin(TOTAL_CODES)]
        ages = cells.assign(age_code=cells[age].astype(str).str.replace(r"\s*år$", "", regex=True))
    out = totals.groupby([region, time])["value"].sum(min_count=1).rename("folkmängd").reset_index()
    for band, codes in BANDS.items():
        part = ages[ages["age_code"].isin(codes)] if ages is not None else ages
        if part is None or part["age_code"].nunique() < len(codes):
            out[band] = None
            continue
        out = out.merge(part.groupby([region, time])["value"].sum(min_count=1).rename(band).reset_index(),
                        on=[region, time], how="left")
    out = out.rename(columns={region: "region", time: "år"})
    out["folkmängd"] = [("" if pd.isna(v) else str(int(v))) for v in out["folkmängd"]]
    out.index = pd.RangeIndex(1, len(out) + 1, name="rad")
    return out


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    frame = read_jsonstat_population(file) if file.suffix == ".json" else read_scb(file)
    region_col, values, year_col = _columns(file.name, frame, options)
    if year_col is None and None in values.values():
        raise refuse(file.name, "Filen anger inget år. Ange vilket år siffrorna gäller "
                     "(kommandoraden: --year 2022).", error=FileRefused)
    key = read_deso_key(options.deso_key) if options.deso_key else None
    resolve = _resolver(conn, key)
    problems = Collector(file.name)
    totals: dict[tuple[int, int], int] = {}
    skipped, needs_key = 0, False
    for row, r in frame.iterrows():
        area, is_deso = resolve(r[region_col])
        needs_key |= is_deso and key is None
        if area is None:
            skipped += 1
            continue
        for column, year in values.items():
            year = year or _year(problems, row, year_col, r[year_col])
            if str(r[column]).strip() in MISSING or year is None:
                continue
            try:
                n = parse_count(r[column])
            except ValueError as exc:
                problems.add(int(row), column, r[column], str(exc))
                continue
            totals[(area, year)] = totals.get((area, year), 0) + n
    if needs_key:
        problems.add(None, region_col, None, "Filen har DeSO-koder. Lägg till SCB:s nyckelfil "
                     "DeSO→RegSO (kommandoraden: --deso-key koppling-deso2018-regso2020.csv).")
    problems.raise_if_any()
    if not totals:
        raise refuse(file.name, "Ingen region i filen hör till kommunens områden. Kontrollera att "
                     "tabellen gäller rätt kommun och områdesindelning.", error=FileRefused)
    table = _with_parents(conn, totals)
    notes = [f"{skipped} rader gäller regioner utanför kommunens områden och hoppas över."] if skipped else []
    names = dict(conn.execute(select(Area.id, Area.name)).all())
    preview = table.assign(område=table["area_id"].map(names))[["område", "year", "population"]]
    tables = {"population": table}
    for band in (b for b in BANDS if b in frame.columns):
        if frame[band].isna().all():
            notes.append(f"Tabellen har inte ettåriga åldrar: åldersgruppen {band} år hämtades inte.")
            continue
        tables[f"band:{band}"] = _band_table(conn, frame, region_col, year_col, band, resolve)
    return Prepared(KIND, file, options.source, len(frame), tables, preview, notes)


def _band_table(conn: Connection, frame: pd.DataFrame, region_col: str, year_col: str, band: str,
                resolve) -> pd.DataFrame:
    sums: dict[tuple[int, int], int] = {}
    for _, r in frame.iterrows():
        area, _ = resolve(r[region_col])
        if area is not None and not pd.isna(r[band]):
            key = (area, int(YEAR.search(str(r[year_col])).group(1)))
            sums[key] = sums.get(key, 0) + int(r[band])
    return _with_parents(conn, sums).assign(band=band)


def _year(problems: Collector, row, column, value) -> int | None:
    m = YEAR.search(str(value))
    if not m:
        problems.add(int(row), column, value, "Året går inte att tolka (väntat t.ex. 2022).")
    return int(m.group(1)) if m else None


def _resolver(conn: Connection, key: dict[str, str] | None):
    a = Area.__table__
    rows = conn.execute(select(a.c.id, a.c.code, a.c.name, a.c.level).where(a.c.level != "okant")).all()
    by_code = {r.code: r.id for r in rows}
    by_name = {normalise_label(r.name): r.id for r in sorted(rows, key=lambda r: r.level == "omrade")}

    def resolve(label: str) -> tuple[int | None, bool]:
        text = " ".join(str(label).split())
        if m := DESO.match(text):
            return (by_code.get(key.get(m.group(1), "")) if key else None), True
        for pattern in (REGSO, KOMMUN):
            if m := pattern.match(text):
                return by_code.get(m.group(1)), False
        if m := PAREN.match(text):
            return by_name.get(normalise_label(m.group(2))), False
        return by_name.get(normalise_label(text)), False
    return resolve


def _with_parents(conn: Connection, totals: dict[tuple[int, int], int]) -> pd.DataFrame:
    a = Area.__table__
    parents = dict(conn.execute(select(a.c.id, a.c.parent_id).where(a.c.level.in_(["omrade", "kommundel"]))).all())
    levels = dict(conn.execute(select(a.c.id, a.c.level)).all())
    out = dict(totals)
    for level in ("omrade", "kommundel"):
        children = [i for i, lv in levels.items() if lv == level]
        for year in {y for _, y in totals}:
            for parent in {parents[c] for c in children}:
                kids = [c for c in children if parents[c] == parent]
                if (parent, year) not in out and all((c, year) in out for c in kids):
                    out[(parent, year)] = sum(out[(c, year)] for c in kids)
    return pd.DataFrame([(i, y, n) for (i, y), n in sorted(out.items())],
                        columns=["area_id", "year", "population"])


def store(conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    p = AreaPopulation.__table__
    table = prepared.tables["population"]
    current = {(r.area_id, r.year): r.population for r in conn.execute(select(p))}
    stored = Stored()
    for area_id, year, n in table.itertuples(index=False):
        old = current.get((int(area_id), int(year)))
        if old == n:
            stored.duplicates += 1
            continue
        conn.execute(delete(p).where(p.c.area_id == int(area_id), p.c.year == int(year)))
        conn.execute(insert(p).values(area_id=int(area_id), year=int(year), population=int(n)))
        if old is None:
            stored.inserted += 1
        else:
            stored.updated += 1
    _store_bands(conn, [t for name, t in prepared.tables.items() if name.startswith("band:")])
    return stored


def _store_bands(conn: Connection, tables: list[pd.DataFrame]) -> None:
    from lagesbild.store.models import AreaPopulationBand
    b = AreaPopulationBand.__table__
    for table in tables:
        for area_id, year, n, band in table[["area_id", "year", "population", "band"]].itertuples(index=False):
            conn.execute(delete(b).where(b.c.area_id == int(area_id), b.c.year == int(year), b.c.band == band))
            conn.execute(insert(b).values(area_id=int(area_id), year=int(year), band=band, population=int(n)))
