"""The access configuration: data/access/roles.toml (or LAGESBILD_ROLES_FILE).

Organisations own sources; identity-provider groups give an organisation and roles. A file with
an unknown role, organisation or source is refused as a whole with every problem listed.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lagesbild import config
from lagesbild.domain.vocab import SOURCES
from lagesbild.errors import LagesbildError
from lagesbild.access.rules import Role

DEFAULT_FILE = config.DATA_DIR / "access" / "roles.toml"


class AccessConfigError(LagesbildError):
    """data/access/roles.toml cannot be used; the message lists every problem."""


@dataclass(frozen=True)
class Grant:
    organisation: str | None
    roles: frozenset[Role]


@dataclass(frozen=True)
class AccessConfig:
    group_claims: tuple[str, ...]
    organisation_claim: str | None
    organisations: dict[str, tuple[str, frozenset[str]]]  # code -> (name, sources)
    groups: dict[str, Grant]

    def sources_of(self, organisations) -> frozenset[str]:
        return frozenset().union(*(self.organisations[o][1] for o in organisations if o in self.organisations))


def roles_file() -> Path:
    return Path(os.environ.get("LAGESBILD_ROLES_FILE") or DEFAULT_FILE)


def load() -> AccessConfig:
    path = roles_file()
    return _load(str(path), path.stat().st_mtime_ns if path.exists() else 0)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int) -> AccessConfig:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AccessConfigError(f"{path}: kan inte läsas ({exc})") from None
    return parse(raw, path)


def parse(raw: dict, where: str = "roles.toml") -> AccessConfig:
    problems: list[str] = []
    orgs = {}
    for code, org in raw.get("organisations", {}).items():
        sources = frozenset(org.get("sources", []))
        problems += [f"{where}: organisation {code}: okänd källa '{s}'" for s in sources - set(SOURCES)]
        orgs[code] = (str(org.get("name", code)), sources & set(SOURCES))
    groups = {}
    for name, g in raw.get("groups", {}).items():
        org = g.get("organisation")
        if org is not None and org not in orgs:
            problems.append(f"{where}: grupp {name}: okänd organisation '{org}'")
        bad = [r for r in g.get("roles", []) if r not in {x.value for x in Role}]
        problems += [f"{where}: grupp {name}: okänd roll '{r}' (roller: {', '.join(Role)})" for r in bad]
        groups[str(name)] = Grant(org, frozenset(Role(r) for r in g.get("roles", []) if r not in bad))
    if problems:
        raise AccessConfigError("\n".join(problems))
    claims = raw.get("claims", {})
    group_claims = claims.get("groups", ["groups", "roles"])
    return AccessConfig(tuple([group_claims] if isinstance(group_claims, str) else group_claims),
                        claims.get("organisation"), orgs, groups)
