"""What the map shows: incident density per grid cell (never single incidents) and area values."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, and_, case, func, or_, select, union_all

from lagesbild.domain.geo import CELL_SIZE_M
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.filters import Filters, area_ids, category_conditions
from lagesbild.queries.frames import frame
from lagesbild.calendar import whole_weeks
from lagesbild.queries.incidents import _day, row_limit
from lagesbild.store.models import Category, Incident, MartIncidentCell

cell_t, cat_t, inc_t = MartIncidentCell.__table__, Category.__table__, Incident.__table__
CELL_SIZES = (CELL_SIZE_M, 500, 1000, 2000, 5000)


def _cells_query(conn: Connection, f: Filters, size: int):
    """Events per cell of exactly f's dates, its parts in different areas summed (the cell is
    published as a whole): its whole ISO weeks from mart_incident_cell, the days before and after
    them (none for the named periods) from the incident rows (with a cell). One query (UNION ALL
    when there are such days)."""
    # The person-related category ids, read first: the mart then needs no join per row (a quarter
    # of the query's time on PostgreSQL for a year of the county, about 230 000 rows).
    person = conn.execute(select(cat_t.c.id).where(cat_t.c.sensitivity == "person")).scalars().all()
    ids = area_ids(conn, f.areas)
    core, edges = whole_weeks(f.start, f.end)
    parts = []
    if core:
        parts.append(_cells_part(f, cell_t, [cell_t.c.week_start >= core[0], cell_t.c.week_start <= core[1]],
                                 cell_t.c.n, cell_t.c.ksum, ids, person, size))
    if edges:
        days = or_(*[and_(inc_t.c.occurred_at >= _day(a), inc_t.c.occurred_at < _day(b + dt.timedelta(days=1)))
                     for a, b in edges])
        parts.append(_cells_part(f, inc_t, [days, inc_t.c.cell_e.is_not(None), inc_t.c.cell_n.is_not(None)],
                                 inc_t.c["count"], inc_t.c.rkey, ids, person, size))
    if len(parts) == 1:
        return parts[0]
    both = union_all(*parts).subquery("cells")
    return (select(both.c.cell_e, both.c.cell_n, func.sum(both.c.n).label("n"),
                   func.sum(both.c[KEY_COLUMN]).label(KEY_COLUMN), func.max(both.c.sensitive).label("sensitive"))
            .group_by(both.c.cell_e, both.c.cell_n))


def _cells_part(f: Filters, t, dates: list, n, ksum, ids, person, size: int):
    e = (t.c.cell_e // size) * size if size != CELL_SIZE_M else t.c.cell_e
    north = (t.c.cell_n // size) * size if size != CELL_SIZE_M else t.c.cell_n
    e, north = e.label("cell_e"), north.label("cell_n")
    sensitive = func.max(case((t.c.category_id.in_(person), 1), else_=0)).label("sensitive")
    q = (select(e, north, func.sum(n).label("n"), func.sum(ksum).label(KEY_COLUMN), sensitive)
         .where(*dates, *category_conditions(f, t.c.category_id))
         .group_by(e, north))
    if ids is not None:
        q = q.where(t.c.area_id.in_(ids))
    if f.sources:
        q = q.where(t.c.source.in_(f.sources))
    return q


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
    finest = frame(conn.execute(_cells_query(conn, f, CELL_SIZE_M)), ["cell_e", "cell_n", "n", KEY_COLUMN, "sensitive"])
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
