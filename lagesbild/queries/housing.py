"""Housing figures per area and period beside the incident rates of the same areas."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, func, select

from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.filters import Filters, area_ids
from lagesbild.queries.frames import frame
from lagesbild.queries.incidents import raw_counts
from lagesbild.store.models import Area, HousingFigure

h_t, areas_t = HousingFigure.__table__, Area.__table__
MEASURES = {"apartments": "Lägenheter", "vacant": "Vakanta", "moves_out": "Avflyttningar",
            "disturbance_cases": "Störningsärenden", "damage": "Skadegörelse", "evictions": "Vräkningar"}


def housing(conn: Connection, f: Filters, level: str, policy: Policy | None = None) -> pd.DataFrame:
    """Sums per area (kommundel or område) and period, with rates per 100 apartments."""
    area_col = (func.coalesce(areas_t.c.kommundel_id, areas_t.c.id) if level == "kommundel"
                else h_t.c.area_id).label("area_id")
    q = (select(area_col, h_t.c.period_start, h_t.c.period_kind,
                *[func.sum(h_t.c[m]).label(m) for m in MEASURES], func.sum(h_t.c.rkey).label(KEY_COLUMN))
         .select_from(h_t.join(areas_t, areas_t.c.id == h_t.c.area_id))
         .where(h_t.c.period_end >= f.start, h_t.c.period_start <= f.end)  # periods overlapping
         .group_by(area_col, h_t.c.period_start, h_t.c.period_kind)
         .order_by(h_t.c.period_start))
    ids = area_ids(conn, f.areas)
    if ids is not None:
        q = q.where(h_t.c.area_id.in_(ids))
    df = frame(conn.execute(q), ["area_id", "period_start", "period_kind", *MEASURES, KEY_COLUMN])
    if df.empty:
        return df.drop(columns=[KEY_COLUMN])
    names = dict(conn.execute(select(areas_t.c.id, areas_t.c.name)).all())
    df["area"] = df["area_id"].map(names)
    apartments = df["apartments"].where(df["apartments"] > 0)
    for m in ("vacant", "moves_out", "disturbance_cases", "damage", "evictions"):
        df[f"{m}_per_100"] = df[m] / apartments * 100
    # Evictions concern households: person-related, published like any other such count (the cell
    # key is the sum of the record keys of the housing rows summed into the figure).
    shown = publish(df.assign(n=df["evictions"], sensitive=True), policy or Policy())
    df = df.drop(columns=[KEY_COLUMN])
    df["evictions"] = shown["n"].to_numpy()
    df["evictions_label"] = shown["n_label"].to_numpy()
    df["evictions_per_100"] = df["evictions"] / apartments * 100
    return df


def latest_signals(conn: Connection, f: Filters, level: str, policy: Policy | None = None) -> pd.DataFrame:
    """The latest period per area against the same period a year earlier (for the briefing)."""
    df = housing(conn, f.with_period(f.end.replace(year=f.end.year - 2, day=1), f.end), level, policy)
    if df.empty:
        return df
    latest = df["period_start"].max()
    now = df[df.period_start == latest]
    before = df[df.period_start == latest.replace(year=latest.year - 1)]
    out = now.merge(before[["area_id", "disturbance_cases", "damage", "moves_out"]],
                    on="area_id", how="left", suffixes=("", "_ly"))
    out.attrs["period_start"] = latest
    return out.sort_values("disturbance_cases_per_100", ascending=False).reset_index(drop=True)


def incident_rates(conn: Connection, f: Filters, level: str, policy: Policy) -> pd.DataFrame:
    """Incidents per 1 000 inhabitants per area and quarter, for beside the housing figures."""
    from lagesbild.queries.areas import population
    raw = raw_counts(conn, f, (level, "quarter"))
    if raw.empty:
        return publish(raw, policy)
    shown = publish(raw, policy)
    pops = {y: population(conn, y) for y in {q // 10 for q in shown["quarter"]}}
    shown["rate"] = [n / pops[q // 10].get(a, float("nan")) * 1000
                     for n, a, q in zip(shown["n"], shown[level], shown["quarter"])]
    return shown.rename(columns={level: "area_id"})
