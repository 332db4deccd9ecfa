"""Actions (insatser) as the pages read them: lists, the week's actions, notes, history, export.

Actions are few (hundreds a year), so they are read whole and filtered here; no counts of people
are in them (the counts they are judged by come from lagesbild.queries.effect, published).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, select

from lagesbild.domain.actions import EST_STEPS, KINDS, STATUSES, Targets, iso_week, running, split_codes
from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
from lagesbild.queries.areas import area_frame
from lagesbild.queries.frames import frame
from lagesbild.store.models import Action, ActionChange, ActionNote, Area, Category

actions_t, notes_t, changes_t, cat_t = Action.__table__, ActionNote.__table__, ActionChange.__table__, Category.__table__
areas_t = Area.__table__
OPEN = ("planerad", "pågår")
COLUMNS = ["action_key", "title", "description", "kind", "responsible_actor", "area_codes", "targets",
           "observation_keys", "start_date", "end_date", "status", "status_reason", "est_step", "decided_on",
           "follow_up_on", "demo"]
LABELS = ("areas_label", "targets_label", "kind_label", "status_label", "step_label", "decided_week")
DATES = ("start_date", "end_date", "decided_on", "follow_up_on")
LISTED = [*COLUMNS, "last_note_on", "last_note", "notes"]
TYPES = {**{c: "str" for c in [*LISTED, *LABELS] if c not in (*DATES, "last_note_on", "demo", "notes")},
         "demo": bool, "notes": "int64"}
EXPORT_HEADERS = {"action_key": "Id", "title": "Rubrik", "description": "Beskrivning", "kind": "Typ",
                  "responsible_actor": "Ansvarig", "area_codes": "Områden", "targets": "Problem",
                  "observation_keys": "Vandringsobservationer", "start_date": "Start", "end_date": "Slut",
                  "status": "Status", "status_reason": "Skäl", "est_step": "EST-steg", "decided_on": "Beslutad",
                  "follow_up_on": "Nästa återkoppling", "notes": "Återkoppling"}


def actions(conn: Connection) -> pd.DataFrame:
    """Every action, newest decision first, with the text of its latest note and its note count."""
    return _frame(_records(conn))


def _records(conn: Connection) -> list[dict]:
    """Every action as a dict (COLUMNS, then last_note_on, last_note, notes), newest decision
    first. Plain Python over the rows: a municipality has tens to hundreds of actions, and the
    pandas grouping and merging this replaced cost 12 ms for ten actions."""
    last: dict[int, tuple] = {}
    for action_id, noted_on, note in conn.execute(select(notes_t.c.action_id, notes_t.c.noted_on, notes_t.c.note)
                                                   .order_by(notes_t.c.noted_on, notes_t.c.id)):
        last[action_id] = (_as_date(noted_on), note, last.get(action_id, (None, "", 0))[2] + 1)
    out = []
    for row in conn.execute(select(*[actions_t.c[c] for c in COLUMNS], actions_t.c.id)
                            .order_by(actions_t.c.decided_on.desc(), actions_t.c.action_key)):
        record = dict(zip(COLUMNS, row))
        for c in DATES:
            record[c] = _as_date(record[c])
        record["demo"] = bool(record["demo"])
        record["last_note_on"], record["last_note"], record["notes"] = last.get(row[-1], (None, "", 0))
        out.append(record)
    return out


def _frame(records: list[dict], columns: list[str] = LISTED) -> pd.DataFrame:
    """The records as the list's frame: text columns str, dates as date objects (None when
    missing), the same dtypes when there are none (pandas infers them from the values otherwise:
    casting them again would cost 3 ms)."""
    df = pd.DataFrame(records, columns=columns)
    return df if records else df.astype({c: t for c, t in TYPES.items() if c in columns})


def _as_date(value):
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    return pd.Timestamp(value).date() if not isinstance(value, dt.date) else value


def area_expansion(areas: pd.DataFrame) -> dict[str, set[str]]:
    """Area code -> the område codes it covers (a kommundel its områden, an område itself)."""
    by_id = dict(zip(areas["id"], areas["code"]))
    out = {c: {c} for c, lvl in zip(areas["code"], areas["level"]) if lvl == "omrade"}
    for code, level, i in zip(areas["code"], areas["level"], areas["id"]):
        if level == "kommundel":
            out[code] = {by_id[j] for j, p, lvl in zip(areas["id"], areas["parent_id"], areas["level"])
                         if p == i and lvl == "omrade"} or {code}
    return out


def covers(action_codes: str, selected: tuple[str, ...], expansion: dict[str, set[str]]) -> bool:
    """True when the action's areas overlap the selection (no selection: everything)."""
    if not selected:
        return True
    mine = set().union(*[expansion.get(c, {c}) for c in split_codes(action_codes)]) if action_codes else set()
    chosen = set().union(*[expansion.get(c, {c}) for c in selected])
    return bool(mine & chosen)


def _with_labels(conn: Connection, records: list[dict]) -> list[dict]:
    """The records with their LABELS (plain Python: a frame's row filters cost 2 ms each)."""
    if not records:  # no names to look up
        return records
    names = dict(conn.execute(select(areas_t.c.code, areas_t.c.name)).all())
    cats = dict(conn.execute(select(cat_t.c.code, cat_t.c.name)).all())
    return [{**r, "areas_label": ", ".join(names.get(c, c) for c in split_codes(r["area_codes"])),
             "targets_label": target_label(Targets.parse(r["targets"]), cats),
             "kind_label": KINDS.get(r["kind"], r["kind"]), "status_label": STATUSES.get(r["status"], r["status"]),
             "step_label": EST_STEPS.get(r["est_step"], r["est_step"]),
             "decided_week": iso_week(r["decided_on"]) if r["decided_on"] else ""} for r in records]


def target_label(t: Targets, category_names: dict[str, str]) -> str:
    parts = [category_names.get(c, c) for c in t.categories]
    parts += [STRATEGIC_AREAS.get(s, s) for s in t.strategic_areas]
    parts += [FOCUS_AREAS.get(f, f) for f in t.focus_areas]
    return ", ".join(parts)


def _covering(conn: Connection, area_codes: tuple[str, ...]) -> list[dict]:
    """Every action whose areas overlap the selection (no labels), as _records gives them."""
    records = _records(conn)
    if not area_codes:
        return records
    expansion = area_expansion(area_frame(conn))
    return [r for r in records if covers(r["area_codes"], area_codes, expansion)]


def action_list(conn: Connection, area_codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every action whose areas overlap the selection, with labels."""
    return _frame(_with_labels(conn, _covering(conn, area_codes)), [*LISTED, *LABELS])


@dataclass
class WeekActions:
    running: pd.DataFrame    # running on some day of the week
    due: pd.DataFrame        # open, and follow-up due by the end of the week (or overdue), or ending this week
    new: pd.DataFrame        # decided in the week


def week_actions(conn: Connection, monday: dt.date, area_codes: tuple[str, ...] = ()) -> WeekActions:
    """The week's actions in the selection's areas; only those are labelled (a year holds hundreds)."""
    sunday = monday + dt.timedelta(days=6)
    flagged = [(r, w) for r in _covering(conn, area_codes) if any(w := _in_week(r, monday, sunday))]
    shown = list(zip(_with_labels(conn, [r for r, _ in flagged]), (w for _, w in flagged)))
    return WeekActions(*(_frame([r for r, w in shown if w[i]], [*LISTED, *LABELS]) for i in range(3)))


def _in_week(r: dict, monday: dt.date, sunday: dt.date) -> tuple[bool, bool, bool]:
    """(running in the week, due: open with a follow-up due by its end or ending in it, decided in it)."""
    st, f, e, d = r["status"], r["follow_up_on"], r["end_date"], r["decided_on"]
    return (running(r["start_date"], e, st, monday, sunday),
            st in OPEN and ((f is not None and f <= sunday) or (e is not None and monday <= e <= sunday)),
            d is not None and monday <= d <= sunday)


def notes(conn: Connection, key: str) -> pd.DataFrame:
    return frame(conn.execute(select(notes_t.c.noted_on, notes_t.c.note, notes_t.c.changed_by)
                              .join(actions_t, actions_t.c.id == notes_t.c.action_id)
                              .where(actions_t.c.action_key == key).order_by(notes_t.c.noted_on, notes_t.c.id)),
                 ["noted_on", "note", "changed_by"])


def history(conn: Connection, key: str) -> pd.DataFrame:
    return frame(conn.execute(select(changes_t.c.changed_at, changes_t.c.changed_by, changes_t.c.via,
                                     changes_t.c.field, changes_t.c.old_value, changes_t.c.new_value)
                              .join(actions_t, actions_t.c.id == changes_t.c.action_id)
                              .where(actions_t.c.action_key == key)
                              .order_by(changes_t.c.changed_at, changes_t.c.id)),
                 ["changed_at", "changed_by", "via", "field", "old_value", "new_value"])


def export_frame(conn: Connection) -> pd.DataFrame:
    """Every action as the import reads it back (loaders.kinds.actions): Swedish headers, codes for
    areas and problems, labels for kind, status and step, notes as 'ÅÅÅÅ-MM-DD: text' lines."""
    df = actions(conn).sort_values("action_key").reset_index(drop=True)
    all_notes = frame(conn.execute(select(actions_t.c.action_key, notes_t.c.noted_on, notes_t.c.note)
                                   .join(actions_t, actions_t.c.id == notes_t.c.action_id)
                                   .order_by(notes_t.c.noted_on, notes_t.c.id)), ["action_key", "noted_on", "note"])
    lines: dict[str, str] = {}
    for key, day, note in all_notes.itertuples(index=False):
        lines[key] = (lines[key] + "\n" if key in lines else "") + f"{_as_date(day).isoformat()}: {note}"
    out = df.assign(kind=df["kind"].map(KINDS), status=df["status"].map(STATUSES),
                    est_step=df["est_step"].map(EST_STEPS), notes=df["action_key"].map(lines).fillna(""))
    for c in ("start_date", "end_date", "decided_on", "follow_up_on"):
        out[c] = out[c].map(lambda d: d.isoformat() if d else "")
    return out[list(EXPORT_HEADERS)].rename(columns=EXPORT_HEADERS)


def bands(conn: Connection, area_codes: tuple[str, ...], first: dt.date, last: dt.date) -> pd.DataFrame:
    """Action periods to mark on a time chart of first..last: start, end (clipped to the period;
    open-ended actions run to its end) and a label 'I-0007 Ökad patrullering …'."""
    shown = sorted((r for r in _covering(conn, area_codes)  # a band shows key and title: no labels to look up
                    if r["status"] != "planerad" and running(r["start_date"], r["end_date"], r["status"], first, last)),
                   key=lambda r: max(r["start_date"], first))
    return pd.DataFrame({"start": [max(r["start_date"], first) for r in shown],
                         "end": [min(r["end_date"] or last, last) for r in shown],
                         "label": [f"{r['action_key']} {_short(r['title'])}" for r in shown],
                         "key": [r["action_key"] for r in shown]},
                        columns=["start", "end", "label", "key"]).astype({"start": object, "end": object,
                                                                          "label": "str", "key": "str"})


def _mask(df: pd.DataFrame, flags: list[bool]) -> pd.Series:
    """A row filter that stays a row filter when the frame is empty (a plain [] selects columns)."""
    return pd.Series(flags, index=df.index, dtype=bool)


def _short(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"
