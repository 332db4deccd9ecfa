"""Command line: `python -m lagesbild init [--kommun CODE] | check | rebuild-marts | backup FILE | restore FILE`.

Exit codes: 0 done (check: everything holds), 1 check found a difference, 2 could not be done.
"""
from __future__ import annotations

import argparse
import sys
import time

from lagesbild import logs
from lagesbild.errors import LagesbildError
from lagesbild.store.engine import make_engine

DB_HELP = "database URL (default: DATABASE_URL or data/lagesbild.db)"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m lagesbild")
    sub = p.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create/upgrade the database; seed demo data if it is empty")
    init.add_argument("--db", help=DB_HELP)
    init.add_argument("--no-demo", action="store_true", help="do not seed the demo data")
    init.add_argument("--kommun", help="set up another municipality (kommunkod, e.g. 0181) from SCB's files")
    init.add_argument("--reference-dir", help="--kommun: directory with SCB's files (default LAGESBILD_REFERENCE_DIR)")
    for name, what in (("deso-key", "SCB's key DeSO→RegSO (CSV)"), ("index", "SCB's socio-economic index per RegSO (CSV)"),
                       ("boundaries", "kommun boundaries, GeoJSON with kom_kod"),
                       ("population", "population per DeSO or RegSO (CSV: deso/regso, total)"),
                       ("kommundelar", "optional CSV grouping RegSO into kommundelar")):
        init.add_argument(f"--{name}", help=f"--kommun: {what}")
    check = sub.add_parser("check", help="kontrollera att sammanställningarna (marts) stämmer med "
                           "händelserna; ändrar inget (exit 0 ok, 1 fel)")
    check.add_argument("--db", help=DB_HELP)
    rebuild = sub.add_parser("rebuild-marts", help="bygg om sammanställningarna (marts) från händelserna")
    rebuild.add_argument("--db", help=DB_HELP)
    backup = sub.add_parser("backup", help="säkerhetskopiera databasen till en fil (SQLite: online backup, "
                            "PostgreSQL: pg_dump -Fc)")
    backup.add_argument("file")
    backup.add_argument("--db", help=DB_HELP)
    restore = sub.add_parser("restore", help="återställ en säkerhetskopia till en tom databas")
    restore.add_argument("file")
    restore.add_argument("--db", help=DB_HELP)
    restore.add_argument("--force", action="store_true", help="SQLite: skriv över en befintlig databas")
    return p


def cmd_init(args) -> int:
    from lagesbild.setup import ensure_database
    started = time.perf_counter()
    engine = make_engine(args.db)
    try:
        areas = _municipality(args) if args.kommun else None
        ensure_database(engine, demo=False if args.no_demo else None, areas=areas)
    except Exception as exc:  # noqa: BLE001 - named failures get their message; the rest re-raise
        from lagesbild.store.failures import store_failure
        failure = exc if isinstance(exc, LagesbildError) else store_failure(exc)
        if failure is None:
            raise
        print(f"Kunde inte förbereda databasen:\n{failure}", file=sys.stderr)
        return 2
    print(f"Databasen är klar ({engine.url.render_as_string(hide_password=True)}, "
          f"{time.perf_counter() - started:.1f} s)")
    return 0


def _municipality(args):
    from lagesbild.municipality import build_municipality
    from lagesbild.setup import POPULATION_YEARS
    return build_municipality(args.kommun, POPULATION_YEARS, reference_dir=args.reference_dir,
                              deso_key=args.deso_key, index=args.index, boundaries=args.boundaries,
                              population=args.population, kommundelar=args.kommundelar)


def cmd_check(args) -> int:
    from lagesbild.store.check import check_store
    report = check_store(make_engine(args.db))
    print(report.text(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_rebuild(args) -> int:
    from lagesbild.store.check import rebuild_marts
    started = time.perf_counter()
    events = rebuild_marts(make_engine(args.db))
    print(f"Sammanställningarna (marts) byggdes om från {events} händelser "
          f"({time.perf_counter() - started:.1f} s).")
    return 0


def cmd_backup(args) -> int:
    from lagesbild.store.backup import backup
    print(backup(make_engine(args.db), args.file))
    return 0


def cmd_restore(args) -> int:
    from lagesbild.store.backup import restore
    print(restore(make_engine(args.db), args.file, force=args.force))
    return 0


COMMANDS = {"init": cmd_init, "check": cmd_check, "rebuild-marts": cmd_rebuild,
            "backup": cmd_backup, "restore": cmd_restore}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logs.configure(command_line=True)
    try:
        return COMMANDS[args.command](args)
    except LagesbildError as exc:
        print(f"Fel (error): {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
