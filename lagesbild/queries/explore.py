"""The analysts' explorer: any rows × columns breakdown, published cell by cell.

Reshaping for the page and writing files are not done here: the table, the chart and the files
are built in lagesbild.pageviews.utforska and written by lagesbild.exports.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.filters import Filters
from lagesbild.queries.incidents import QueryError, raw_counts
from lagesbild.queries.labels import label_columns


@dataclass(frozen=True)
class Breakdown:
    long: pd.DataFrame    # one row per cell, sorted by the dimensions' codes: dims, <dim>_label, n (NaN where hidden), n_label, suppressed
    totals: pd.DataFrame  # one row per row key: <row>_label, n, n_label (published as a cell of its own)


def explore(conn: Connection, f: Filters, rows: list[str], cols: list[str], policy: Policy) -> Breakdown:
    """The breakdown, published cell by cell, with Swedish labels and row totals (each total a
    published cell of its own: parts need not add up to it)."""
    if not rows:
        raise QueryError("Välj minst en indelning för raderna.")
    if set(rows) & set(cols):
        raise QueryError("Samma indelning kan inte vara både rad och kolumn.")
    by = tuple(rows + cols)
    raw = raw_counts(conn, f, by)
    shown = label_columns(conn, publish(raw, policy), list(by))
    totals = raw.groupby(rows, sort=False, dropna=False).agg(
        n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")}, sensitive=("sensitive", "max"))
    totals = label_columns(conn, publish(totals.reset_index(), policy), rows)
    return Breakdown(shown, totals[[f"{r}_label" for r in rows] + ["n", "n_label"]])
