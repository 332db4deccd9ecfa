"""The import, all or nothing: prepare (nothing written), then one transaction that takes the
store's write lock, stores the rows (the kind's `store`), adds exactly the newly stored incidents
to the marts (`lagesbild.store.marts.Increment`, written here: the kinds only report which rows
were new), finishes the import log and commits. When the import replaces the demo data, the marts
are rebuilt (`refresh_marts`) after the demo rows are removed and before this file's rows are
added. A refused file is logged in a transaction of its own, so the data stay exactly as they
were."""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Connection, Engine, insert

from lagesbild import logs
from lagesbild.calendar import utc_now
from lagesbild.errors import InputError
from lagesbild.store.locks import Notify, take_write_lock, when_writable
from lagesbild.store.marts import Increment, refresh_marts
from lagesbild.store.models import ImportLog
from loaders import demo_guard, import_log
from loaders.errors import FileRefused, refuse
from loaders.kinds import Options, Prepared, StoreAgain, Stored
from loaders.kinds.common import no_rows
from loaders.source import SourceFile

KINDS: dict[str, str] = {
    "incidents": "Händelser från en aktör (CSV/xlsx)",
    "polisen": "Polisens händelser (polisen.se, JSON)",
    "walks": "Trygghetsvandringar (CSV/xlsx)",
    "housing": "Boendedata per område och period (CSV/xlsx)",
    "areas": "Områdesgränser (GeoJSON, GeoPackage, zippad Shapefile)",
    "population": "Befolkning (SCB Statistikdatabasen, CSV/xlsx)",
    "actions": "Insatser (export från sidan Insatser, CSV/xlsx)",
    "outcomes": "Utfallsindikatorer per år (Koladas export JSON, eller CSV/xlsx)",
}
INCIDENT_KINDS = {"incidents", "polisen"}  # kinds whose store() reports new incidents for the marts
DATA_KINDS = {"incidents", "polisen", "walks", "housing", "actions", "outcomes"}  # kinds the demo data also has
Progress = Callable[[float, str], None]
STREAM_BYTES = 4 * 1024 * 1024  # larger files of a kind that reads in pieces are checked while stored
log = logs.get("import")


@dataclass
class ImportResult:
    kind: str
    file_name: str
    source: str | None
    rows_read: int
    rows_accepted: int
    stored: Stored
    notes: list[str] = field(default_factory=list)
    import_id: int | None = None
    dry_run: bool = False
    demo_removed: int = 0

    def summary(self) -> str:
        s = self.stored
        head = "Provkörning (inget sparat)" if self.dry_run else "Importerat"
        parts = [f"{head}: {self.file_name} ({self.kind})", f"{self.rows_read} rader lästa",
                 f"{self.rows_accepted} godkända", f"{s.inserted} nya", f"{s.duplicates} dubbletter"]
        if s.corrections:
            parts.append(corrections_text(s.corrections))
        elif s.updated:
            parts.append(f"{s.updated} uppdaterade")
        if self.demo_removed:
            parts.append(f"{self.demo_removed} demorader borttagna")
        return ", ".join(parts)


def corrections_text(corrections: list[str]) -> str:
    """'1 rättad: Fittja 2026 K2 störningsärenden 55 → 72' (several joined by '; ')."""
    return f"{len(corrections)} {'rättad' if len(corrections) == 1 else 'rättade'}: " + "; ".join(corrections)


def kind_module(kind: str):
    if kind not in KINDS:
        raise refuse("-", f"Okänd typ av data '{kind}'. Välj en av: {', '.join(KINDS)}.")
    return importlib.import_module(f"loaders.kinds.{kind}")


def prepare(engine: Engine, kind: str, file: SourceFile, options: Options) -> Prepared:
    """Read, map, validate, anonymise and place: everything except writing. A file without data
    rows (a header only) is refused: it must not count as an import nor refresh the freshness."""
    module = kind_module(kind)
    with engine.connect() as conn:
        prepared = module.prepare(conn, file, options)
    if prepared.rows_read == 0:
        raise no_rows(file.name)
    return prepared


def prepare_or_stream(engine: Engine, kind: str, file: SourceFile, options: Options) -> Prepared:
    """prepare(), except for a large file of a kind that reads in pieces (incidents): that one is
    checked while it is stored, a piece at a time, inside the writing transaction (a problem in
    any piece refuses the whole file), so that its memory does not grow with the file."""
    module = kind_module(kind)
    if hasattr(module, "streamed") and len(file.data) > STREAM_BYTES:
        return module.streamed(file, options)
    return prepare(engine, kind, file, options)


def run_import(engine: Engine, kind: str, file: SourceFile, options: Options | None = None, *,
               dry_run: bool = False, replace_demo: bool = False, imported_by: str | None = None,
               progress: Progress | None = None, prepared: Prepared | None = None) -> ImportResult:
    """Import one file; raise an InputError (and log the refusal) when anything is wrong.

    The import is recorded as running before the work starts (a transaction of its own) and
    marked ok, refused or avbruten at the end (see loaders.import_log)."""
    options = options or Options()
    step = progress or (lambda _f, _t: None)
    import_id = None if dry_run else import_log.start(engine, kind, options.source, file.name, file.sha256,
                                                       imported_by, on_wait=lambda m: step(0.0, m))
    try:
        step(0.05, "Läser och kontrollerar filen …")
        prepared = prepared or prepare_or_stream(engine, kind, file, options)
        step(0.5, "Sparar …")
        result = _write(engine, prepared, dry_run, replace_demo, imported_by, step, import_id)
    except InputError as exc:
        log.warning("import %s refused: kind=%s source=%s problems=%d (%s)", import_id, kind, options.source,
                    len(exc.problems), type(exc).__name__)
        if import_id is not None:
            import_log.refused(engine, import_id, exc)
        raise
    except BaseException as exc:
        log.error("import %s avbruten: kind=%s source=%s error=%s", import_id, kind, options.source,
                  type(exc).__name__)
        if import_id is not None:
            import_log.abandoned(engine, import_id, exc)
        raise
    _log_result(result)
    return result


def _log_result(result: ImportResult) -> None:
    s = result.stored
    log.info("import %s %s: kind=%s source=%s read=%d accepted=%d new=%d duplicates=%d updated=%d",
             result.import_id, "dry-run" if result.dry_run else "ok", result.kind, result.source,
             result.rows_read, result.rows_accepted, s.inserted, s.duplicates, s.updated)


def _write(engine: Engine, prepared: Prepared, dry_run: bool, replace_demo: bool,
           imported_by: str | None, step: Progress, import_id: int | None = None) -> ImportResult:
    """One transaction that takes the store's write lock first (another import waits for it),
    then stores the rows and updates the marts and the log; once more when the kind asks for it
    (StoreAgain: a file read in pieces learnt that its keys must be made otherwise)."""
    try:
        return _write_once(engine, prepared, dry_run, replace_demo, imported_by, step, import_id)
    except StoreAgain:
        return _write_once(engine, prepared, dry_run, replace_demo, imported_by, step, import_id)


def _write_once(engine: Engine, prepared: Prepared, dry_run: bool, replace_demo: bool,
                imported_by: str | None, step: Progress, import_id: int | None = None) -> ImportResult:
    module = kind_module(prepared.kind)
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            take_write_lock(conn, own_import=import_id, on_wait=lambda message: step(0.5, message))
            removed = _demo_step(conn, prepared, replace_demo)
            if removed:  # the marts without the demo rows, before this file's rows are added
                refresh_marts(conn)
            import_id = import_id if import_id is not None else _log(conn, prepared, imported_by)
            stored = _store(module, conn, prepared, import_id)
            _finish_log(conn, import_id, prepared, stored)
        except BaseException:
            transaction.rollback()
            raise
        transaction.rollback() if dry_run else transaction.commit()
    step(1.0, "Klart")
    return ImportResult(prepared.kind, prepared.file.name, prepared.source, prepared.rows_read,
                        prepared.rows_accepted, stored, prepared.notes,
                        None if dry_run else import_id, dry_run, removed)


def _store(module, conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    """The kind stores its rows; a kind of incidents reports the rows it newly stored, and those
    (only those) are added to the marts here, in the same transaction."""
    if prepared.kind not in INCIDENT_KINDS:
        return module.store(conn, prepared, import_id)
    increment = Increment(conn, import_id=import_id)
    stored = module.store(conn, prepared, import_id, increment)
    increment.write()
    return stored


def _demo_step(conn: Connection, prepared: Prepared, replace_demo: bool) -> int:
    if prepared.kind not in DATA_KINDS or not demo_guard.holds_demo(conn):
        return 0
    if not replace_demo:
        raise demo_guard.refuse_demo(prepared.file.name)
    return demo_guard.remove_demo(conn)


def _log(conn: Connection, prepared: Prepared, imported_by: str | None) -> int:
    return conn.execute(insert(ImportLog.__table__).values(
        kind=prepared.kind, source=prepared.source, file_name=prepared.file.name[:260],
        sha256=prepared.file.sha256, imported_at=utc_now(),
        imported_by=imported_by, rows_read=prepared.rows_read, status="ok",
        message="")).inserted_primary_key[0]


def _finish_log(conn: Connection, import_id: int, prepared: Prepared, stored: Stored) -> None:
    changes = [f"{stored.updated} uppdaterade."] if stored.updated and not stored.corrections else []
    changes += [corrections_text(stored.corrections) + "."] if stored.corrections else []
    import_log.finish(conn, import_id, rows_read=prepared.rows_read, rows_accepted=prepared.rows_accepted,
                      rows_duplicate=stored.duplicates, message=" ".join(prepared.notes + changes))


def log_refusal(engine: Engine, kind: str, file: SourceFile, source: str | None,
                error: InputError, imported_by: str | None = None, on_wait: Notify | None = None) -> None:
    """Record the refusal (problems with masked values) without touching any data. On SQLite it
    waits for a running import's write lock (telling who runs) as the import log does, instead of
    failing with "database is locked" after 30 s."""
    text = "\n".join(str(p) for p in error.problems).replace("\x00", "\ufffd")  # PostgreSQL stores no NUL
    name = file.name[:260].replace("\x00", "\ufffd")
    row = dict(kind=kind[:32], source=(source or None) and source[:32], file_name=name,
               sha256=file.sha256, imported_at=utc_now(),
               imported_by=imported_by, rows_read=0, rows_accepted=0,
               rows_rejected=len(error.problems), status="refused", message=text[:20000])
    when_writable(engine, lambda conn: conn.execute(insert(ImportLog.__table__).values(**row)), on_wait=on_wait)


__all__ = ["KINDS", "ImportResult", "Options", "prepare", "run_import", "FileRefused"]
