"""The one door for imports from the app: check the role and organisation, import, audit.

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
