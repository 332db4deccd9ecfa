"""Swedish labels for the codes the queries return (areas, categories, periods, vocabularies)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, select

from lagesbild import formatting as fmt
from lagesbild.domain.vocab import AGE_GROUPS, FOCUS_AREAS, PLACE_TYPES, PYRAMID_LEVELS, SOURCES, STRATEGIC_AREAS
from lagesbild.store.models import Area, Category


def _quarter(value) -> str:
    year, q = divmod(int(value), 10)
    return f"kv{q} {year}"


def labeller(conn: Connection) -> dict[str, callable]:
    """A function per dimension that turns a stored value into its Swedish label."""
    area_names = dict(conn.execute(select(Area.id, Area.name)).all())
    cat_names = dict(conn.execute(select(Category.code, Category.name)).all())
    return {
        "kommundel": lambda v: area_names.get(v, str(v)),
        "omrade": lambda v: area_names.get(v, str(v)),
        "area_id": lambda v: area_names.get(v, str(v)),
        "category": lambda v: cat_names.get(v, v),
        "strategic_area": lambda v: STRATEGIC_AREAS.get(v, v),
        "focus_area": lambda v: FOCUS_AREAS.get(v, v),
        "source": lambda v: SOURCES.get(v, v),
        "pyramid_level": lambda v: "Utanför pyramiden" if pd.isna(v) else PYRAMID_LEVELS.get(int(v), str(v)),
        "week": lambda v: fmt.week_label(v) if isinstance(v, dt.date) else str(v),
        "month": lambda v: fmt.month_label(v) if isinstance(v, dt.date) else str(v),
        "quarter": _quarter,
        "year": lambda v: str(int(v)),
        "place_type": lambda v: PLACE_TYPES.get(v, v),
        "age_group": lambda v: AGE_GROUPS.get(v, v),
    }


def label_columns(conn: Connection, df: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """A copy with `<dim>_label` beside each dimension column."""
    funcs = labeller(conn)
    out = df.copy()
    for d in dims:
        out[f"{d}_label"] = [funcs[d](v) for v in out[d]]
    return out


def labeller_static(areas: pd.DataFrame) -> dict:
    """Area id -> name from an area frame (no database needed)."""
    return dict(zip(areas["id"], areas["name"]))
