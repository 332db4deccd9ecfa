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
from lagesbild.store.models import Action, ActionChange, ActionNote, Category

actions_t, notes_t, changes_t, cat_t = Action.__table__, ActionNote.__table__, ActionChange.__table__, Category.__table__
OPEN = ("planerad", "pågår")
COLUMNS = ["action_key", "title", "description", "kind", "responsible_actor", "area_codes", "targets",
           "observation_keys", "start_date", "end_date", "status", "status_reason", "est_step", "decided_on",
           "follow_up_on", "demo"]
LABELS = ("areas_label", "targets_label", "kind_label", "status_label", "step_label", "decided_week")
EXPORT_HEADERS = {"action_key": "Id", "title": "Rubrik", "description": "Beskrivning", "kind": "Typ",
                  "responsible_actor": "Ansvarig", "area_codes": "Områden", "targets": "Problem",
                  "observation_keys": "Vandringsobservationer", "start_date": "Start", "end_date": "Slut",
                  "status": "Status", "status_reason": "Skäl", "est_step": "EST-steg", "decided_on": "Beslutad",
                  "follow_up_on": "Nästa återkoppling", "notes": "Återkoppling"}


def actions(conn: Connection) -> pd.DataFrame:
    """Every action, newest decision first, with the text of its latest note and its note count."""
    df = frame(conn.execute(select(*[actions_t.c[c] for c in COLUMNS], actions_t.c.id)
                            .order_by(actions_t.c.decided_on.desc(), actions_t.c.action_key)), [*COLUMNS, "id"])
    if df.empty:  # no notes to read
        return df.drop(columns=["id"]).assign(last_note_on=pd.Series(dtype=object), last_note=pd.Series(dtype=object),
                                              notes=pd.Series(dtype=int))
    notes = frame(conn.execute(select(notes_t.c.action_id, notes_t.c.noted_on, notes_t.c.note)
                               .order_by(notes_t.c.noted_on, notes_t.c.id)), ["id", "noted_on", "note"])
    last = notes.groupby("id").agg(last_note_on=("noted_on", "last"), last_note=("note", "last"),
                                   notes=("note", "size"))
    df = df.merge(last, left_on="id", right_index=True, how="left")
    for c in ("start_date", "end_date", "decided_on", "follow_up_on", "last_note_on"):
        df[c] = df[c].map(_as_date)
    df["notes"] = df["notes"].fillna(0).astype(int)
    df["last_note"] = df["last_note"].fillna("")
    return df.drop(columns=["id"])


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


def labelled(conn: Connection, df: pd.DataFrame) -> pd.DataFrame:
    """The list with Swedish labels: area names, problem names, kind, status and step labels."""
    if df.empty:  # no names to look up
        return df.assign(**{c: pd.Series(dtype=object) for c in LABELS})
    areas = area_frame(conn)
    names = dict(zip(areas["code"], areas["name"]))
    cats = dict(conn.execute(select(cat_t.c.code, cat_t.c.name)).all())
    return df.assign(
        areas_label=df["area_codes"].map(lambda s: ", ".join(names.get(c, c) for c in split_codes(s))),
        targets_label=df["targets"].map(lambda s: target_label(Targets.parse(s), cats)),
        kind_label=df["kind"].map(lambda k: KINDS.get(k, k)),
        status_label=df["status"].map(lambda k: STATUSES.get(k, k)),
        step_label=df["est_step"].map(lambda k: EST_STEPS.get(k, k)),
        decided_week=df["decided_on"].map(lambda d: iso_week(d) if d else ""))


def target_label(t: Targets, category_names: dict[str, str]) -> str:
    parts = [category_names.get(c, c) for c in t.categories]
    parts += [STRATEGIC_AREAS.get(s, s) for s in t.strategic_areas]
    parts += [FOCUS_AREAS.get(f, f) for f in t.focus_areas]
    return ", ".join(parts)


def _covering(conn: Connection, area_codes: tuple[str, ...]) -> pd.DataFrame:
    """Every action whose areas overlap the selection (no labels)."""
    df = actions(conn)
    expansion = area_expansion(area_frame(conn))
    return df[_mask(df, [covers(a, area_codes, expansion) for a in df["area_codes"]])].reset_index(drop=True)


def action_list(conn: Connection, area_codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every action whose areas overlap the selection, with labels."""
    return labelled(conn, _covering(conn, area_codes))


@dataclass
class WeekActions:
    running: pd.DataFrame    # running on some day of the week
    due: pd.DataFrame        # open, and follow-up due by the end of the week (or overdue), or ending this week
    new: pd.DataFrame        # decided in the week


def week_actions(conn: Connection, monday: dt.date, area_codes: tuple[str, ...] = ()) -> WeekActions:
    """The week's actions in the selection's areas; only those are labelled (a year holds hundreds)."""
    df = _covering(conn, area_codes)
    sunday = monday + dt.timedelta(days=6)
    runs = _mask(df, [running(s, e, st, monday, sunday)
                      for s, e, st in zip(df["start_date"], df["end_date"], df["status"])])
    due = _mask(df, [st in OPEN and ((f is not None and f <= sunday) or (e is not None and monday <= e <= sunday))
                     for st, f, e in zip(df["status"], df["follow_up_on"], df["end_date"])])
    new = _mask(df, [d is not None and monday <= d <= sunday for d in df["decided_on"]])
    shown = labelled(conn, df[runs | due | new])
    return WeekActions(*(shown[m.loc[shown.index].to_numpy()].reset_index(drop=True) for m in (runs, due, new)))


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
    df = _covering(conn, area_codes)  # a band shows key and title: no labels to look up
    df = df[_mask(df, [running(s, e, st, first, last) and st != "planerad"
                       for s, e, st in zip(df["start_date"], df["end_date"], df["status"])])]
    return pd.DataFrame({"start": [max(s, first) for s in df["start_date"]],
                         "end": [min(e or last, last) for e in df["end_date"]],
                         "label": [f"{k} {_short(t)}" for k, t in zip(df["action_key"], df["title"])],
                         "key": df["action_key"]}).sort_values("start").reset_index(drop=True)


def _mask(df: pd.DataFrame, flags: list[bool]) -> pd.Series:
    """A row filter that stays a row filter when the frame is empty (a plain [] selects columns)."""
    return pd.Series(flags, index=df.index, dtype=bool)


def _short(text: str, n: int = 28) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"
