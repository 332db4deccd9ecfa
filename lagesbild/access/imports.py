"""The one door for imports from the app (files and "Hämta nu"): check the role and organisation,
import, audit.

`import_as` refuses (AccessDenied, logged) a kind or source the user may not import, whatever
the page offered; an accepted or refused (InputError) import is logged with the user's
pseudonym, which also goes into the import log's `imported_by`. Removing the demo data before
a real import is logged as a deletion.
"""
from __future__ import annotations

from sqlalchemy import Engine

from lagesbild import audit
from lagesbild.access.rules import AccessDenied, User, authorize_import
from lagesbild.errors import InputError


def _what(kind: str, source: str | None, file_name: str) -> str:
    return f"typ {kind}, källa {source or '-'}, fil {file_name[:120]}"


def allowed(user: User, kind: str, source: str | None) -> bool:
    try:
        authorize_import(user, kind, source)
    except AccessDenied:
        return False
    return True


def import_as(user: User, engine: Engine, kind: str, file, options, **kwargs):
    """loaders.pipeline.run_import on behalf of `user` (same keyword arguments but imported_by)."""
    from loaders.pipeline import run_import
    what = _what(kind, options.source, file.name)
    try:
        authorize_import(user, kind, options.source)
    except AccessDenied as exc:
        audit.record(engine, user, audit.IMPORT, f"{what}: {exc}", outcome=audit.DENIED)
        raise
    try:
        result = run_import(engine, kind, file, options, imported_by=user.subject, **kwargs)
    except InputError as exc:
        audit.record(engine, user, audit.IMPORT, f"{what}: {len(exc.problems)} problem, inget sparat",
                     outcome=audit.REFUSED)
        raise
    audit.record(engine, user, audit.IMPORT, f"{what}: import {result.import_id}, {result.rows_accepted} rader")
    if result.demo_removed:
        audit.record(engine, user, audit.DELETION, f"demodata: {result.demo_removed} rader borttagna "
                     f"(import {result.import_id})")
    if kind in ("areas", "population"):
        audit.record(engine, user, audit.AREAS, f"{what}: import {result.import_id}")
    return result


# What each feed imports (kind, source): who may fetch it is who may import that kind and source.
FEED_KINDS = {"polisen": ("polisen", "polis"), "scb": ("population", None), "kolada": ("outcomes", None)}


def may_fetch(user: User, feed: str) -> bool:
    return allowed(user, *FEED_KINDS[feed])


def fetch_as(user: User, engine: Engine, feed: str, **kwargs):
    """loaders.fetch.run.run_fetch on behalf of `user` ("Hämta nu"): refused (AccessDenied, logged)
    unless the user may import what the feed imports; the fetch and its outcome are in the audit log."""
    from loaders.fetch.run import run_fetch
    kind, source = FEED_KINDS[feed]
    what = f"hämtning {feed} (typ {kind}, källa {source or '-'})"
    try:
        authorize_import(user, kind, source)
    except AccessDenied as exc:
        audit.record(engine, user, audit.IMPORT, f"{what}: {exc}", outcome=audit.DENIED)
        raise
    try:
        outcome = run_fetch(engine, feed, imported_by=user.subject, **kwargs)
    except InputError as exc:
        audit.record(engine, user, audit.IMPORT, f"{what}: {len(exc.problems)} problem, inget sparat",
                     outcome=audit.REFUSED)
        raise
    except Exception as exc:  # a feed that could not be reached: logged as refused, then said on the page
        audit.record(engine, user, audit.IMPORT, f"{what}: misslyckades ({type(exc).__name__})",
                     outcome=audit.REFUSED)
        raise
    audit.record(engine, user, audit.IMPORT, f"{what}: {outcome.summary()[:500]}")
    return outcome
