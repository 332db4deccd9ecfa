"""Datakällor: which kinds and sources a user may import, what the check of a file says, how fresh
each source is and the import log, in Swedish."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lagesbild import demo_marker, freshness
from lagesbild.access.imports import allowed
from lagesbild.calendar import local_time
from lagesbild.domain.vocab import SOURCES
from lagesbild.exports import neutralise_text
from lagesbild.formatting import number, week_label

TITLE = "Datakällor"
INTRO = "Importera filer från aktörerna. Filen kontrolleras innan något sparas; en fil med fel sparas inte alls."
FIXED_SOURCE_KINDS = ("polisen", "areas", "population", "actions", "outcomes")  # the source field is not asked
LOG_COLUMNS = {"imported_at": "Tidpunkt", "kind": "Typ", "source": "Källa", "file_name": "Fil",
               "status": "Status", "rows_read": "Rader lästa", "rows_accepted": "Godkända",
               "rows_duplicate": "Dubbletter", "message": "Meddelande"}
KIND_LABELS = {demo_marker.KIND: demo_marker.LABEL, "incidents": "Händelser", "polisen": "Polisens händelser",
               "walks": "Trygghetsvandringar", "housing": "Boende", "areas": "Områdesgränser",
               "population": "Befolkning", "kolada_api": "Nyckeltal (Kolada)"}
STATUSES = {"ok": "Importerad", "refused": "Avvisad", "running": "Pågår", "avbruten": "Avbruten"}
# One table per source: what it holds (published), how fresh it is and what is expected of it.
FRESHNESS_COLUMNS = ["Källa", "Händelser", "Första vecka", "Senaste datum med data", "Senast importerad/hämtad",
                     "Väntas", "Status"]


def kinds_for(user, kinds: dict[str, str]) -> list[str]:
    """The kinds of data this user may import for some source (import_as checks again)."""
    return [k for k in kinds if any(allowed(user, k, s) for s in [*SOURCES, None])]


def sources_for(user, kind: str) -> list[str]:
    return [s for s in SOURCES if allowed(user, kind, s)] or list(SOURCES)


def _when(value: dt.datetime | None) -> str:
    return local_time(value)  # stored in UTC, shown in Swedish local time


@dataclass(frozen=True)
class Checked:
    """What the check of an uploaded file says: a refusal, or the rows to import and notes."""
    ok: bool
    headline: str
    notes: tuple[str, ...] = ()


def checked(check) -> Checked:
    """`check`: loaders.report.check_upload(…)."""
    if not check.ok:
        return Checked(False, f"Filen kan inte importeras ({len(check.problems)} problem). Inget har sparats.")
    p = check.prepared
    return Checked(True, f"Filen är kontrollerad: {p.rows_read} rader lästa, {p.rows_accepted} att importera.",
                   tuple(p.notes))


@dataclass(frozen=True)
class DatakallorView:
    freshness: pd.DataFrame  # per source: events (published), first week, last data, last delivery, cadence, status
    log: pd.DataFrame        # the latest imports, newest first (free text neutralised)


def freshness_table(statuses: list[freshness.StreamStatus], counts: pd.DataFrame) -> pd.DataFrame:
    """`statuses`: ui.feeds.statuses() (dates, deliveries, cadence, status per stream); `counts`:
    data.freshness(policy) (events and first week per incident source). A source with events but
    no status (none: both read the weekly mart) would still be listed, with dashes."""
    held = {s: (n, week_label(first)) for s, n, first in counts[["source", "n_label", "first"]].itertuples(index=False)}
    table = freshness.freshness_table(statuses)
    streams = [s.cadence.stream for s in statuses]
    table.insert(1, "Händelser", [held.get(s, ("–", "–"))[0] for s in streams])
    table.insert(2, "Första vecka", [held.get(s, ("–", "–"))[1] for s in streams])
    rest = [(SOURCES.get(s, s), n, first, "–", "–", "–", "–") for s, (n, first) in held.items() if s not in streams]
    return pd.concat([table, pd.DataFrame(rest, columns=FRESHNESS_COLUMNS)], ignore_index=True) if rest else table


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """`log`: data.import_log() (at most a page of rows: worded row by row, free text neutralised)."""
    def worded(r: dict) -> dict:
        demo = r["kind"] == demo_marker.KIND  # the demo's own import: words for its file
        return {"imported_at": _when(r["imported_at"]), "kind": KIND_LABELS.get(r["kind"], r["kind"]),
                "source": SOURCES.get(r["source"], r["source"]) if isinstance(r["source"], str) and r["source"] else "–",
                "file_name": demo_marker.FILE_NAME if demo else r["file_name"],
                "status": STATUSES.get(r["status"], r["status"]),
                **{c: number(r[c]) for c in ("rows_read", "rows_accepted", "rows_duplicate")},
                "message": r["message"]}
    rows = [{c: neutralise_text(v) for c, v in worded(r).items()} for r in log.to_dict("records")]
    return pd.DataFrame(rows, columns=list(LOG_COLUMNS)).rename(columns=LOG_COLUMNS)


def build(statuses: list[freshness.StreamStatus], counts: pd.DataFrame, log: pd.DataFrame) -> DatakallorView:
    return DatakallorView(freshness_table(statuses, counts), log_table(log))
