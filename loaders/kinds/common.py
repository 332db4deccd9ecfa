"""Steps the tabular kinds share: read + map + gate, the taxonomy, and placement of rows."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from lagesbild.domain.taxonomy import IGNORED, normalise_label
from lagesbild.store.models import SourceCategory
from loaders import anonymise
from loaders.errors import FileRefused, PersonalDataFound, refuse
from loaders.mapping import Mapped, apply_mapping, load_mapping, mapping_path
from loaders.place import SWEDEN_E, SWEDEN_N, AreaIndex, inside_sweden, points_to_sweref
from loaders.readers import read_table
from loaders.source import SourceFile
from lagesbild.domain.geo import cell_of
from loaders.values import Collector, parse_number

TAXONOMY_FILE = "data/taxonomy/source_categories.csv"


def read_mapped(file: SourceFile, kind: str, source: str | None, mapping_file: str | None,
                fields: set[str], required: list[tuple[str, ...]], typed: set[str]) -> Mapped:
    frame = read_table(file)
    mapping = load_mapping(mapping_path(kind, source, mapping_file), fields)
    return apply_mapping(file.name, frame, mapping, required, typed)


def gate(file: str, mapped: Mapped) -> Collector:
    """The anonymisation gate's findings (raised together with the value problems)."""
    found = Collector(file, PersonalDataFound)
    try:
        anonymise.check(file, mapped.gate)
    except PersonalDataFound as exc:
        found.problems += exc.problems
    return found


def raise_all(*collectors: Collector) -> None:
    """Refuse with every problem; personal data first (and as the exception's type)."""
    problems = [p for c in collectors for p in c.problems]
    if not problems:
        return
    error = next((c.error for c in collectors if c.problems and c.error is PersonalDataFound), FileRefused)
    merged = Collector(collectors[0].file, error)
    merged.problems = problems
    merged.raise_if_any()


def known_sources(conn: Connection) -> list[str]:
    sc = SourceCategory.__table__
    return sorted(conn.execute(select(sc.c.source).distinct()).scalars())


def check_source(file: str, conn: Connection, source: str | None) -> str:
    sources = known_sources(conn)
    if source not in sources:
        raise FileRefused(Collector(file).problems + [_source_problem(file, source, sources)])
    return source


def _source_problem(file, source, sources):
    from lagesbild.errors import Problem
    what = f"Okänd källa '{source}'" if source else "Källa saknas"
    return Problem(file, None, None, None, f"{what}. Ange en av: {', '.join(sources)} "
                   "(nya källor läggs till i data/taxonomy/source_categories.csv).")


def category_table(conn: Connection, source: str) -> dict[str, int | None]:
    """Normalised source category -> category id (None = ignored) for one source."""
    sc = SourceCategory.__table__
    return dict(conn.execute(select(sc.c.source_category, sc.c.category_id)
                             .where(sc.c.source == source)).all())


def map_categories(problems: Collector, source: str, labels: pd.Series, column: str,
                   table: dict[str, int | None]) -> tuple[pd.Series, Counter]:
    """Category ids (NaN where ignored) and the ignored labels with counts; unmapped labels
    become one problem each, with their count: the file is refused until the taxonomy says."""
    ids, ignored, unmapped = categories_of(labels, table)
    unmapped_problems(problems, source, column, unmapped)
    return ids, ignored


Unmapped = dict[str, tuple[int, int, str]]  # normalised label -> (rows, first row, the cell there)


def categories_of(labels: pd.Series, table: dict[str, int | None],
                  normalised: pd.Series | None = None) -> tuple[pd.Series, Counter, Unmapped]:
    """map_categories without the problems: ids, ignored labels, and the unmapped labels with
    their count and first row (so that a file read in pieces can add them up, see add_unmapped)."""
    normalised = normalise_labels(labels) if normalised is None else normalised
    counts = Counter(normalised[~normalised.isin(table.keys())])
    unmapped = {}
    for label, n in counts.items():
        first = normalised.index[normalised == label][0]
        unmapped[label] = (n, int(first), labels[first])
    ids = normalised.map({v: table.get(v, IGNORED) for v in normalised.unique()})
    ignored = Counter(labels[ids.isna()].map(str))
    return ids.where(ids != IGNORED, None), ignored, unmapped


def add_unmapped(total: Unmapped, more: Unmapped) -> None:
    """The unmapped labels of two pieces of a file (`more` follows `total`), added up."""
    for label, (n, row, cell) in more.items():
        before = total.get(label)
        total[label] = (n, row, cell) if before is None else (before[0] + n, before[1], before[2])


def unmapped_problems(problems: Collector, source: str, column: str, unmapped: Unmapped) -> None:
    for label, (n, row, cell) in sorted(unmapped.items(), key=lambda kv: (-kv[1][0], kv[0])):
        problems.add(row, column, cell,
                     f"Kategorin finns inte i taxonomin ({n} rader). Lägg till en rad "
                     f"'{source},{_csv_cell(cell)},<kategorikod>' i {TAXONOMY_FILE} "
                     "(kategorikod '-' om kategorin inte ska räknas).")


def normalise_labels(labels: pd.Series) -> pd.Series:
    """normalise_label of every cell, computed once per distinct value."""
    return labels.map({v: normalise_label(v) for v in labels.unique()})


def _csv_cell(text: str) -> str:
    return f'"{text}"' if "," in str(text) else str(text)


def coordinates(problems: Collector, mapped: Mapped,
                sections: tuple[Collector, Collector] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """SWEREF99 TM (east, north) per row, NaN where the row has no point. With `sections`, the
    problems of the second coordinate and of points outside Sweden go to those collectors (a file
    read in pieces keeps each kind of problem in its own list, in the order a whole file gives)."""
    f, h = mapped.frame, mapped.headers
    y_problems, outside_problems = sections or (problems, problems)
    n = len(f)
    if {"east", "north"} <= set(f.columns):
        x, y, crs, cols = f["east"], f["north"], "sweref", (h["east"], h["north"])
    elif {"lon", "lat"} <= set(f.columns):
        x, y, crs, cols = f["lon"], f["lat"], "wgs84", (h["lon"], h["lat"])
    else:
        return np.full(n, np.nan), np.full(n, np.nan)
    xs = _numbers(problems, x, cols[0])
    ys = _numbers(y_problems, y, cols[1])
    east, north = points_to_sweref(xs, ys, crs)
    outside = ~np.isnan(east) & ~((east >= SWEDEN_E[0]) & (east <= SWEDEN_E[1])
                                  & (north >= SWEDEN_N[0]) & (north <= SWEDEN_N[1]))
    for i in np.flatnonzero(outside):
        row = f.index[i]
        if not np.isnan(east[i]) and not inside_sweden(east[i], north[i]):
            outside_problems.add(int(row), f"{cols[0]}/{cols[1]}", f"{x.iloc[i]}; {y.iloc[i]}",
                         "Koordinaten ligger utanför Sverige. Kontrollera att kolumnerna inte är "
                         "omkastade och att koordinatsystemet är SWEREF99 TM (eller WGS84 för lon/lat).")
            east[i] = north[i] = np.nan
    return east, north


def _numbers(problems: Collector, series: pd.Series, column: str) -> np.ndarray:
    """Numbers of a column of (stripped) cells, NaN where empty. Plain numbers ('6578123',
    '59.24') are converted at once; the rest (decimal comma, spaces, Unicode minus, mistakes)
    through parse_number, cell by distinct cell, with its messages."""
    present = series[series != ""]
    values = pd.to_numeric(present, errors="coerce").astype(float)
    slow = values.isna()
    if slow.any():
        values[slow] = pd.to_numeric(problems.convert(present[slow], parse_number, column), errors="coerce")
    out = pd.Series(np.nan, index=series.index, dtype=float)
    out[values.index] = values
    return out.to_numpy().copy()  # writable: coordinates() blanks points outside Sweden


def place_rows(index: AreaIndex, frame: pd.DataFrame, east: np.ndarray, north: np.ndarray,
               text_fields: tuple[str, ...] = ("place",)) -> list[int]:
    """The area of each row: named area, point, place name in text, else 'okant'."""
    valid = ~np.isnan(east)
    at_point = np.full(len(frame), -1, dtype=np.int64)
    if valid.any():
        at_point[valid] = index.at_points(east[valid], north[valid])
    labels = frame["area"] if "area" in frame else pd.Series("", index=frame.index)
    if len(labels) == 0:
        return []
    named_of = {label: index.by_label(label) or index.in_text(label) for label in labels.unique()}
    named = labels.map({k: -1 if v is None else v for k, v in named_of.items()}).to_numpy(dtype=np.int64)
    # Refine each distinct (named area, area at the point) pair once.
    pairs, inverse = np.unique((named + 1) * 2**31 + (at_point + 1), return_inverse=True)
    refined = [index.refine(None if n < 0 else int(n), None if p < 0 else int(p))
               for n, p in zip(pairs // 2**31 - 1, pairs % 2**31 - 1)]
    areas = np.asarray(refined, dtype=object)[inverse].tolist()
    for i in [i for i, a in enumerate(areas) if a is None]:
        row = frame.index[i]
        for f in text_fields:
            if areas[i] is None and f in frame:
                areas[i] = index.in_text(frame.at[row, f])
        if areas[i] is None:
            areas[i] = index.unknown_id
    return areas


def cells(east: np.ndarray, north: np.ndarray) -> tuple[pd.arrays.IntegerArray, pd.arrays.IntegerArray]:
    """The 250 m cell (lower-left corner) of each point; missing where there is no point."""
    missing = np.isnan(east)
    e, n = cell_of(np.where(missing, 0, east), np.where(missing, 0, north))
    return pd.arrays.IntegerArray(e, missing.copy()), pd.arrays.IntegerArray(n, missing.copy())


def no_rows(file: str) -> FileRefused:
    """A file without data rows (a header only) is refused: it must not count as an import nor
    refresh the freshness."""
    return refuse(file, "0 rader: filen har inga datarader (bara rubriker?). Inget importerades "
                  "och 'senast importerad' ändras inte.")


def unplaced_note(areas: list[int], index: AreaIndex) -> list[str]:
    n = sum(1 for a in areas if a == index.unknown_id)
    return [f"{n} rader kunde inte placeras i ett område och hamnar i 'Okänt område'."] if n else []
