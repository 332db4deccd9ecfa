"""The audit trail: who did what, when. Append-only for the application.

`record(conn_or_engine, who, action, detail)` is the one way to write an event; there is no
update or delete here, and the store refuses both (triggers, migration 0007). `who` is a
lagesbild.access.User (its pseudonymous subject and organisation are stored) or a plain
pseudonym string. Details hold counts, kinds, sources, selections and audiences, never row contents.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select

from lagesbild.calendar import local, utc_now, utc_start_of
from lagesbild.store.models import AuditEvent, User as UserRow

OK, DENIED, REFUSED = "ok", "nekad", "avvisad"
SIGN_IN, SIGN_OUT = "inloggning", "utloggning"
IMPORT, DELETION, DOWNLOAD = "import", "borttagning", "nedladdning"
AREAS, TAXONOMY, ACTION, USERS = "områden", "taxonomi", "insats", "användare"
ACTIONS = (SIGN_IN, SIGN_OUT, IMPORT, DELETION, DOWNLOAD, AREAS, TAXONOMY, ACTION, USERS)
audit_t = AuditEvent.__table__


def _who(who) -> tuple[str, str | None]:
    """(pseudonym, organisations) of a lagesbild.access.User, or (who, None) for a plain name."""
    if isinstance(who, str):
        return who[:64], None
    return who.subject[:64], ",".join(sorted(who.organisations))[:64] or None


def record(conn_or_engine: Connection | Engine, who, action: str, detail: str = "",
           outcome: str = OK) -> None:
    """Append one event. With an Engine the event is committed in a transaction of its own (so a
    refused import is logged even though its data transaction rolled back); with a Connection it
    is part of the caller's transaction."""
    actor, organisation = _who(who)
    values = dict(at=utc_now(), actor=actor, organisation=organisation,
                  action=action[:32], outcome=outcome[:16], detail=detail.replace("\x00", "\ufffd")[:20000])
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.begin() as conn:
            conn.execute(insert(audit_t).values(**values))
    else:
        conn_or_engine.execute(insert(audit_t).values(**values))


@dataclass(frozen=True)
class EventFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    actions: tuple[str, ...] = ()
    actor: str = ""  # part of a pseudonym or of the user's label
    outcome: str | None = None


COLUMNS = {"at": "Tid", "actor": "Vem (pseudonym)", "label": "Användare", "organisation": "Organisation",
           "action": "Händelse", "outcome": "Utfall", "detail": "Detaljer"}


def events(conn: Connection, f: EventFilter = EventFilter(), limit: int = 5000) -> pd.DataFrame:
    """The newest events first, with the user's label beside the pseudonym, filtered by `f`."""
    users = UserRow.__table__
    q = (select(audit_t.c.at, audit_t.c.actor, users.c.label, audit_t.c.organisation, audit_t.c.action,
                audit_t.c.outcome, audit_t.c.detail)
         .select_from(audit_t.outerjoin(users, users.c.subject == audit_t.c.actor))
         .order_by(audit_t.c.id.desc()).limit(limit))
    if f.start:  # the days are Swedish days; the log stores UTC
        q = q.where(audit_t.c.at >= utc_start_of(f.start))
    if f.end:
        q = q.where(audit_t.c.at < utc_start_of(f.end + dt.timedelta(days=1)))
    if f.actions:
        q = q.where(audit_t.c.action.in_(f.actions))
    if f.outcome:
        q = q.where(audit_t.c.outcome == f.outcome)
    if f.actor:
        like = f"%{f.actor.lower()}%"
        q = q.where(audit_t.c.actor.ilike(like) | users.c.label.ilike(like))
    df = pd.DataFrame(conn.execute(q).all(), columns=list(COLUMNS))
    df["label"] = df["label"].fillna("")
    df["at"] = [local(v) for v in df["at"]]  # Swedish local time, as every page shows times
    return df
