"""Command line: `python -m lagesbild init [--db URL] [--no-demo]`."""
from __future__ import annotations

import argparse
import sys
import time

from lagesbild.errors import LagesbildError
from lagesbild.store.engine import make_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lagesbild")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create/upgrade the database; seed demo data if it is empty")
    init.add_argument("--db", help="database URL (default: DATABASE_URL or data/lagesbild.db)")
    init.add_argument("--no-demo", action="store_true", help="do not seed the demo data")
    args = parser.parse_args(argv)
    from lagesbild.setup import ensure_database
    started = time.perf_counter()
    engine = make_engine(args.db)
    try:
        ensure_database(engine, demo=not args.no_demo)
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


if __name__ == "__main__":
    sys.exit(main())
