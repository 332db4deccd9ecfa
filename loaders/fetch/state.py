"""The row of a feed in feed_state: last attempt, last success, message, recent call times."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, insert, select, update

from lagesbild.store.models import FeedState

feed_t = FeedState.__table__


def read(conn: Connection, feed: str) -> dict:
    row = conn.execute(select(feed_t).where(feed_t.c.feed == feed)).mappings().first()
    return dict(row) if row else {"feed": feed, "last_attempt_at": None, "last_success_at": None,
                                  "last_status": "", "last_message": "", "last_import_id": None,
                                  "recent_calls": ""}


def all_states(conn: Connection) -> dict[str, dict]:
    return {r["feed"]: dict(r) for r in conn.execute(select(feed_t)).mappings()}


def write(engine: Engine, feed: str, *, attempt: dt.datetime, ok: bool, message: str,
          calls: str, import_id: int | None = None) -> None:
    """Record one fetch (its own transaction, so a failed fetch is recorded too)."""
    values = dict(last_attempt_at=attempt, last_status="ok" if ok else "fel",
                  last_message=message.replace("\x00", "")[:4000], recent_calls=calls)
    if ok:
        values.update(last_success_at=attempt, last_import_id=import_id)
    with engine.begin() as conn:
        exists = conn.execute(select(feed_t.c.feed).where(feed_t.c.feed == feed)).first()
        if exists:
            conn.execute(update(feed_t).where(feed_t.c.feed == feed).values(**values))
        else:
            conn.execute(insert(feed_t).values(feed=feed, **{"last_success_at": None, **values}))
