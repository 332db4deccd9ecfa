"""Housing figures per area and period (month or quarter), e.g. from Botkyrkabyggen.

Period as '2024-Q1', '2024 kv1', 'Kv 1 2024', '2024K1' (quarter) or '2024-03' (month), or two
date columns. Natural key: source, area, period start and kind. A second import of the same
period with the same figures is a duplicate; with other figures it is a correction: the stored
figures are updated and each change is reported as old → new ("Fittja 2026 K2
störningsärenden 55 → 72"), in the result and in the import log.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from sqlalchemy import Connection, and_, select, update

from lagesbild.store.bulk import insert_ignore
from lagesbild.store.models import Area, HousingFigure
from loaders.kinds import Options, Prepared, Stored
from loaders.kinds.common import check_source, gate, place_rows, raise_all, read_mapped, unplaced_note
from loaders.place import load_index
from loaders.source import SourceFile
from loaders.values import Collector, parse_count, today

KIND = "housing"
FIGURES = ["apartments", "vacant", "moves_out", "disturbance_cases", "damage", "evictions"]
FIGURE_LABELS = {"apartments": "lägenheter", "vacant": "vakanta", "moves_out": "omflyttning",
                 "disturbance_cases": "störningsärenden", "damage": "skadegörelse", "evictions": "avhysningar"}
KEY = ["source", "area_id", "period_kind", "period_start"]
FIELDS = {"area", "period", *FIGURES}
REQUIRED = [("area",), ("period",), *[(f,) for f in FIGURES]]
TYPED = set(FIGURES) | {"period"}
QUARTER = [re.compile(r"^(\d{4})\s*[-/ ]?\s*(?:q|k|kv\.?|kvartal)\s*([1-4])$", re.I),
           re.compile(r"^(?:q|k|kv\.?|kvartal)\s*([1-4])\s*[-/ ]?\s*(\d{4})$", re.I)]
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_period(text: str) -> tuple[str, dt.date, dt.date]:
    """(kind, first day, last day) of a quarter or month."""
    s = " ".join(str(text).split())
    for i, pattern in enumerate(QUARTER):
        m = pattern.match(s)
        if m:
            year, q = (int(m.group(1)), int(m.group(2))) if i == 0 else (int(m.group(2)), int(m.group(1)))
            return _checked("quarter", dt.date(year, 3 * q - 2, 1), 3)
    m = MONTH.match(s)
    if m and 1 <= int(m.group(2)) <= 12:
        return _checked("month", dt.date(int(m.group(1)), int(m.group(2)), 1), 1)
    raise ValueError("Perioden går inte att tolka. Skriv kvartal som 2024-Q1 eller månad som 2024-03.")


def _checked(kind: str, start: dt.date, months: int) -> tuple[str, dt.date, dt.date]:
    end = (pd.Timestamp(start) + pd.DateOffset(months=months) - pd.Timedelta(days=1)).date()
    if start > today():
        raise ValueError("Perioden ligger i framtiden.")
    if start.year < 2000:
        raise ValueError("Perioden är orimligt tidig (före år 2000).")
    return kind, start, end


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    source = check_source(file.name, conn, options.source)
    mapped = read_mapped(file, KIND, source, options.mapping, FIELDS, REQUIRED, TYPED)
    f, h = mapped.frame, mapped.headers
    found, problems = gate(file.name, mapped), Collector(file.name)
    periods = problems.convert(f["period"], parse_period, h["period"])
    figures = {name: problems.convert(f[name], parse_count, h[name]) for name in FIGURES}
    _check_vacant(problems, f, h, figures)
    raise_all(found, problems)
    index = load_index(conn)
    nan = pd.Series(float("nan"), index=f.index).to_numpy()
    rows = pd.DataFrame({"source": source, "area_id": place_rows(index, f, nan, nan, ()),
                         "period_kind": [p[0] for p in periods], "period_start": [p[1] for p in periods],
                         "period_end": [p[2] for p in periods], **figures}, index=f.index)
    _check_conflicts(problems, rows)
    problems.raise_if_any()
    names = {i: a.name for i, a in index.areas.items()}
    preview = rows.assign(area=rows["area_id"].map(names)).drop(columns=["area_id", "source"])
    return Prepared(KIND, file, source, len(f), {"housing": rows}, preview,
                    unplaced_note(list(rows["area_id"]), index))


def _check_vacant(problems: Collector, f, h, figures) -> None:
    for row in f.index:
        apartments, vacant = figures["apartments"][row], figures["vacant"][row]
        if apartments is not None and vacant is not None and vacant > apartments:
            problems.add(int(row), h["vacant"], vacant, "Fler vakanta lägenheter än lägenheter. "
                         "Kontrollera kolumnerna.")


def _check_conflicts(problems: Collector, rows: pd.DataFrame) -> None:
    key = ["area_id", "period_kind", "period_start"]
    repeated = rows[rows.duplicated(key, keep=False)]
    for _, group in repeated.groupby(key):
        if len(group.drop_duplicates()) > 1:
            problems.add(int(group.index[1]), None, None, f"Samma område och period finns också på "
                         f"rad {group.index[0]} men med andra siffror. Behåll en av raderna.")


def store(conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    """Insert new periods, update corrected ones (reported old → new), count the rest as duplicates."""
    rows = prepared.tables["housing"]
    unique = rows.drop_duplicates(KEY)
    stored = _stored_figures(conn, unique)
    known = [tuple(k) in stored for k in unique[KEY].itertuples(index=False, name=None)]
    inserted = insert_ignore(conn, HousingFigure.__table__, unique[[not k for k in known]].assign(import_id=import_id))
    corrections = [c for c in (_correct(conn, r, stored[tuple(r[k] for k in KEY)], import_id)
                               for _, r in unique[known].iterrows()) if c]
    return Stored(inserted=inserted, duplicates=len(rows) - inserted - len(corrections),
                  updated=len(corrections), corrections=corrections)


def _stored_figures(conn: Connection, rows: pd.DataFrame) -> dict[tuple, dict]:
    """The stored figures (and area name) of the periods in `rows`, by key."""
    t, a = HousingFigure.__table__, Area.__table__
    found = conn.execute(select(*[t.c[k] for k in KEY], *[t.c[f] for f in FIGURES], a.c.name)
                         .join(a, a.c.id == t.c.area_id)
                         .where(t.c.source.in_(sorted(rows["source"].unique())),
                                t.c.period_start.in_(sorted(rows["period_start"].unique())))).mappings()
    return {tuple(r[k] for k in KEY): dict(r) for r in found}


def _correct(conn: Connection, new: pd.Series, old: dict, import_id: int) -> str | None:
    """Update a stored period whose figures differ; the change as text, None when equal."""
    changed = [f for f in FIGURES if int(new[f]) != old[f]]
    if not changed:
        return None
    t = HousingFigure.__table__
    conn.execute(update(t).where(and_(*[t.c[k] == old[k] for k in KEY]))
                 .values(import_id=import_id, **{f: int(new[f]) for f in changed}))
    what = ", ".join(f"{FIGURE_LABELS[f]} {old[f]} → {int(new[f])}" for f in changed)
    return f"{old['name']} {period_label(old['period_kind'], old['period_start'])} {what}"


def period_label(kind: str, start: dt.date) -> str:
    """'2026 K2' for a quarter, '2026-03' for a month."""
    return f"{start.year} K{(start.month - 1) // 3 + 1}" if kind == "quarter" else f"{start:%Y-%m}"
