"""Who may do what: roles, the rights they give, and the one check for each right.

Every rule lives here. The UI hides what a user may not use (app.py filters the pages with
`page_allowed`, pages ask `user.can(...)`), and the layers below call the same functions
(`require`, `authorize_import`, `check_query`, `enforce_policy`) so that a crafted request that
gets past the UI is refused all the same.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lagesbild.errors import LagesbildError
from lagesbild.privacy import Policy


class Role(StrEnum):
    LASARE = "läsare"
    ANALYTIKER = "analytiker"
    IMPORTOR = "importör"
    SAMORDNARE = "samordnare"
    ADMIN = "administratör"
    EXTERN = "extern"


class Right(StrEnum):
    VIEW = "se lägesbilden"
    EXPLORE = "utforska"
    DOWNLOAD = "ladda ned"
    IMPORT = "importera egna källor"
    COORDINATE = "insatser, taxonomi och områden"
    ADMINISTER = "användare, roller och händelselogg"


RIGHTS: dict[Role, frozenset[Right]] = {
    Role.LASARE: frozenset({Right.VIEW}),
    Role.ANALYTIKER: frozenset({Right.VIEW, Right.EXPLORE, Right.DOWNLOAD}),
    Role.IMPORTOR: frozenset({Right.VIEW, Right.IMPORT}),
    Role.SAMORDNARE: frozenset({Right.VIEW, Right.COORDINATE}),
    Role.ADMIN: frozenset({Right.VIEW, Right.ADMINISTER}),
    Role.EXTERN: frozenset({Right.VIEW}),
}
# Pages (by url path) that need more than Right.VIEW; any one of the rights listed is enough.
PAGE_RIGHTS: dict[str, tuple[Right, ...]] = {
    "utforska": (Right.EXPLORE,),
    "datakallor": (Right.IMPORT, Right.COORDINATE),
    "granskning": (Right.ADMINISTER,),
}
# An external audience sees only these pages: each reads through a Policy (made external).
EXTERNAL_PAGES = frozenset({"", "oversikt", "veckobriefing", "trender", "karta", "pyramiden"})
# Queries that need more than Right.VIEW, and those that return no counts (safe for any audience).
QUERY_RIGHTS: dict[str, Right] = {"explore": Right.EXPLORE, "events": Right.ADMINISTER,  # events: the audit log
                                 "user_frame": Right.ADMINISTER}
NEUTRAL_QUERIES = frozenset({"area_frame", "area_choices", "geometries", "any_schematic", "data_range",
                             "category_names"})
# import kinds that belong to the center, not to a partner's source: samordnare
REFERENCE_KINDS = frozenset({"areas", "population", "actions", "outcomes"})
FIXED_SOURCE = {"polisen": "polis"}  # a kind whose files always come from one source


class AccessDenied(LagesbildError):
    """The signed-in user's roles do not allow this. The message is Swedish and shown as it is."""


@dataclass(frozen=True)
class User:
    subject: str                       # pseudonymous id (stored in logs), never the e-mail
    label: str = ""                    # name or e-mail, shown to the user and to administratörer
    organisations: frozenset[str] = frozenset()
    roles: frozenset[Role] = frozenset()
    sources: frozenset[str] = frozenset()  # the sources the organisations own
    open_mode: bool = False
    issued_at: int | None = None       # the ID token's iat: one sign-in

    @property
    def rights(self) -> frozenset[Right]:
        return frozenset().union(*(RIGHTS[r] for r in self.roles)) if self.roles else frozenset()

    @property
    def external(self) -> bool:
        """Only the extern role: every number is protected as for material leaving the center."""
        return bool(self.roles) and self.roles <= {Role.EXTERN}

    def can(self, right: Right) -> bool:
        return right in self.rights


def require(user: User, right: Right, what: str = "") -> None:
    if not user.can(right):
        raise AccessDenied(f"Du har inte behörighet att {what or right.value}. Din roll: "
                           f"{roles_text(user)}. Be en administratör om behörighet.")


def roles_text(user: User) -> str:
    return ", ".join(sorted(r.value for r in user.roles)) or "ingen"


def page_allowed(user: User, url_path: str) -> bool:
    if user.external and url_path not in EXTERNAL_PAGES:
        return False
    needed = PAGE_RIGHTS.get(url_path, (Right.VIEW,))
    return any(user.can(r) for r in needed)


def authorize_import(user: User, kind: str, source: str | None) -> None:
    """An importör imports only its own organisation's sources; area boundaries and population
    (they change the areas) need the samordnare role."""
    if kind in REFERENCE_KINDS:
        require(user, Right.COORDINATE, "importera områden, befolkning, insatser och utfallsmått")
        return
    require(user, Right.IMPORT, "importera filer")
    source = FIXED_SOURCE.get(kind, source)
    if source not in user.sources:
        own = ", ".join(sorted(user.sources)) or "inga"
        raise AccessDenied(f"Du får bara importera din egen organisations källor ({own}), "
                           f"inte '{source}'. Importen är stoppad och försöket loggat.")


def check_query(user: User, name: str) -> None:
    right = QUERY_RIGHTS.get(name, Right.VIEW)
    require(user, right, f"se {name}")


def enforce_policy(user: User, name: str, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """For an external user every Policy argument becomes external; a query that returns counts
    without a Policy argument is refused (it could not be protected)."""
    if not user.external:
        return args, kwargs
    fix = lambda v: v.external() if isinstance(v, Policy) else v  # noqa: E731
    args, kwargs = tuple(fix(a) for a in args), {k: fix(v) for k, v in kwargs.items()}
    if name not in NEUTRAL_QUERIES and not any(isinstance(v, Policy) for v in (*args, *kwargs.values())):
        raise AccessDenied("Den här uppgiften visas inte för extern publik.")
    return args, kwargs


def audience_policy(user: User, base: Policy) -> Policy:
    return base.external() if user.external else base


def all_roles() -> frozenset[Role]:
    return frozenset(Role)


def open_mode_user(sources: frozenset[str]) -> User:
    """Sign-in off (localhost only): the one person at this computer may do everything."""
    return User(subject="lokal", label="Öppet läge (ingen inloggning)", organisations=frozenset(),
                roles=all_roles() - {Role.EXTERN}, sources=sources, open_mode=True)


__all__ = ["Role", "Right", "User", "AccessDenied", "require", "page_allowed", "authorize_import",
           "check_query", "enforce_policy", "audience_policy", "open_mode_user"]
