"""Incident exports from the actors (polis, kommun, botkyrkabyggen, raddningstjanst, …).

`store` writes the incidents and reports the rows it newly stored to the import's
`lagesbild.store.marts.Increment`; the pipeline writes the marts. An unmapped source category refuses the file (listed with its count): the coordinator decides
in the taxonomy whether it is counted and as what. Categories mapped to '-' are skipped and
reported. Natural key: a hash of the export's own id column, else a hash of the row's canonical
values (lagesbild.store.keys): never the raw row, never the raw id.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from lagesbild.demo import to_minutes
from lagesbild.domain.taxonomy import normalise_label
from lagesbild.domain.vocab import AGE_GROUPS, PLACE_TYPES
from lagesbild.privacy import record_keys
from lagesbild.store.bulk import insert_ignore
from lagesbild.store.marts import Increment
from lagesbild.store.models import Incident
from lagesbild.store.keys import id_keys, row_keys
from loaders.kinds import Options, Prepared, StoreAgain, Stored, count_note
from loaders.chunks import Ordinals, Problems, SeenKeys, ahead, release_memory
from loaders.kinds.common import (Unmapped, add_unmapped, categories_of, category_table, cells,
                                  check_source, coordinates, gate, no_rows, normalise_labels,
                                  place_rows, unmapped_problems)
from loaders.mapping import Mapped, Mapping, apply_mapping, load_mapping, mapping_path
from loaders.place import AreaIndex, load_index
from loaders.readers import read_table_chunks
from loaders.source import SourceFile
from loaders.values import Collector, parse_datetime, parse_incident_count, parse_time

KIND = "incidents"
FIELDS = {"id", "occurred_at", "date", "time", "category", "area", "place", "east", "north",
          "lon", "lat", "place_type", "age_group", "count", "description"}
TYPED = {"occurred_at", "date", "time", "east", "north", "lon", "lat", "count"}
REQUIRED = [("occurred_at", "date"), ("category",)]
AGE_ALIASES = {"0–11": "0-11", "12–17": "12-17", "18–20": "18-20", "21-": "21+", "vuxen": "21+",
               "": "okänd", "okänd ålder": "okänd"}


CHUNK_ROWS = 100_000   # a file is read, checked and stored this many rows at a time
PREVIEW_ROWS = 1_000   # the preview of a file read in pieces: its first rows
SECTIONS = ["gate", "occurred", "category", "east", "north", "outside", "count", "place_type", "age_group"]


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    """Read, check and place the file a piece of CHUNK_ROWS rows at a time, nothing written.

    A file of one piece keeps its rows (stored as they are). A larger one keeps only what the
    page shows (counts, notes, the first rows) and is prepared again, piece by piece, while it is
    stored (`store`): its memory does not grow with the file."""
    context = _Context.load(conn, file, options)
    whole = _Whole(file.name)
    first = None
    for n, frame in enumerate(read_table_chunks(file, CHUNK_ROWS)):
        rows = _piece(context, whole, frame, keys=n == 0)
        first = rows if n == 0 else None
        del frame, rows
        release_memory()
    whole.raise_if_any(context)
    if first is not None:  # one piece: the rows and the preview exactly as for a whole file
        return _prepared(file, context.source, whole.rows_read, first, whole.notes(), context.index)
    return Prepared(KIND, file, context.source, whole.rows_read, {}, whole.preview(context),
                    whole.notes(), streamed=True, accepted=whole.accepted, options=options,
                    facts={"ids_complete": whole.ids_complete})


@dataclass
class _Context:
    """What every piece needs, read once: the source, its category table, the areas, the mapping."""

    file: SourceFile
    source: str
    table: dict[str, int | None]
    index: AreaIndex
    mapping_file: str | None
    mapping: Mapping | None = None

    @classmethod
    def load(cls, conn: Connection, file: SourceFile, options: Options) -> "_Context":
        source = check_source(file.name, conn, options.source)
        return cls(file, source, category_table(conn, source), load_index(conn), options.mapping)

    def mapped(self, frame: pd.DataFrame) -> Mapped:
        if self.mapping is None:  # after the first piece was read, as read_mapped does it
            self.mapping = load_mapping(mapping_path(KIND, self.source, self.mapping_file), FIELDS)
        return apply_mapping(self.file.name, frame, self.mapping, REQUIRED, TYPED)


class _Whole:
    """What the check of every piece adds up to: problems, counts, notes, the first rows."""

    def __init__(self, file: str):
        self.problems = Problems(file, SECTIONS)
        self.unmapped: Unmapped = {}
        self.ignored: Counter = Counter()
        self.rows_read = self.accepted = self.unplaced = 0
        self.ids_complete = True
        self.category_column = "category"
        self.first_rows: list[pd.DataFrame] = []

    def add(self, rows: pd.DataFrame, unknown_id: int) -> None:
        self.accepted += len(rows)
        self.unplaced += int((rows["area_id"] == unknown_id).sum())
        held = sum(len(r) for r in self.first_rows)
        if held < PREVIEW_ROWS:
            self.first_rows.append(rows.iloc[:PREVIEW_ROWS - held])

    def raise_if_any(self, context: _Context) -> None:
        if self.unmapped:
            categories = Collector(context.file.name)
            unmapped_problems(categories, context.source, self.category_column, self.unmapped)
            self.problems.add("category", categories.problems)
            self.unmapped = {}
        self.problems.raise_if_any()

    def notes(self) -> list[str]:
        notes = [f"{self.unplaced} rader kunde inte placeras i ett område och hamnar i 'Okänt område'."] \
            if self.unplaced else []
        if self.ignored:
            notes.insert(0, f"{sum(self.ignored.values())} rader har kategorier som inte räknas och hoppas "
                         f"över: {count_note(self.ignored)}.")
        return notes

    def preview(self, context: _Context) -> pd.DataFrame:
        rows = pd.concat(self.first_rows) if self.first_rows else pd.DataFrame()
        return _preview(to_minutes(rows) if len(rows) else rows, context.index)


def _piece(context: _Context, whole: _Whole, frame: pd.DataFrame, keys: bool = True,
           ids: bool | None = None, ordinals: Ordinals | None = None,
           strict_ids: bool = False) -> pd.DataFrame | None:
    """Check, place and key one piece of the file; its rows to store (before to_minutes), or None
    once the file has a problem (the remaining pieces are only checked, for the full report).

    Keys: from the ids when `ids` (the whole file has them), else from the rows' values with
    ordinals counted over the earlier pieces too; `ids=None` decides for the piece alone.
    `strict_ids`: a piece with a row without an id raises _IdsIncomplete."""
    mapped = context.mapped(frame)
    f, h = mapped.frame, mapped.headers
    whole.rows_read += len(f)
    whole.category_column = h["category"]
    piece_ids = "id" in f and bool((f["id"] != "").all())
    if strict_ids and not piece_ids:
        raise _IdsIncomplete()
    whole.ids_complete = whole.ids_complete and piece_ids
    sections = {name: Collector(context.file.name) for name in SECTIONS}
    sections["gate"] = gate(context.file.name, mapped)
    occurred = _occurred_at(sections["occurred"], f, h)
    labels = normalise_labels(f["category"])
    category_ids, ignored, unmapped = categories_of(f["category"], context.table, labels)
    east, north = coordinates(sections["east"], mapped, (sections["north"], sections["outside"]))
    counts = sections["count"].convert(f["count"], parse_incident_count, h["count"]) if "count" in f \
        else pd.Series(1, index=f.index)
    place_type = _vocabulary(sections["place_type"], f, h, "place_type", PLACE_TYPES, {"": "okänd"})
    age_group = _vocabulary(sections["age_group"], f, h, "age_group", AGE_GROUPS, AGE_ALIASES)
    for name, collector in sections.items():
        whole.problems.add(name, collector.problems)
    add_unmapped(whole.unmapped, unmapped)
    whole.ignored.update(ignored)
    if whole.problems or whole.unmapped:
        return None
    cell_e, cell_n = cells(east, north)
    rows = pd.DataFrame({
        "occurred_at": occurred, "source": context.source, "source_category": labels,
        "category_id": category_ids, "area_id": place_rows(context.index, f, east, north),
        "cell_e": cell_e, "cell_n": cell_n, "place_type": place_type, "age_group": age_group, "count": counts,
    }, index=f.index)
    rows = rows[rows["category_id"].notna()]
    whole.add(rows, context.index.unknown_id)
    if not keys:
        return rows
    use_ids = piece_ids if ids is None else ids
    natural = id_keys(f.loc[rows.index, "id"]) if use_ids else row_keys(rows)
    return rows.assign(natural_key=ordinals.renumber(natural) if ordinals and not use_ids else natural)


def _prepared(file, source, rows_read, rows, notes, index) -> Prepared:
    rows = to_minutes(rows.astype({"category_id": int})) if len(rows) else rows
    return Prepared(KIND, file, source, rows_read, {"incidents": rows}, _preview(rows, index), notes)


def _preview(rows: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    if not len(rows):
        return pd.DataFrame()
    names = {i: a.name for i, a in index.areas.items()}
    return pd.DataFrame({"Tidpunkt": rows.get("occurred_at"), "Kategori": rows.get("source_category"),
                         "Område": rows.get("area_id", pd.Series(dtype=int)).map(names),
                         "Antal": rows.get("count")})


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


def store(conn: Connection, prepared: Prepared, import_id: int, marts: Increment) -> Stored:
    """Insert the rows whose key is new and report exactly those to `marts` (the pipeline writes
    the marts). A file read in pieces is prepared again and stored a piece at a time in the
    caller's transaction; a problem in any piece refuses the whole file (the caller rolls back)
    with the problems of every piece."""
    if prepared.streamed:
        return _store_pieces(conn, prepared, import_id, marts)
    return _store_rows(conn, prepared.tables["incidents"], import_id, marts)


def streamed(file: SourceFile, options: Options) -> Prepared:
    """A file to be checked while it is stored (`store`): nothing is read yet."""
    return Prepared(KIND, file, options.source, 0, {}, pd.DataFrame(), streamed=True, accepted=0,
                    options=options)


class _IdsIncomplete(Exception):
    """A piece has a row without an id although the keys were being made from the ids."""


def _store_pieces(conn: Connection, prepared: Prepared, import_id: int, marts: Increment) -> Stored:
    """Store a file read in pieces. Unless the check said so, the keys are assumed to come from the
    ids; a piece with a row without one makes the whole file use row keys: at once when nothing
    was stored yet, else by StoreAgain (the caller rolls back and stores the file again)."""
    ids = prepared.facts.get("ids_complete")
    stored = Stored()
    try:
        return _store_pieces_keyed(conn, prepared, import_id, True if ids is None else ids, stored, marts)
    except _IdsIncomplete:
        prepared.facts["ids_complete"] = False
        if stored.inserted or stored.duplicates:
            raise StoreAgain() from None
        return _store_pieces_keyed(conn, prepared, import_id, False, stored, marts)


def _store_pieces_keyed(conn: Connection, prepared: Prepared, import_id: int, ids: bool,
                        stored: Stored, marts: Increment) -> Stored:
    file, options = prepared.file, prepared.options or Options(source=prepared.source)
    context = _Context.load(conn, file, options)
    whole, ordinals, seen = _Whole(file.name), Ordinals(), SeenKeys()
    pieces = (_piece(context, whole, frame, ids=ids, ordinals=ordinals, strict_ids=ids)
              for frame in read_table_chunks(file, CHUNK_ROWS))
    for rows in ahead(pieces):
        if rows is not None and not whole.problems:
            part = _store_rows(conn, to_minutes(rows.astype({"category_id": int})) if len(rows) else rows,
                               import_id, marts, seen)
            stored.inserted += part.inserted
            stored.duplicates += part.duplicates
        del rows
        release_memory()
    whole.raise_if_any(context)
    if whole.rows_read == 0:
        raise no_rows(file.name)
    prepared.rows_read, prepared.accepted, prepared.notes = whole.rows_read, whole.accepted, whole.notes()
    prepared.preview = whole.preview(context)
    return stored


def _store_rows(conn: Connection, rows: pd.DataFrame, import_id: int, marts: Increment,
                seen: SeenKeys | None = None) -> Stored:
    unique = rows.drop_duplicates(["source", "natural_key"], keep="first")
    if seen is not None and len(unique):
        hashes = SeenKeys.hash(unique["source"], unique["natural_key"])
        earlier = _stored_earlier(conn, unique[seen.maybe_seen(hashes)], import_id)
        if earlier:  # duplicates of rows an earlier piece stored: counted once, as in a whole file
            keep = np.array([k not in earlier for k in zip(unique["source"], unique["natural_key"])], dtype=bool)
            unique, hashes = unique[keep], hashes[keep]
        seen.add(hashes)
    unique = unique.assign(rkey=record_keys(len(unique)))  # kept only where the row is new
    inserted = insert_ignore(conn, Incident.__table__, unique.assign(import_id=import_id))
    new = unique if inserted == len(unique) else _stored_by(conn, unique, import_id)
    marts.add(new)
    return Stored(inserted=inserted, duplicates=len(rows) - inserted)


def _stored_earlier(conn: Connection, rows: pd.DataFrame, import_id: int) -> set[tuple[str, str]]:
    """(source, key) of the rows an earlier piece of this import stored (checked in the store:
    SeenKeys only says which may have been)."""
    if rows.empty:
        return set()
    return set(zip(*(_stored_by(conn, rows, import_id)[c] for c in ("source", "natural_key"))))


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
