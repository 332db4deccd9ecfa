"""Incident exports from the actors (polis, kommun, botkyrkabyggen, raddningstjanst, …).

An unmapped source category refuses the file (listed with its count): the coordinator decides
in the taxonomy whether it is counted and as what. Categories mapped to '-' are skipped and
reported. Natural key: a hash of the export's own id column, else a hash of the row's canonical
values (lagesbild.store.keys): never the raw row, never the raw id.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, select

from lagesbild.demo import to_minutes
from lagesbild.domain.taxonomy import normalise_label
from lagesbild.domain.vocab import AGE_GROUPS, PLACE_TYPES
from lagesbild.privacy import record_keys
from lagesbild.store.bulk import insert_ignore
from lagesbild.store.marts import add_rows
from lagesbild.store.models import Incident
from lagesbild.store.keys import id_keys, row_keys
from loaders.kinds import Options, Prepared, Stored, count_note
from loaders.kinds.common import (category_table, cells, check_source, coordinates, gate,
                                  map_categories, normalise_labels, place_rows, raise_all, read_mapped,
                                  unplaced_note)
from loaders.place import load_index
from loaders.source import SourceFile
from loaders.values import Collector, parse_datetime, parse_incident_count, parse_time

KIND = "incidents"
FIELDS = {"id", "occurred_at", "date", "time", "category", "area", "place", "east", "north",
          "lon", "lat", "place_type", "age_group", "count", "description"}
TYPED = {"occurred_at", "date", "time", "east", "north", "lon", "lat", "count"}
REQUIRED = [("occurred_at", "date"), ("category",)]
AGE_ALIASES = {"0–11": "0-11", "12–17": "12-17", "18–20": "18-20", "21-": "21+", "vuxen": "21+",
               "": "okänd", "okänd ålder": "okänd"}


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    source = check_source(file.name, conn, options.source)
    mapped = read_mapped(file, KIND, source, options.mapping, FIELDS, REQUIRED, TYPED)
    f, h = mapped.frame, mapped.headers
    found, problems = gate(file.name, mapped), Collector(file.name)
    occurred = _occurred_at(problems, f, h)
    category_ids, ignored = map_categories(problems, source, f["category"], h["category"],
                                           category_table(conn, source))
    east, north = coordinates(problems, mapped)
    counts = problems.convert(f["count"], parse_incident_count, h["count"]) if "count" in f \
        else pd.Series(1, index=f.index)
    place_type = _vocabulary(problems, f, h, "place_type", PLACE_TYPES, {"": "okänd"})
    age_group = _vocabulary(problems, f, h, "age_group", AGE_GROUPS, AGE_ALIASES)
    raise_all(found, problems)
    index = load_index(conn)
    cell_e, cell_n = cells(east, north)
    rows = pd.DataFrame({
        "occurred_at": occurred, "source": source,
        "source_category": normalise_labels(f["category"]), "category_id": category_ids,
        "area_id": place_rows(index, f, east, north), "cell_e": cell_e, "cell_n": cell_n,
        "place_type": place_type, "age_group": age_group, "count": counts,
    }, index=f.index)
    rows = rows.assign(natural_key=_natural_keys(f, rows))[rows["category_id"].notna()]
    notes = unplaced_note(list(rows["area_id"]), index)
    if ignored:
        notes.insert(0, f"{sum(ignored.values())} rader har kategorier som inte räknas och hoppas "
                     f"över: {count_note(ignored)}.")
    return _prepared(file, source, f, rows, notes, index)


def _prepared(file, source, f, rows, notes, index) -> Prepared:
    rows = to_minutes(rows.astype({"category_id": int})) if len(rows) else rows
    names = {i: a.name for i, a in index.areas.items()}
    preview = pd.DataFrame({"Tidpunkt": rows.get("occurred_at"), "Kategori": rows.get("source_category"),
                            "Område": rows.get("area_id", pd.Series(dtype=int)).map(names),
                            "Antal": rows.get("count")}) if len(rows) else pd.DataFrame()
    return Prepared(KIND, file, source, len(f), {"incidents": rows}, preview, notes)


def _occurred_at(problems: Collector, f: pd.DataFrame, h: dict[str, str]) -> pd.Series:
    if "occurred_at" in f:
        return problems.convert_datetimes(f["occurred_at"], h["occurred_at"])
    if "time" not in f:
        return problems.convert_datetimes(f["date"], h["date"])
    days = problems.convert(f["date"], parse_datetime, h["date"])
    times = problems.convert(f["time"].where(f["time"] != "", "00:00"), parse_time, h["time"])
    return pd.Series([d.replace(hour=t.hour, minute=t.minute) if d is not None and t is not None
                      else None for d, t in zip(days, times)], index=f.index, dtype=object)


def _vocabulary(problems: Collector, f, h, field: str, vocab: dict[str, str],
                aliases: dict[str, str]) -> pd.Series:
    """Codes of a fixed vocabulary, accepting the code or the Swedish label (any case)."""
    if field not in f:
        return pd.Series("okänd", index=f.index)
    lookup = {normalise_label(k): k for k in vocab} | {normalise_label(v): k for k, v in vocab.items()}
    lookup |= {normalise_label(k): v for k, v in aliases.items()}

    def parse(value: str) -> str:
        code = lookup.get(normalise_label(value))
        if code is None:
            raise ValueError("Okänt värde. Använd ett av: " + ", ".join(vocab.values()) + ".")
        return code
    return problems.convert(f[field], parse, h[field])


def _natural_keys(f: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """Hashes of the ids when every row has one (the readers strip every cell), else of the rows'
    canonical values (their time to the minute, normalised category, area, cell, …)."""
    if "id" in f and (f["id"] != "").all():
        return id_keys(f["id"])
    return row_keys(rows.assign(occurred_at=pd.to_datetime(rows["occurred_at"])))


def store(conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    """Insert the rows whose key is new and add exactly those to the marts."""
    rows = prepared.tables["incidents"]
    unique = rows.drop_duplicates(["source", "natural_key"], keep="first")
    unique = unique.assign(rkey=record_keys(len(unique)))  # kept only where the row is new
    inserted = insert_ignore(conn, Incident.__table__, unique.assign(import_id=import_id))
    new = unique if inserted == len(unique) else _stored_by(conn, unique, import_id)
    add_rows(conn, new)
    return Stored(inserted=inserted, duplicates=len(rows) - inserted)


def _stored_by(conn: Connection, rows: pd.DataFrame, import_id: int, chunk: int = 5000) -> pd.DataFrame:
    """The rows this import stored (the others were already there): looked up by primary key."""
    t = Incident.__table__
    stored: set[tuple[str, str]] = set()
    for source, part in rows.groupby("source"):
        keys = part["natural_key"].tolist()
        for i in range(0, len(keys), chunk):
            stored.update((source, k) for k in conn.execute(
                select(t.c.natural_key).where(t.c.source == source, t.c.import_id == import_id,
                                              t.c.natural_key.in_(keys[i:i + chunk]))).scalars())
    return rows[[k in stored for k in zip(rows["source"], rows["natural_key"])]]


__all__ = ["prepare", "store", "dt"]
