"""The naive page: the same numbers computed by loading the incident rows into pandas and
aggregating there (what a page does without the query layer and its aggregate tables).

Each function loads what its page needs with plain SELECTs (no WHERE, no GROUP BY) and returns
the page's main numbers; the time of one call is the naive page's time (rendering not included,
so the naive numbers are a lower bound).
"""
from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
from sqlalchemy import Engine

END = dt.date(2026, 11, 15)
START = END - dt.timedelta(weeks=52, days=-1)


def _incidents(engine: Engine, extra: str = "") -> pd.DataFrame:
    cols = "occurred_at, area_id, category_id, source, count" + extra
    df = pd.read_sql(f"SELECT {cols} FROM incidents", engine)
    df["day"] = pd.to_datetime(df.pop("occurred_at"), format="ISO8601").dt.normalize()
    return df


def _ref(engine: Engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    areas = pd.read_sql("SELECT id, code, name, level, kommundel_id FROM areas", engine)
    cats = pd.read_sql("SELECT id, code, strategic_area, pyramid_level, sensitivity FROM categories", engine)
    return areas, cats


def _enrich(df, areas, cats):
    kd = areas.set_index("id")["kommundel_id"].fillna(areas.set_index("id").index.to_series())
    df = df.merge(cats.rename(columns={"id": "category_id"}), on="category_id", how="left")
    df["kommundel"] = df["area_id"].map(kd)
    return df


def _between(df, start, end):
    return df[(df["day"] >= pd.Timestamp(start)) & (df["day"] <= pd.Timestamp(end))]


def oversikt(engine):
    areas, cats = _ref(engine)
    df = _enrich(_incidents(engine), areas, cats)
    out = {}
    for name, shift in (("now", 0), ("prev", 364), ("ly", 364)):
        part = _between(df, START - dt.timedelta(days=shift), END - dt.timedelta(days=shift))
        out[name] = (part.groupby("kommundel")["count"].sum(), part.groupby("strategic_area")["count"].sum())
    base = _between(df, START - dt.timedelta(weeks=52 * 8), START - dt.timedelta(days=1))
    now = _between(df, START, END).groupby(["kommundel", "category_id"])["count"].sum()
    expected = base.groupby(["kommundel", "category_id"])["count"].sum() / 8
    out["flags"] = (now - expected.reindex(now.index).fillna(0)).abs().nlargest(8)
    return out


def veckobriefing(engine):
    areas, cats = _ref(engine)
    df = _enrich(_incidents(engine), areas, cats)
    week = END - dt.timedelta(days=6)
    now = _between(df, week, END)
    base = _between(df, week - dt.timedelta(weeks=12), week - dt.timedelta(days=1))
    by_strategy = now.groupby("strategic_area")["count"].sum(), base.groupby("strategic_area")["count"].sum() / 12
    cells = now.groupby(["area_id", "category_id"])["count"].sum()
    heat = now.pivot_table(index="kommundel", columns="strategic_area", values="count", aggfunc="sum")
    return by_strategy, cells, heat


def trender(engine):
    areas, cats = _ref(engine)
    df = _enrich(_incidents(engine), areas, cats)
    part = _between(df, START.replace(day=1, year=START.year - 1), END)
    series = part.groupby([part["day"].dt.to_period("M"), "strategic_area"])["count"].sum().unstack()
    yoy = {y: _between(df, dt.date(y, 1, 1), END.replace(year=y)).groupby("strategic_area")["count"].sum()
           for y in range(END.year - 3, END.year + 1)}
    return series.rolling(3).mean(), yoy


def karta(engine):
    df = _incidents(engine, ", cell_e, cell_n")
    part = _between(df, START.replace(day=1), END).dropna(subset=["cell_e"])
    cells = part.groupby(["area_id", "cell_e", "cell_n"])["count"].sum()
    if len(cells) > 5000:
        part = part.assign(cell_e=part["cell_e"] // 500 * 500, cell_n=part["cell_n"] // 500 * 500)
        cells = part.groupby(["area_id", "cell_e", "cell_n"])["count"].sum()
    return cells


def pyramiden(engine):
    areas, cats = _ref(engine)
    df = _enrich(_incidents(engine), areas, cats)
    part = _between(df, START, END).dropna(subset=["pyramid_level"])
    return part.groupby("pyramid_level")["count"].sum(), \
        part.pivot_table(index="kommundel", columns="pyramid_level", values="count", aggfunc="sum")


def vandringar(engine):
    obs = pd.read_sql("SELECT o.*, w.walked_on FROM observations o JOIN safety_walks w ON w.id = o.walk_id", engine)
    obs["walked_on"] = pd.to_datetime(obs["walked_on"])
    part = obs[(obs["walked_on"] >= pd.Timestamp(START)) & (obs["walked_on"] <= pd.Timestamp(END))]
    status = part.groupby(["category", "status"]).size().unstack(fill_value=0)
    fixed = part[part["status"] == "åtgärdad"]
    days = (pd.to_datetime(fixed["fixed_on"]) - fixed["walked_on"]).dt.days
    return status, days.median()


def boende(engine):
    areas, cats = _ref(engine)
    housing = pd.read_sql("SELECT * FROM housing_figures", engine)
    df = _enrich(_incidents(engine), areas, cats)
    part = _between(df, START, END)
    per_q = part.groupby(["kommundel", part["day"].dt.to_period("Q")])["count"].sum()
    return housing.groupby("area_id")[["disturbance_cases", "apartments"]].sum(), per_q


def utforska(engine):
    areas, cats = _ref(engine)
    df = _enrich(_incidents(engine), areas, cats)
    part = _between(df, START, END)
    return part.pivot_table(index="kommundel", columns="strategic_area", values="count", aggfunc="sum")


def datakallor(engine):
    df = _incidents(engine)
    return df.groupby("source").agg(n=("count", "size"), first=("day", "min"), last=("day", "max"))


PAGES = {"oversikt": oversikt, "veckobriefing": veckobriefing, "trender": trender, "karta": karta,
         "pyramiden": pyramiden, "vandringar": vandringar, "boende": boende, "utforska": utforska,
         "datakallor": datakallor}


def run(engine: Engine, reps: int = 1) -> dict[str, list[float]]:
    """Seconds per naive page, `reps` times each."""
    out = {}
    for page, fn in PAGES.items():
        times = []
        for _ in range(reps):
            started = time.perf_counter()
            fn(engine)
            times.append(time.perf_counter() - started)
        out[page] = times
    return out


__all__ = ["run", "PAGES", "np"]
