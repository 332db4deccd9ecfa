"""Writing from the Insatser page: the samordnare right checked, one transaction with the store's
write lock, the change in the audit log, then fresh caches."""
from __future__ import annotations

import datetime as dt

from lagesbild import audit
from lagesbild.access.rules import Right, require
from lagesbild.access.ui import current_user
from lagesbild.calendar import local_today
from lagesbild.store import actions as action_store
from lagesbild.store.locks import take_write_lock
from lagesbild.ui import common


def save(key: str | None, values: dict, note: str = "", noted_on: dt.date | None = None) -> str:
    """Create or change an action (and add a follow-up note); the action's key. Refused (a named
    AccessDenied) unless the signed-in user may coordinate actions."""
    user = current_user()
    require(user, Right.COORDINATE, "besluta och följa upp insatser")
    with common.engine().begin() as conn:
        take_write_lock(conn)
        key, _ = action_store.save(conn, key, values, changed_by=user.subject)
        if note.strip():
            action_store.add_note(conn, key, noted_on or local_today(), note, changed_by=user.subject)
        audit.record(conn, user, audit.ACTION, f"insats {key}" + (" med återkoppling" if note.strip() else ""))
    common.clear_caches()
    return key
