"""Writing actions (insatser): create, change, follow-up notes, and the history of every change.

Callers run these inside a writing transaction that holds the store's write lock
(lagesbild.store.locks.take_write_lock), so that cached pages see the change. `changed_by` is
whoever the sign-in (issue 15) says; None until then.
"""
from __future__ import annotations

import datetime as dt
import re

from lagesbild.calendar import utc_now
from sqlalchemy import Connection, func, insert, select, update

from lagesbild.errors import LagesbildError
from lagesbild.store.models import Action, ActionChange, ActionNote

actions_t, notes_t, changes_t = Action.__table__, ActionNote.__table__, ActionChange.__table__
FIELDS = ["title", "description", "kind", "responsible_actor", "area_codes", "targets", "observation_keys",
          "start_date", "end_date", "status", "status_reason", "est_step", "decided_on", "follow_up_on"]
KEY_PATTERN = re.compile(r"^I-(\d+)$")


class ActionNotFound(LagesbildError):
    """No action with that key."""


class PersonalDataInText(LagesbildError):
    """Free text typed into the app holds what the anonymisation gate refuses in files."""


FREE_TEXT = ("title", "description", "status_reason", "responsible_actor", "note")


def check_free_text(values: dict) -> None:
    """Refuse typed text the import gate would refuse (names, personnummer, phone, e-mail, address)."""
    from loaders.anonymise import DESCRIPTION, find
    found = sorted({DESCRIPTION[h.kind] for f in FREE_TEXT for h in find(str(values.get(f) or ""))})
    if found:
        raise PersonalDataInText("Texten ser ut att innehålla " + " och ".join(found) + ". Inget sparades: "
                                 "skriv utan uppgifter som pekar ut en person.")


def now() -> dt.datetime:
    """The time a change is stored at (calendar.utc_now)."""
    return utc_now()


def next_key(conn: Connection) -> str:
    """'I-0001', 'I-0002', …: one more than the highest numbered key."""
    keys = conn.execute(select(actions_t.c.action_key)).scalars()
    numbers = [int(m.group(1)) for k in keys if (m := KEY_PATTERN.match(k))]
    return f"I-{max(numbers, default=0) + 1:04d}"


def stored(conn: Connection, key: str) -> dict | None:
    row = conn.execute(select(actions_t).where(actions_t.c.action_key == key)).mappings().first()
    return dict(row) if row else None


def _text(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def save(conn: Connection, key: str | None, values: dict, changed_by: str | None = None, via: str = "app",
         import_id: int | None = None, demo: bool = False) -> tuple[str, list[str]]:
    """Create the action (key None or unknown) or change the given fields; (key, changed fields).
    Every change is written to action_changes with the old and new value."""
    values = {f: values[f] for f in FIELDS if f in values}
    check_free_text(values)
    old = stored(conn, key) if key else None
    at = now()
    if old is None:
        key = key or next_key(conn)
        full = {"description": "", "area_codes": "", "targets": "", "observation_keys": "",
                "status_reason": "", "end_date": None, "follow_up_on": None, **values}
        action_id = conn.execute(insert(actions_t).values(action_key=key, demo=demo, import_id=import_id,
                                                          updated_at=at, **full)).inserted_primary_key[0]
        _history(conn, action_id, at, changed_by, via, [("skapad", None, full.get("title"))])
        return key, ["skapad"]
    changed = [f for f, v in values.items() if _text(v) != _text(old[f])]
    if changed:
        conn.execute(update(actions_t).where(actions_t.c.id == old["id"])
                     .values(updated_at=at, **{f: values[f] for f in changed},
                             **({"import_id": import_id} if import_id else {})))
        _history(conn, old["id"], at, changed_by, via, [(f, _text(old[f]), _text(values[f])) for f in changed])
    return key, changed


def add_note(conn: Connection, key: str, noted_on: dt.date, note: str, changed_by: str | None = None,
             via: str = "app") -> bool:
    """Add a follow-up note; False when the same note on the same date is there already."""
    action = stored(conn, key)
    if action is None:
        raise ActionNotFound(f"Insatsen {key} finns inte.")
    note = " ".join(str(note).split())[:1000]
    check_free_text({"note": note})
    exists = conn.execute(select(func.count()).select_from(notes_t).where(
        notes_t.c.action_id == action["id"], notes_t.c.noted_on == noted_on, notes_t.c.note == note)).scalar()
    if exists:
        return False
    conn.execute(insert(notes_t).values(action_id=action["id"], noted_on=noted_on, note=note,
                                        changed_by=changed_by))
    _history(conn, action["id"], now(), changed_by, via, [("återkoppling", None, f"{noted_on}: {note}")])
    return True


def _history(conn: Connection, action_id: int, at: dt.datetime, changed_by: str | None, via: str,
             changes: list[tuple[str, str | None, str | None]]) -> None:
    conn.execute(insert(changes_t), [dict(action_id=action_id, changed_at=at, changed_by=changed_by, via=via,
                                          field=f, old_value=o, new_value=n) for f, o, n in changes])
