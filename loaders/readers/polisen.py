"""The police's public events feed (polisen.se/api/events): a JSON array of event objects."""
from __future__ import annotations

import json

import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.readers.text import decode
from loaders.source import SourceFile, check_size

EVENT_KEYS = ("id", "datetime", "name", "type")
COLUMNS = ["id", "datetime", "name", "summary", "type", "location_name"]


def read_events(file: SourceFile) -> pd.DataFrame:
    """One row per event with the API's keys; the index is the event's position (1-based)."""
    check_size(file)
    try:
        events = json.loads(decode(file.name, file.data))
    except json.JSONDecodeError as exc:
        raise refuse(file.name, f"Filen är ingen giltig JSON (rad {exc.lineno}, tecken {exc.colno}). "
                     "Hämta filen från polisen.se/api/events igen.", error=UnreadableFile) from None
    if isinstance(events, dict) and isinstance(events.get("events"), list):
        events = events["events"]
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise refuse(file.name, "Filen ska vara en lista med händelser som polisen.se/api/events "
                     "levererar den.", error=UnreadableFile)
    if not events:
        raise refuse(file.name, "Filen innehåller inga händelser.", error=UnreadableFile)
    return pd.DataFrame([_row(file.name, n, e) for n, e in enumerate(events, start=1)],
                        index=pd.RangeIndex(1, len(events) + 1, name="händelse"), columns=COLUMNS)


def _row(file: str, n: int, event: dict) -> list:
    missing = [k for k in EVENT_KEYS if not str(event.get(k) or "").strip()]
    if missing:
        raise refuse(file, f"Händelsen saknar fältet '{missing[0]}'. Filen ska komma oförändrad "
                     "från polisen.se/api/events.", row=n, column=missing[0], error=UnreadableFile)
    location = event.get("location") if isinstance(event.get("location"), dict) else {}
    cells = [str(event["id"]).strip(), str(event["datetime"]).strip(), str(event["name"]).strip(),
             str(event.get("summary") or ""), str(event["type"]).strip(), str(location.get("name") or "")]
    return [c.replace("\x00", "") for c in cells]  # a JSON "\u0000" is no text (PostgreSQL refuses it)
