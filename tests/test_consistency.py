"""Every page counts the same incidents for the same selection (issue 12, "one period rule").

For each selection the total of incidents is taken as each page gets it — Översikt (its per
strategic area metrics), Utforska (the breakdown's totals), Trender (the sum of the series by week,
month and quarter), Karta (the sum of all cells), Veckobriefing (one week), Våldspyramiden (the
levels) — and compared with the incidents of exactly the selection's dates, counted here from the
incident rows with pandas (an oracle that shares no code with the queries). The noise is switched off
and k is 1, so every published value is the true count and equality is exact; one test checks the
published values with the real policy against the true ones (at most the noise bound apart).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text

from lagesbild.privacy import PerturbationTable, Policy
from lagesbild.queries import compare, explore, maps, trends
from lagesbild.queries.filters import Filters
from tests.conftest import DEMO_TODAY

NO_NOISE = PerturbationTable(noise=(0,), probabilities=(1.0,))
EXACT = Policy(k=1, ptable=NO_NOISE)  # every published value is the true count, nothing is "<k"

END = dt.date(2026, 11, 15)  # the last complete week before DEMO_TODAY (a Sunday)
YEAR = Filters(END - dt.timedelta(weeks=52, days=-1), END)
SELECTIONS = {
    "52 veckor": YEAR,
    "4 veckor": Filters(END - dt.timedelta(weeks=4, days=-1), END),
    "anpassad mitt i månader": Filters(dt.date(2026, 3, 11), dt.date(2026, 5, 20)),
    "hittills i år": Filters(dt.date(2026, 1, 1), END),
    "Fittja 52 veckor": Filters(YEAR.start, END, areas=("0127K2",)),
    "Fittja anpassad": Filters(dt.date(2026, 2, 18), dt.date(2026, 9, 2), areas=("0127K2",)),
    "källa polis": Filters(YEAR.start, END, sources=("polis",)),
    "strategiskt område": Filters(dt.date(2026, 3, 11), dt.date(2026, 5, 20), strategic_areas=("våldsförebyggande",)),
    "kategori": Filters(YEAR.start, END, categories=("misshandel", "klotter")),
}


@pytest.fixture(scope="module")
def store_rows(request):
    """The incident rows with what the filters need, read once per backend."""
    return {}


def _rows(engine, cache) -> pd.DataFrame:
    key = engine.url.render_as_string()
    if key not in cache:
        with engine.connect() as conn:
            rows = pd.read_sql(text("SELECT i.occurred_at, i.source, i.count, i.cell_e, i.area_id, a.code AS area, "
                                    "p.code AS parent, c.code AS category, c.strategic_area, c.pyramid_level "
                                    "FROM incidents i JOIN areas a ON a.id = i.area_id "
                                    "LEFT JOIN areas p ON p.id = a.parent_id "
                                    "JOIN categories c ON c.id = i.category_id"), conn)
        rows["day"] = pd.to_datetime(rows["occurred_at"], format="ISO8601").dt.date
        cache[key] = rows
    return cache[key]


def truth(rows: pd.DataFrame, f: Filters, with_cell: bool = False) -> int:
    """Incidents of exactly f's dates, areas, sources and categories."""
    keep = (rows["day"] >= f.start) & (rows["day"] <= f.end)
    if f.areas:
        keep &= rows["area"].isin(f.areas) | rows["parent"].isin(f.areas)
    if f.sources:
        keep &= rows["source"].isin(f.sources)
    if f.strategic_areas:
        keep &= rows["strategic_area"].isin(f.strategic_areas)
    if f.categories:
        keep &= rows["category"].isin(f.categories)
    if with_cell:
        keep &= rows["cell_e"].notna()
    return int(rows.loc[keep, "count"].sum())


def page_totals(conn, f: Filters, policy: Policy) -> dict[str, float]:
    """Each page's total of incidents for the selection f, as the page's queries give it."""
    first, _ = _data_range(conn)
    _, total, _ = compare.overview(conn, f, "kommundel", policy, first)
    out = {"Översikt": total["n"].sum()}
    out["Utforska"] = explore.explore(conn, f, ["strategic_area"], ["source"], policy).totals["n"].sum()
    for grain in ("week", "month", "quarter"):
        out[f"Trender {grain}"] = trends.series(conn, f, grain, None, "count", policy)["n"].sum()
        out[f"Trender {grain} per område"] = trends.series(conn, f, grain, "strategic_area", "count", policy)["n"].sum()
    cells = maps.density(conn, f, policy)
    out["Karta"] = cells["n"].sum()
    return out


def _data_range(conn):
    from lagesbild.queries.incidents import data_range
    return data_range(conn)


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_every_page_counts_the_same_incidents(demo_engine, store_rows, name):
    f = SELECTIONS[name]
    rows = _rows(demo_engine, store_rows)
    want, with_cell = truth(rows, f), truth(rows, f, with_cell=True)
    assert want > 0
    with demo_engine.connect() as conn:
        got = page_totals(conn, f, EXACT)
    located = got.pop("Karta")
    assert located == with_cell, f"Karta: {located} of {with_cell} incidents with a place"
    assert got == {page: want for page in got}, name


@pytest.mark.parametrize("name", ["52 veckor", "Fittja 52 veckor", "kategori"])
def test_the_briefing_week_is_the_same_week_on_every_page(demo_engine, store_rows, name):
    week = SELECTIONS[name].with_period(END - dt.timedelta(days=6), END)
    rows = _rows(demo_engine, store_rows)
    with demo_engine.connect() as conn:
        first, _ = _data_range(conn)
        briefing, _ = compare.briefing(conn, week, EXACT, first, 12)
        got = page_totals(conn, week, EXACT)
    got.pop("Karta")
    assert briefing.table["n"].sum() == truth(rows, week)
    assert got == {page: truth(rows, week) for page in got}


@pytest.mark.parametrize("name", ["52 veckor", "anpassad mitt i månader", "Fittja anpassad"])
def test_the_pyramid_counts_the_incidents_of_its_levels(demo_engine, store_rows, name):
    f = SELECTIONS[name]
    rows = _rows(demo_engine, store_rows)
    leveled = rows[rows["pyramid_level"].notna()]
    with demo_engine.connect() as conn:
        levels = compare.pyramid(conn, f, EXACT)
        by_area = compare.pyramid_by_area(conn, f, EXACT)
    assert levels["n"].sum() == truth(leveled, f) == by_area["n"].sum()


def test_published_totals_are_within_the_noise_of_the_true_ones(demo_engine):
    """With the real policy each published value of a page lies at most the noise bound from the
    true value of the same cell (or is shown as "<k")."""
    policy = Policy()
    bound = policy.ptable.max_deviation
    f = SELECTIONS["Fittja anpassad"]
    with demo_engine.connect() as conn:
        first, _ = _data_range(conn)
        pairs = [(compare.overview(conn, f, "kommundel", p, first)[1] for p in (policy, EXACT)),
                 (trends.series(conn, f, "month", "strategic_area", "count", p) for p in (policy, EXACT)),
                 (maps.density(conn, f, p).set_index(["cell_e", "cell_n"]) for p in (policy, EXACT))]
        published, true = zip(*[tuple(pair) for pair in pairs])
    for shown, exact in zip(published, true):
        joined = shown[["n"]].join(exact[["n"]].rename(columns={"n": "n_true"})) \
            if isinstance(shown.index, pd.MultiIndex) else shown[["n"]].assign(n_true=exact["n"].to_numpy())
        visible = joined.dropna()
        assert len(visible) > 0
        assert (visible["n"] - visible["n_true"]).abs().max() <= bound
    # The totals a reader adds up differ by at most the bound per part.
    assert abs(published[0]["n"].sum() - true[0]["n"].sum()) <= bound * published[0]["n"].notna().sum()


def test_the_demo_anchor_is_the_week_the_selections_end():
    assert END == DEMO_TODAY - dt.timedelta(days=DEMO_TODAY.weekday() + 1)
