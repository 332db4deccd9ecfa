"""Command line: python -m loaders import KIND FILE [FILE ...] | python -m loaders summary [...]."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from lagesbild.errors import InputError
from lagesbild.store.failures import store_failure
from lagesbild.setup import ensure_database
from lagesbild.store.engine import make_engine
from loaders.batch import import_files
from loaders.kinds import Options
from loaders.pipeline import KINDS, run_import
from loaders.source import from_path

log = logging.getLogger("lagesbild.import")

def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m loaders", description="Importera filer till Lägesbild.")
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="importera en eller flera filer (var och en allt eller inget)")
    imp.add_argument("kind", choices=list(KINDS))
    imp.add_argument("files", nargs="+", metavar="file")
    imp.add_argument("--source", help="aktör: polis, kommun, botkyrkabyggen, raddningstjanst, …")
    imp.add_argument("--mapping", help="kolumnmappning (CSV) i stället för data/mappings/")
    imp.add_argument("--db", help="databas-URL (standard: DATABASE_URL eller data/lagesbild.db)")
    imp.add_argument("--dry-run", action="store_true", help="kontrollera och räkna, spara inget")
    imp.add_argument("--replace-demo", action="store_true", help="ta bort demodata först")
    imp.add_argument("--year", type=int, help="befolkning: året när filen inte anger det")
    imp.add_argument("--deso-key", help="befolkning: SCB:s nyckel DeSO→RegSO (CSV)")
    fetch = sub.add_parser("fetch", help="hämta ett öppet flöde: polisen (polisen.se/api/events), "
                           "scb (befolkning, PxWeb v2), kolada (nyckeltal, API v3)")
    fetch.add_argument("feed", choices=["polisen", "scb", "kolada"])
    fetch.add_argument("--db", help="databas-URL (standard: DATABASE_URL eller data/lagesbild.db)")
    fetch.add_argument("--replace-demo", action="store_true", help="ta bort demodata först")
    fetch.add_argument("--years", help="scb/kolada: år, t.ex. 2020-2024 (standard: de fem senaste)")
    summ = sub.add_parser("summary", help="vad databasen innehåller")
    summ.add_argument("--db")
    summ.add_argument("--json", action="store_true")
    return p


def _engine(url: str | None):
    from lagesbild.logs import configure
    configure(command_line=True)
    engine = make_engine(url)
    ensure_database(engine, demo=False)
    return engine


def cmd_import(args) -> int:
    try:
        options = Options(source=args.source, mapping=args.mapping, year=args.year,
                          deso_key=from_path(args.deso_key) if args.deso_key else None)
        engine = _engine(args.db)
        if len(args.files) == 1 or args.dry_run:
            outcomes = []
            for name in args.files:
                try:
                    outcomes.append(run_import(engine, args.kind, from_path(name), options,
                                               dry_run=args.dry_run, replace_demo=args.replace_demo,
                                               imported_by="kommandoraden"))
                except InputError as exc:
                    outcomes.append(exc)
                _report(name, outcomes[-1])
        else:
            outcomes = import_files(engine, args.kind, args.files, options, imported_by="kommandoraden",
                                    replace_demo=args.replace_demo, on_result=_report)
    except InputError as exc:  # the options themselves (e.g. the DeSO key file)
        _report(args.files[0], exc)
        return 2
    return 2 if any(isinstance(o, InputError) for o in outcomes) else 0


def _report(name, outcome) -> None:
    if isinstance(outcome, InputError):
        from loaders.anonymise import redact  # a path's file name may itself hold personal data
        log.info("fil avvisad: %s (%d problem)", redact(str(name)), len(outcome.problems))  # stderr has the report
        print(f"Filen avvisades; inget sparades ({len(outcome.problems)} problem):", file=sys.stderr)
        for problem in outcome.problems:
            print(f"- {problem}", file=sys.stderr)
        return
    print(outcome.summary())
    for note in outcome.notes:
        print(f"  {note}")


def cmd_fetch(args) -> int:
    from lagesbild.errors import LagesbildError
    from loaders.fetch.run import run_fetch
    try:
        outcome = run_fetch(_engine(args.db), args.feed, replace_demo=args.replace_demo, years=args.years)
    except InputError as exc:
        _report(args.feed, exc)
        return 2
    except LagesbildError as exc:
        log.info("hämtning misslyckades: %s (%s)", args.feed, type(exc).__name__)
        print(f"Hämtningen misslyckades; inget sparades:\n- {exc}", file=sys.stderr)
        return 2
    print(outcome.summary())
    return 0


def cmd_summary(args) -> int:
    from lagesbild.queries.imports import store_summary, summary_text
    summary = store_summary(_engine(args.db))
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str) if args.json
          else summary_text(summary))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return {"import": cmd_import, "fetch": cmd_fetch, "summary": cmd_summary}[args.command](args)
    except Exception as exc:  # the database or the disk, not the file: a message, exit code 2
        failure = store_failure(exc)
        if failure is None:
            raise
        log.info("avbrutet: %s", type(failure).__name__)  # stderr has the message
        print(f"Avbrutet; inget sparades:\n- {failure.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
