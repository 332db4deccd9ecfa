"""The police's public events feed (polisen.se/api/events), as JSON.

- Incident time from `name` ("12 augusti 03.13, Skadegörelse, Botkyrka"), not `datetime` (the
  publication time). The year comes from `datetime`; a date after the publication means the
  year before (an event on 31 December published on 1 January).
- Kommun = the last comma part of `name` (since 2026 `location` holds only the county).
  Only events in the store's kommun (the area of level 'kommun') are kept; the rest are counted.
- District: the first area name (or alias) in `summary`; none -> 'Okänt område'. The point in
  `location.gps` is the centroid of the kommun or county, so no cell is stored.
- "Sammanfattning …" events bundle several incidents and are skipped and counted; types the
  taxonomy maps to '-' are skipped and counted; an unmapped type refuses the file, listed with
  its count (as for every other source: the taxonomy decides, nothing is dropped silently).
- Natural key: 'polisen.se:<event id>'. `summary` is read only for the district and not stored,
  so the anonymisation gate has nothing to read.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pandas as pd
from sqlalchemy import Connection

from lagesbild.demo import to_minutes
from lagesbild.domain.taxonomy import normalise_label
from loaders.kinds import Options, Prepared, Stored, count_note
from loaders.kinds.common import category_table, map_categories, unplaced_note
from loaders.kinds.incidents import store as store_incidents
from loaders.place import load_index
from loaders.readers.polisen import read_events
from loaders.source import SourceFile
from loaders.values import Collector, check_date

KIND = "polisen"
SOURCE = "polis"
MONTHS = {m: i for i, m in enumerate(["januari", "februari", "mars", "april", "maj", "juni", "juli",
                                      "augusti", "september", "oktober", "november", "december"], 1)}
NAME_TIME = re.compile(r"^\s*(\d{1,2})\s+([a-zåäö]+)\s+(\d{1,2})[.:](\d{2})\s*,", re.IGNORECASE)
PUBLISHED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})")
SUMMARY_PREFIX = "sammanfattning"


def kommun_of(name: str) -> str:
    return name.rsplit(",", 1)[-1].strip()


def published_at(text: str) -> dt.datetime:
    m = PUBLISHED.match(str(text).strip())
    if not m:
        raise ValueError("Publiceringstiden ('datetime') går inte att tolka.")
    return dt.datetime(*(int(g) for g in m.groups()))


def incident_time(name: str, published: dt.datetime) -> dt.datetime:
    """The time in `name`, in the publication year or the year before (never after publication)."""
    m = NAME_TIME.match(name)
    if not m or m.group(2).lower() not in MONTHS:
        raise ValueError("Tidpunkten i 'name' går inte att tolka (väntat t.ex. '12 augusti 03.13, …').")
    day, month = int(m.group(1)), MONTHS[m.group(2).lower()]
    hour, minute = int(m.group(3)), int(m.group(4))
    for year in (published.year, published.year - 1):
        try:
            value = dt.datetime(year, month, day, hour, minute)
        except ValueError:
            continue
        if value <= published + dt.timedelta(days=1):
            return check_date(value)
    raise ValueError("Tidpunkten i 'name' stämmer inte med publiceringsdatumet.")


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    events = read_events(file)
    index = load_index(conn)
    kommun = index.kommun.name if index.kommun else ""
    local = events[events["name"].map(kommun_of).map(normalise_label) == normalise_label(kommun)]
    summaries = local["type"].map(normalise_label).str.startswith(SUMMARY_PREFIX)
    incidents = local[~summaries]
    problems = Collector(file.name)
    times = [_time(problems, row, e) for row, e in incidents.iterrows()]
    category_ids, ignored = map_categories(problems, SOURCE, incidents["type"], "type",
                                           category_table(conn, SOURCE))
    problems.raise_if_any()
    rows = pd.DataFrame({
        "occurred_at": times, "source": SOURCE,
        "source_category": incidents["type"].map(normalise_label), "category_id": category_ids,
        "area_id": [index.in_text(s) or index.unknown_id for s in incidents["summary"]],
        "cell_e": None, "cell_n": None, "place_type": "okänd", "age_group": "okänd", "count": 1,
        "natural_key": "polisen.se:" + incidents["id"].astype(str),
    }, index=incidents.index)
    rows = rows[rows["category_id"].notna()]
    rows = to_minutes(rows.astype({"category_id": int})) if len(rows) else rows
    notes = _notes(len(events) - len(local), kommun, int(summaries.sum()), ignored)
    notes += unplaced_note(list(rows.get("area_id", [])), index)
    names = {i: a.name for i, a in index.areas.items()}
    preview = pd.DataFrame({"Händelse": incidents["name"].reindex(rows.index),
                            "Tidpunkt": rows.get("occurred_at"),
                            "Område": rows.get("area_id", pd.Series(dtype=int)).map(names)})
    return Prepared(KIND, file, SOURCE, len(events), {"incidents": rows}, preview, notes)


def _time(problems: Collector, row: int, event: pd.Series) -> dt.datetime | None:
    try:
        return incident_time(event["name"], published_at(event["datetime"]))
    except ValueError as exc:
        problems.add(int(row), "name", event["name"], str(exc))
        return None


def _notes(other_kommun: int, kommun: str, summaries: int, ignored: Counter) -> list[str]:
    notes = []
    if other_kommun:
        notes.append(f"{other_kommun} händelser i andra kommuner än {kommun} hoppas över.")
    if summaries:
        notes.append(f"{summaries} sammanfattningar (t.ex. 'Sammanfattning natt') hoppas över: "
                     "de samlar flera händelser.")
    if ignored:
        notes.append(f"{sum(ignored.values())} händelser av typer som inte räknas hoppas över: "
                     f"{count_note(ignored)}.")
    return notes


def store(conn: Connection, prepared: Prepared, import_id: int, marts) -> Stored:
    """Stored as incidents: the new rows are reported to the import's marts.Increment."""
    return store_incidents(conn, prepared, import_id, marts)
