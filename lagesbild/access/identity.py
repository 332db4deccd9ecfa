"""From the identity provider's claims to a User: pseudonym, organisations, roles, sources.

Roles come from the group/role claims mapped in data/access/roles.toml; when none of the
claimed groups is mapped, the users table's fallback (set by an administratör) applies. A user
an administratör blocked gets no roles whatever the claims say.
"""
from __future__ import annotations

import datetime as dt
from typing import Mapping

from sqlalchemy import Engine

from lagesbild.access import users
from lagesbild.access.config import AccessConfig
from lagesbild.access.rules import User


def claimed_groups(claims: Mapping, cfg: AccessConfig) -> list[str]:
    groups: list[str] = []
    for name in cfg.group_claims:
        value = claims.get(name)
        if isinstance(value, str):
            value = [value]
        groups += [str(v) for v in value or [] if isinstance(v, (str, int))]
    return groups


def label_of(claims: Mapping) -> str:
    for key in ("email", "preferred_username", "name", "upn"):
        if claims.get(key):
            return str(claims[key])
    return ""


def signed_in_at(claims: Mapping) -> dt.datetime | None:
    iat = claims.get("iat")
    return dt.datetime.fromtimestamp(int(iat)) if isinstance(iat, (int, float)) else None


def resolve(claims: Mapping, cfg: AccessConfig, engine: Engine) -> User:
    """The User for these ID-token claims (iss, sub, groups/roles, email …)."""
    subject = users.pseudonym(users.pseudonym_key(engine), str(claims.get("iss", "")), str(claims["sub"]))
    grants = [cfg.groups[g] for g in claimed_groups(claims, cfg) if g in cfg.groups]
    orgs = {g.organisation for g in grants if g.organisation}
    roles = frozenset().union(*(g.roles for g in grants)) if grants else frozenset()
    claim_org = claims.get(cfg.organisation_claim) if cfg.organisation_claim else None
    if isinstance(claim_org, str) and claim_org in cfg.organisations:
        orgs.add(claim_org)
    with engine.connect() as conn:
        fb_org, fb_roles, blocked = users.fallback(conn, subject)
    if not roles:
        roles = fb_roles
        orgs |= {fb_org} if fb_org else set()
    if blocked:
        roles = frozenset()
    orgs = frozenset(orgs)
    return User(subject=subject, label=label_of(claims), organisations=orgs, roles=roles,
                sources=cfg.sources_of(orgs), issued_at=claims.get("iat"))
