"""Writing from the Insatser page: one transaction with the store's write lock, then fresh caches."""
from __future__ import annotations

import datetime as dt

from lagesbild.store import actions as action_store
from lagesbild.store.locks import take_write_lock
from lagesbild.ui import common


def signed_in_user() -> str | None:
    """Who is making the change; filled in by the sign-in work (issue 15), None until then."""
    return None


def save(key: str | None, values: dict, note: str = "", noted_on: dt.date | None = None) -> str:
    """Create or change an action (and add a follow-up note); the action's key."""
    with common.engine().begin() as conn:
        take_write_lock(conn)
        key, _ = action_store.save(conn, key, values, changed_by=signed_in_user())
        if note.strip():
            action_store.add_note(conn, key, noted_on or dt.date.today(), note, changed_by=signed_in_user())
    common.clear_caches()
    return key
