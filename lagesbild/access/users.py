"""The users table: pseudonym → label, and the fallback organisation and roles an administratör sets."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from lagesbild.access.rules import Role
from lagesbild.store.models import User as UserRow
from lagesbild.calendar import utc_now
from lagesbild.store.reference import get_meta

users_t = UserRow.__table__
KEY_META = "pseudonym_key"


def _now() -> dt.datetime:
    return utc_now()


def pseudonym_key(engine: Engine) -> bytes:
    """A random key per database (meta_info), created on first use: pseudonyms are stable in one
    store and cannot be recomputed from an e-mail address without the store."""
    with engine.connect() as conn:
        key = get_meta(conn, KEY_META)
    if key is None:
        try:
            with engine.begin() as conn:
                from lagesbild.store.models import MetaInfo
                conn.execute(insert(MetaInfo.__table__).values(key=KEY_META, value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another session created it first
        with engine.connect() as conn:
            key = get_meta(conn, KEY_META)
    return bytes.fromhex(key)


def pseudonym(key: bytes, issuer: str, subject: str) -> str:
    """'u-' and 16 hex digits of HMAC-SHA256(key, issuer|sub): the id stored in every log."""
    return "u-" + hmac.new(key, f"{issuer}|{subject}".encode(), hashlib.sha256).hexdigest()[:16]


def fallback(conn: Connection, subject: str) -> tuple[str | None, frozenset[Role], bool]:
    """The organisation, roles and blocked flag an administratör set for this pseudonym."""
    row = conn.execute(select(users_t.c.organisation, users_t.c.roles, users_t.c.blocked)
                       .where(users_t.c.subject == subject)).first()
    if row is None:
        return None, frozenset(), False
    return row.organisation, parse_roles(row.roles), bool(row.blocked)


def parse_roles(text: str | None) -> frozenset[Role]:
    names = {r.strip() for r in (text or "").split(",")}
    return frozenset(Role(n) for n in names if n in {r.value for r in Role})


def seen(engine: Engine, subject: str, label: str, signed_in: dt.datetime | None) -> bool:
    """Create or refresh the user's row; True when `signed_in` is a new sign-in for this user."""
    now = _now()
    with engine.begin() as conn:
        row = conn.execute(select(users_t.c.id, users_t.c.last_sign_in).where(users_t.c.subject == subject)).first()
        if row is None:
            conn.execute(insert(users_t).values(subject=subject, label=label[:200], organisation=None, roles="",
                                                blocked=False, first_seen=now, last_seen=now, last_sign_in=signed_in))
            return True
        new = signed_in is None or row.last_sign_in != signed_in
        conn.execute(update(users_t).where(users_t.c.id == row.id).values(
            label=label[:200], last_seen=now, last_sign_in=signed_in))
    return new


def set_fallback(conn: Connection, subject: str, organisation: str | None, roles: frozenset[Role],
                 blocked: bool) -> None:
    conn.execute(update(users_t).where(users_t.c.subject == subject).values(
        organisation=organisation or None, roles=",".join(sorted(r.value for r in roles)), blocked=blocked))


def user_frame(conn: Connection) -> pd.DataFrame:
    rows = conn.execute(select(users_t.c.subject, users_t.c.label, users_t.c.organisation, users_t.c.roles,
                               users_t.c.blocked, users_t.c.first_seen, users_t.c.last_seen)
                        .order_by(users_t.c.last_seen.desc())).all()
    return pd.DataFrame(rows, columns=["subject", "label", "organisation", "roles", "blocked", "first_seen",
                                       "last_seen"])
