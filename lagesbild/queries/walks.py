"""Safety walks and their observations: status, time to fix, what is due or overdue.

Observations describe places, not people, so their counts are shown exactly.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, and_, case, func, select

from lagesbild.queries.filters import Filters, area_ids
from lagesbild.queries.frames import frame
from lagesbild.store.models import Area, Observation, SafetyWalk

obs_t, walk_t, areas_t = Observation.__table__, SafetyWalk.__table__, Area.__table__
OPEN = ("ny", "planerad")
GROUPS = {"category": obs_t.c.category, "area": areas_t.c.name,
          "responsible_actor": obs_t.c.responsible_actor}


def _base(conn: Connection, f: Filters):
    j = obs_t.join(walk_t, walk_t.c.id == obs_t.c.walk_id).join(areas_t, areas_t.c.id == obs_t.c.area_id)
    conds = [walk_t.c.walked_on >= f.start, walk_t.c.walked_on <= f.end]
    ids = area_ids(conn, f.areas)
    if ids is not None:
        conds.append(obs_t.c.area_id.in_(ids))
    return j, conds


def _overdue(today: dt.date):
    return and_(obs_t.c.status.in_(OPEN), obs_t.c.deadline < today)


def status_by(conn: Connection, f: Filters, group: str, today: dt.date) -> pd.DataFrame:
    """Per group: open, fixed, rejected, overdue and total observations of walks in the period."""
    j, conds = _base(conn, f)
    col = GROUPS[group].label(group)
    q = (select(col,
                func.sum(case((obs_t.c.status.in_(OPEN), 1), else_=0)).label("open"),
                func.sum(case((obs_t.c.status == "åtgärdad", 1), else_=0)).label("fixed"),
                func.sum(case((obs_t.c.status == "avslagen", 1), else_=0)).label("rejected"),
                func.sum(case((_overdue(today), 1), else_=0)).label("overdue"),
                func.count().label("total"))
         .select_from(j).where(*conds).group_by(col).order_by(func.count().desc(), col))
    return frame(conn.execute(q), [group, "open", "fixed", "rejected", "overdue", "total"])


def time_to_fix(conn: Connection, f: Filters) -> pd.DataFrame:
    """Fixed observations: days from walk to fix and whether the deadline held (one row each)."""
    j, conds = _base(conn, f)
    q = (select(walk_t.c.walked_on, obs_t.c.fixed_on, obs_t.c.deadline, obs_t.c.category)
         .select_from(j).where(*conds, obs_t.c.status == "åtgärdad", obs_t.c.fixed_on.is_not(None))
         .limit(20_000))
    df = frame(conn.execute(q), ["walked_on", "fixed_on", "deadline", "category"])
    if df.empty:
        return df.assign(days=pd.Series(dtype="int64"), in_time=pd.Series(dtype=bool))
    df["days"] = [(b - a).days for a, b in zip(df.walked_on, df.fixed_on)]
    df["in_time"] = [d is None or b <= d for b, d in zip(df.fixed_on, df.deadline)]
    return df


@dataclass(frozen=True)
class WalkKpis:
    """The headline numbers of the safety walks in a selection (counts of walks and observations:
    not person-related, shown exactly)."""
    walks: int
    observations: int
    open: int
    overdue: int
    fixed: int
    median_days: float | None   # days from walk to fix, over the fixed observations
    share_in_time: float | None  # share of the fixed observations fixed by their deadline


def kpis(conn: Connection, f: Filters, today: dt.date) -> WalkKpis:
    """Headline numbers: walks, observations, open, overdue, median days to fix, share in time."""
    j, conds = _base(conn, f)
    walks, total, open_, overdue = conn.execute(
        select(func.count(func.distinct(walk_t.c.id)), func.count(),
               func.sum(case((obs_t.c.status.in_(OPEN), 1), else_=0)),
               func.sum(case((_overdue(today), 1), else_=0))).select_from(j).where(*conds)).one()
    fixes = time_to_fix(conn, f)
    return WalkKpis(walks or 0, total or 0, open_ or 0, overdue or 0, len(fixes),
                    float(fixes["days"].median()) if len(fixes) else None,
                    float(fixes["in_time"].mean()) if len(fixes) else None)


def action_list(conn: Connection, f: Filters, today: dt.date, which: str, all_walks: bool = False,
                limit: int = 500) -> pd.DataFrame:
    """Observations that are 'overdue', 'due' (deadline within 14 days) or 'new' and open.

    Walks in the period, or with `all_walks` every walk up to the period's end (the briefing's view).
    """
    j, conds = _base(conn, f.with_period(dt.date(1900, 1, 1), f.end) if all_walks else f)
    cond = {"overdue": _overdue(today),
            "due": and_(obs_t.c.status.in_(OPEN), obs_t.c.deadline >= today,
                        obs_t.c.deadline <= today + dt.timedelta(days=14)),
            "new": obs_t.c.status.in_(OPEN)}[which]
    q = (select(areas_t.c.name.label("area"), walk_t.c.walked_on, obs_t.c.category,
                obs_t.c.description, obs_t.c.proposed_action, obs_t.c.responsible_actor,
                obs_t.c.priority, obs_t.c.deadline, obs_t.c.status)
         .select_from(j).where(*conds, cond).order_by(obs_t.c.deadline, areas_t.c.name, obs_t.c.id).limit(limit))  # id: a stable order of ties
    df = frame(conn.execute(q), ["area", "walked_on", "category", "description",
                                                      "proposed_action", "responsible_actor",
                                                      "priority", "deadline", "status"])
    df["days_overdue"] = [(today - d).days if d is not None and d < today else 0 for d in df.deadline]
    return df


def overdue_by_actor(conn: Connection, f: Filters, today: dt.date) -> pd.DataFrame:
    """Open observations per responsible actor: overdue, due within 14 days, new in the period."""
    j, conds_all = _base(conn, f.with_period(dt.date(1900, 1, 1), f.end))
    q = (select(obs_t.c.responsible_actor,
                func.sum(case((_overdue(today), 1), else_=0)).label("overdue"),
                func.sum(case((and_(obs_t.c.status.in_(OPEN), obs_t.c.deadline >= today,
                                    obs_t.c.deadline <= today + dt.timedelta(days=14)), 1), else_=0)).label("due"),
                func.sum(case((and_(obs_t.c.status.in_(OPEN), walk_t.c.walked_on >= f.start), 1), else_=0)).label("new"))
         .select_from(j).where(*conds_all).group_by(obs_t.c.responsible_actor)
         .order_by(obs_t.c.responsible_actor))
    df = frame(conn.execute(q), ["responsible_actor", "overdue", "due", "new"])
    return df[(df[["overdue", "due", "new"]].sum(axis=1)) > 0].reset_index(drop=True)


def observation_cells(conn: Connection, f: Filters, today: dt.date) -> pd.DataFrame:
    """Observations per 250 m cell and status group (open / overdue / fixed) for the map."""
    j, conds = _base(conn, f)
    status = case((_overdue(today), "försenad"), (obs_t.c.status.in_(OPEN), "öppen"),
                  (obs_t.c.status == "åtgärdad", "åtgärdad"), else_="avslagen").label("status")
    q = (select(obs_t.c.cell_e, obs_t.c.cell_n, status, func.count().label("n"))
         .select_from(j).where(*conds, obs_t.c.cell_e.is_not(None))
         .group_by(obs_t.c.cell_e, obs_t.c.cell_n, status))
    return frame(conn.execute(q), ["cell_e", "cell_n", "status", "n"])
