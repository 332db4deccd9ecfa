"""What the disclosure rule does to the numbers of a store: `python -m lagesbild.privacy_report`.

For the usual breakdowns of one period it counts the cells, the protected ones (person-related,
or all for an external audience), those shown as "<k" and those whose published value differs from
the true one, and by how much. The true values never leave this report's arithmetic; it prints
only counts of cells and sizes of differences (for the data-protection officer and docs/privacy.md).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from lagesbild.privacy import EXTERNAL, INTERNAL, KEY_COLUMN, Policy, published_values
from lagesbild.queries.filters import Filters
from lagesbild.queries.incidents import data_range, raw_counts

BREAKDOWNS = [("kommundel",), ("omrade",), ("strategic_area",), ("kommundel", "strategic_area"),
              ("omrade", "category"), ("month", "strategic_area"), ("week", "kommundel")]


def effect(raw: pd.DataFrame, policy: Policy) -> dict:
    """Counts of cells and of changes for one breakdown's true counts (n, ksum, sensitive)."""
    shown, small = published_values(raw["n"], raw[KEY_COLUMN], raw["sensitive"], policy)
    n = raw["n"].to_numpy(dtype=float)
    protected = (raw["sensitive"].to_numpy(dtype=bool) | (policy.audience != INTERNAL)) & (n > 0)
    numbers = protected & ~small
    diff = np.abs(shown - n)[numbers]
    return {"cells": int((n > 0).sum()), "protected": int(protected.sum()), "small": int(small.sum()),
            "moved": int((diff > 0).sum()), "mean_abs": float(diff.mean()) if diff.size else 0.0,
            "max_abs": int(diff.max()) if diff.size else 0,
            "max_rel": float((diff / n[numbers]).max()) if diff.size else 0.0}


def report(conn: Connection, f: Filters, policy: Policy) -> pd.DataFrame:
    rows = []
    for by in BREAKDOWNS:
        rows.append({"breakdown": " × ".join(by), **effect(raw_counts(conn, f, by), policy)})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lagesbild.privacy_report")
    parser.add_argument("--db", help="database URL (default: DATABASE_URL or data/lagesbild.db)")
    parser.add_argument("--weeks", type=int, default=52, help="the period: this many weeks up to the last one with data")
    parser.add_argument("--k", type=int, default=None, help="k (default: LAGESBILD_K or 5)")
    args = parser.parse_args(argv)
    from lagesbild import config
    from lagesbild.store.engine import make_engine
    engine = make_engine(args.db)
    k = args.k or config.suppression_k()
    with engine.connect() as conn:
        _, last = data_range(conn)
        if last is None:
            print("Databasen har inga händelser.")
            return 0
        f = Filters(last - dt.timedelta(weeks=args.weeks, days=-1), last)
        print(f"Period {f.start} – {f.end}, k = {k}")
        for audience in (INTERNAL, EXTERNAL):
            print(f"\nAudience: {audience}")
            print(report(conn, f, Policy(k=k, audience=audience)).to_string(index=False, float_format="%.3f"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
