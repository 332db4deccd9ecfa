"""What the map shows: incident density per grid cell (never single incidents) and area values."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, and_, case, func, or_, select

from lagesbild.domain.geo import CELL_SIZE_M
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.filters import Filters, area_ids, category_conditions
from lagesbild.queries.frames import frame
from lagesbild.calendar import whole_weeks
from lagesbild.queries.cell_columns import COLUMNS as CELL_COLUMNS, cell_columns
from lagesbild.queries.incidents import _day, row_limit
from lagesbild.store.models import Category, Incident

cat_t, inc_t = Category.__table__, Incident.__table__
CELL_SIZES = (CELL_SIZE_M, 500, 1000, 2000, 5000)


def _finest(conn: Connection, f: Filters) -> pd.DataFrame:
    """Events per 250 m cell of exactly f's dates, a cell's parts in different areas summed (the
    cell is published as a whole), ordered by cell: its whole ISO weeks from the map's mart as held
    in memory (lagesbild.queries.cell_columns), the days before and after them (none for the named
    periods) from the incident rows with a cell."""
    # The person-related category ids and the chosen categories, read first: the rows then need
    # no join.
    person = conn.execute(select(cat_t.c.id).where(cat_t.c.sensitivity == "person")).scalars().all()
    conditions = category_conditions(f, cat_t.c.id)
    categories = conn.execute(select(cat_t.c.id).where(*conditions)).scalars().all() if conditions else None
    ids = area_ids(conn, f.areas)
    core, edges = whole_weeks(f.start, f.end)
    parts = []
    if core:
        parts.append(cell_columns(conn).cells(core[0], core[1], ids, categories, f.sources, person))
    if edges:
        days = or_(*[and_(inc_t.c.occurred_at >= _day(a), inc_t.c.occurred_at < _day(b + dt.timedelta(days=1)))
                     for a, b in edges])
        e, north = inc_t.c.cell_e.label("cell_e"), inc_t.c.cell_n.label("cell_n")
        q = (select(e, north, func.sum(inc_t.c["count"]).label("n"), func.sum(inc_t.c.rkey).label(KEY_COLUMN),
                    func.max(case((inc_t.c.category_id.in_(person), 1), else_=0)).label("sensitive"))
             .where(days, inc_t.c.cell_e.is_not(None), inc_t.c.cell_n.is_not(None),
                    *category_conditions(f, inc_t.c.category_id))
             .group_by(e, north))
        if ids is not None:
            q = q.where(inc_t.c.area_id.in_(ids))
        if f.sources:
            q = q.where(inc_t.c.source.in_(f.sources))
        parts.append(frame(conn.execute(q), CELL_COLUMNS).astype({"n": "int64", KEY_COLUMN: "int64",
                                                                   "sensitive": bool}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(CELL_COLUMNS, ["int64"] * 4 + [bool])})
    if len(parts) == 1:
        return parts[0]
    return (pd.concat(parts, ignore_index=True)
            .groupby(["cell_e", "cell_n"], as_index=False, sort=True)
            .agg(n=("n", "sum"), **{KEY_COLUMN: (KEY_COLUMN, "sum")}, sensitive=("sensitive", "max")))


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
