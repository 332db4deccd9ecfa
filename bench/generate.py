"""A seeded, county-scale data set: 50 areas, 60 categories, N incidents as CSV, walks, housing.

Same seed and row count -> the same files. Incidents are written as the actors export them
(semicolon CSV with the headers of data/mappings/incidents.csv), one file per year and source,
so the import goes through the real loader with validation and anonymisation.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from shapely.geometry import box, mapping

from lagesbild import config
from lagesbild.domain.areas import AreaDef
from lagesbild.domain.geo import geom_to_wgs84
from lagesbild.domain.taxonomy import load_taxonomy

SEED = 20260
TODAY = dt.date(2026, 11, 18)          # LAGESBILD_TODAY of the bench: a Wednesday, week 47
END = dt.date(2026, 11, 15)            # Sunday of the last complete week
START = END - dt.timedelta(weeks=522, days=-1)   # ~10 years, a Monday
KOMMUNDELAR = ["Norrby", "Söderby", "Östervik", "Västerås", "Sjöstad", "Skogsberga", "Dalby",
               "Strandvik", "Kyrkby", "Hagalund"]
PARTS = ["centrum", "norra", "södra", "östra", "västra"]
CELL_M = 4000                          # områden are 4 x 4 km squares on a 10 x 5 grid
ORIGIN = (640_000, 6_560_000)          # SWEREF99 TM, south-west of Stockholm
SOURCES = {"polis": 0.42, "kommun": 0.22, "botkyrkabyggen": 0.21, "raddningstjanst": 0.15}
ID_PREFIX = {"polis": "PM", "kommun": "KS", "botkyrkabyggen": "BB", "raddningstjanst": "RT"}
PLACE_LABELS = ["Gata", "gata", "Torg", "Centrum", "Trapphus", "Garage", "Källare", "Skola",
                "Park", "Bostad", "okänd", "Bibliotek"]
AGE_LABELS = ["12-17", "18-20", "21+", "okänd", "", "0-11"]
HEADER = ["Id", "Tidpunkt", "Kategori", "Område", "E", "N", "Platstyp", "Åldersgrupp"]


@dataclass(frozen=True)
class BenchArea:
    code: str
    name: str
    kommundel: int
    col: int
    row: int
    population: int
    socio: int


def bench_areas(seed: int = SEED) -> list[BenchArea]:
    rng = np.random.default_rng(seed)
    out = []
    for col, kd in enumerate(KOMMUNDELAR):
        for row, part in enumerate(PARTS):
            out.append(BenchArea(f"01R{col * 5 + row + 1:03d}", f"{kd} {part}", col, col, row,
                                 int(rng.integers(20_000, 80_000)), int(rng.integers(1, 6))))
    return out


def _square(col: int, row: int, cols: int = 1, rows: int = 1) -> dict:
    x, y = ORIGIN[0] + col * CELL_M, ORIGIN[1] + row * CELL_M
    poly = geom_to_wgs84(box(x, y, x + cols * CELL_M, y + rows * CELL_M).segmentize(500))
    return mapping(poly)


def area_defs(areas: list[BenchArea]) -> list[AreaDef]:
    """kommun -> 10 kommundelar -> 50 områden, with square geometries and populations."""
    years = range(2015, 2028)
    grow = lambda p, y: round(p * 1.01 ** (y - 2022))  # noqa: E731
    kommun = AreaDef("01", "Länet (bench)", "kommun", None, geometry=_square(0, 0, 10, 5))
    kds = [AreaDef(f"01K{i + 1:02d}", name, "kommundel", "01", geometry=_square(i, 0, 1, 5))
           for i, name in enumerate(KOMMUNDELAR)]
    omr = [AreaDef(a.code, a.name, "omrade", f"01K{a.kommundel + 1:02d}",
                   {y: grow(a.population, y) for y in years}, a.socio, _square(a.col, a.row))
           for a in areas]
    for d in [kommun, *kds]:
        members = [o for o, a in zip(omr, areas) if d.level == "kommun" or a.kommundel == kds.index(d)]
        d.population = {y: sum(o.population[y] for o in members) for y in years}
    return [kommun, *kds, *omr]


def write_taxonomy(directory: Path, n_categories: int = 60) -> dict[str, list[str]]:
    """60 categories (the product's 29 and variants of them), each with its source's label.

    Returns the labels per source in the order of their frequency rank.
    """
    base = load_taxonomy(config.DATA_DIR / "taxonomy").categories  # the product's, not the bench's
    directory.mkdir(parents=True, exist_ok=True)
    variants = ["", " utomhus", " inomhus", " kväll"]
    cats, labels = [], {s: [] for s in SOURCES}
    sources = list(SOURCES)
    for i in range(n_categories):
        c, v = base[i % len(base)], variants[i // len(base)]
        code = f"{c.code}_{v.strip()}" if v else c.code
        cats.append([code, c.name + v, c.strategic_area, "|".join(c.focus_areas),
                     c.pyramid_level or "", c.sensitivity, c.description])
        labels[sources[i % 4]].append((f"{c.name}{v}", code))
    with (directory / "categories.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "strategic_area", "focus_areas", "pyramid_level", "sensitivity",
                    "description"])
        w.writerows(cats)
    with (directory / "source_categories.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source", "source_category", "category_code"])
        for s, pairs in labels.items():
            w.writerows([s, label, code] for label, code in pairs)
            w.writerow([s, "Ej brott (bench)", "-"])
    return {s: [label for label, _ in pairs] for s, pairs in labels.items()}


def _day_weights(days: pd.DatetimeIndex) -> np.ndarray:
    dow, month = days.day_of_week.to_numpy(), days.month.to_numpy()
    trend = 1 + 0.25 * np.arange(len(days)) / len(days)
    return np.where(dow >= 4, 1.3, 0.9) * np.where((month >= 6) & (month <= 8), 1.15, 1.0) * trend


HOURS = np.array([3, 2, 1.5, 1, .6, .4, .4, .6, .8, 1, 1.1, 1.2, 1.3, 1.4, 1.6, 1.9, 2.2, 2.6,
                  3.2, 3.8, 4.2, 4.4, 4.2, 3.6])


def incidents(n: int, areas: list[BenchArea], labels: dict[str, list[str]],
              seed: int = SEED) -> pd.DataFrame:
    """n incident rows as an export would hold them (strings), sorted by time."""
    rng = np.random.default_rng(seed + 1)
    days = pd.date_range(START, END, freq="D")
    w = _day_weights(days)
    day = rng.choice(len(days), size=n, p=w / w.sum())
    minute = rng.choice(24, size=n, p=HOURS / HOURS.sum()) * 60 + rng.integers(0, 60, n)
    ts = days.to_numpy()[day] + minute.astype("timedelta64[m]")
    order = np.argsort(ts, kind="stable")
    ts = ts[order]
    src_names = list(SOURCES)
    source = rng.choice(len(src_names), size=n, p=list(SOURCES.values()))
    label = np.empty(n, dtype=object)
    for s, name in enumerate(src_names):
        mask = source == s
        ranks = np.arange(1, len(labels[name]) + 1)
        p = 1 / ranks ** 0.9
        label[mask] = np.array(labels[name], dtype=object)[rng.choice(len(ranks), mask.sum(), p=p / p.sum())]
    ignored = rng.random(n) < 0.002
    label[ignored] = "Ej brott (bench)"
    aw = np.array([a.population * (1.8 if a.socio <= 2 else 1.0) for a in areas], dtype=float)
    area = rng.choice(len(areas), size=n, p=aw / aw.sum())
    cols = np.array([a.col for a in areas])[area]
    rows = np.array([a.row for a in areas])[area]
    hot = rng.random(n) < 0.5
    ex = np.where(hot, 2000 + rng.normal(0, 500, n), rng.uniform(60, CELL_M - 60, n)).clip(60, CELL_M - 60)
    ny = np.where(hot, 2000 + rng.normal(0, 500, n), rng.uniform(60, CELL_M - 60, n)).clip(60, CELL_M - 60)
    east = (ORIGIN[0] + cols * CELL_M + ex).astype(np.int64).astype(str).astype(object)
    north = (ORIGIN[1] + rows * CELL_M + ny).astype(np.int64).astype(str).astype(object)
    no_point = rng.random(n) < 0.3
    east[no_point], north[no_point] = "", ""
    names = np.array([a.name for a in areas], dtype=object)[area]
    return pd.DataFrame({
        "source": np.array(src_names, dtype=object)[source],
        "Tidpunkt": np.datetime_as_string(ts, unit="m").astype(object),
        "Kategori": label, "Område": names, "E": east, "N": north,
        "Platstyp": np.array(PLACE_LABELS, dtype=object)[rng.integers(0, len(PLACE_LABELS), n)],
        "Åldersgrupp": np.array(AGE_LABELS, dtype=object)[rng.integers(0, len(AGE_LABELS), n)],
    })


def write_incident_files(df: pd.DataFrame, directory: Path) -> list[tuple[Path, str, int]]:
    """One semicolon CSV per year and source (the loader's 100 MB limit asks for split files).

    Returns (path, source, rows) in import order: by year, then source.
    """
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("incidents_*.csv"):
        old.unlink()
    year = df["Tidpunkt"].str[:4]
    out = []
    for (y, s), part in df.groupby([year, df["source"]], sort=True):
        seq = np.arange(len(part)) + 1_000_000  # ids like K1234567, as police case numbers
        ids = [f"{ID_PREFIX[s]}-{y[2:]}-K{i:07d}" for i in seq]
        frame = part.drop(columns="source").assign(Id=ids)[HEADER]
        path = directory / f"incidents_{y}_{s}.csv"
        frame.to_csv(path, sep=";", index=False, lineterminator="\n")
        out.append((path, s, len(part)))
    return out


def walks(areas_ids: dict[str, int], seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """~100 walks a year over the whole county, 10–30 observations each."""
    from lagesbild.demo import DemoArea, generate_walks
    rng = np.random.default_rng(seed + 2)
    codes = sorted(areas_ids)
    demo_areas = [DemoArea(areas_ids[c], c, 40_000, int(rng.integers(1, 6)), _square(i // 5, i % 5))
                  for i, c in enumerate(codes)]
    frames = [generate_walks(demo_areas, START, END, seed=seed + k) for k in range(4)]
    ws, obs = [], []
    for k, (w, o) in enumerate(frames):
        ws.append(w.assign(walk_key="b" + str(k) + w["walk_key"]))
        obs.append(o.assign(walk_key="b" + str(k) + o["walk_key"], obs_key="b" + str(k) + o["obs_key"]))
    return pd.concat(ws, ignore_index=True), pd.concat(obs, ignore_index=True)


def housing(areas_ids: dict[str, int], seed: int = SEED) -> pd.DataFrame:
    from lagesbild.demo import DemoArea, generate_housing
    rng = np.random.default_rng(seed + 3)
    demo_areas = [DemoArea(i, c, 40_000, int(rng.integers(1, 6)), {}) for c, i in sorted(areas_ids.items())]
    return generate_housing(demo_areas, START, END, seed=seed)
