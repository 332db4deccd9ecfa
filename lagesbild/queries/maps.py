"""What the map shows: incident density per grid cell (never single incidents) and area values."""
from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from lagesbild.domain.geo import CELL_SIZE_M
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.filters import Filters, area_ids, category_ids
from lagesbild.queries.facts import NO_CELL, facts
from lagesbild.queries.incidents import row_limit
from lagesbild.store.models import Category

cat_t = Category.__table__
CELL_COLUMNS = ["cell_e", "cell_n", "n", KEY_COLUMN, "sensitive"]
CELL_SIZES = (CELL_SIZE_M, 500, 1000, 2000, 5000)


def _finest(conn: Connection, f: Filters) -> pd.DataFrame:
    """Events per 250 m cell of exactly f's dates, a cell's parts in different areas summed (the
    cell is published as a whole), ordered by cell: summed from the incident rows as held in
    memory (lagesbild.queries.facts)."""
    # The person-related category ids and the chosen categories, read first: the rows then need
    # no join.
    person = conn.execute(select(cat_t.c.id).where(cat_t.c.sensitivity == "person")).scalars().all()
    categories = category_ids(conn, f)
    copy = facts(conn)
    rows = copy.rows(f.start, f.end)
    keep = (rows.cell_e != NO_CELL) & (rows.cell_n != NO_CELL) & copy.chosen(rows, area_ids(conn, f.areas),
                                                                               categories, f.sources)
    cell_e, cell_n = rows.cell_e[keep], rows.cell_n[keep]
    if not len(cell_e):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(CELL_COLUMNS, ["int64"] * 4 + [bool])})
    order = np.lexsort((cell_n, cell_e))
    cell_e, cell_n = cell_e[order], cell_n[order]
    starts = np.flatnonzero(np.concatenate(([True], (cell_e[1:] != cell_e[:-1]) | (cell_n[1:] != cell_n[:-1]))))
    person_rows = np.isin(rows.category[keep], np.asarray(person, dtype=np.int32))[order]
    return pd.DataFrame({"cell_e": cell_e[starts].astype(np.int64), "cell_n": cell_n[starts].astype(np.int64),
                         "n": np.add.reduceat(rows.count[keep][order].astype(np.int64), starts),
                         KEY_COLUMN: np.add.reduceat(rows.rkey[keep][order], starts),
                         "sensitive": np.maximum.reduceat(person_rows, starts)})


def _coarsen(finest: pd.DataFrame, size: int) -> pd.DataFrame:
    """Cells of `size` metres summed from the 250 m cells, ordered by cell."""
    if size == CELL_SIZE_M or finest.empty:
        return finest.sort_values(["cell_e", "cell_n"], kind="stable").reset_index(drop=True)
    coarse = finest.assign(cell_e=finest["cell_e"] // size * size, cell_n=finest["cell_n"] // size * size)
    return (coarse.groupby(["cell_e", "cell_n"], as_index=False, sort=True)
            .agg(n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")}, sensitive=("sensitive", "max")))


def density(conn: Connection, f: Filters, policy: Policy) -> pd.DataFrame:
    """Published events per cell for exactly the period's dates; the finest grid under
    row_limit() cells. A cell's parts in different areas are summed first, then the cell is
    published as a whole. Cells shown as "<k" are left out altogether: even a grey square would
    tell where a few person-related events took place. attrs: cell_size (metres).
    """
    finest = _finest(conn, f)
    for size in CELL_SIZES:  # coarser grids summed from the finest one, not queried again
        cells = _coarsen(finest, size)
        if len(cells) <= row_limit():
            break
    if cells.empty:
        out = pd.DataFrame(columns=["cell_e", "cell_n", "n", "n_label", "suppressed"])
        out.attrs["cell_size"] = size
        return out
    cells = publish(cells.astype({"n": "int64", KEY_COLUMN: "int64", "sensitive": bool}), policy).drop(columns=["sensitive"])
    cells = cells[~cells["suppressed"]].reset_index(drop=True)
    cells.attrs["cell_size"] = size
    return cells
