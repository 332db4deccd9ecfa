"""The incident rows held in memory (lagesbild.queries.facts), on both backends: the map's cells
summed from them equal SQL's GROUP BY over the incident rows, and the copy stays in step with the
store after an import (only the weeks it touched read again), a refused import, a rebuild, and
another store at the same address."""
from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest
from sqlalchemy import case, func, select

from lagesbild.privacy import KEY_COLUMN
from lagesbild.queries import incidents, maps
from lagesbild.queries.facts import Facts, facts
from lagesbild.queries.filters import Filters, area_ids, category_conditions
from lagesbild.errors import InputError
from lagesbild.store.check import rebuild_marts
from lagesbild.store.models import Category, ChangedWeeks, Incident
from tests.inline_store import EXACT
from tests.test_loaders_support import csv_bytes, run

D = dt.date
HEAD = "Id;Tidpunkt;Kategori;Område;E;N"
cat_t, inc_t, changed_t = Category.__table__, Incident.__table__, ChangedWeeks.__table__


def sql_cells(conn, f: Filters, first: D, last: D) -> pd.DataFrame:
    """The oracle: the incident rows of the weeks first..last (Mondays) grouped by cell in SQL."""
    person = case((inc_t.c.category_id.in_(select(cat_t.c.id).where(cat_t.c.sensitivity == "person")), 1),
                  else_=0)
    q = (select(inc_t.c.cell_e, inc_t.c.cell_n, func.sum(inc_t.c["count"]), func.sum(inc_t.c.rkey), func.max(person))
         .where(inc_t.c.occurred_at >= first, inc_t.c.occurred_at < last + dt.timedelta(days=7),
                inc_t.c.cell_e.is_not(None), inc_t.c.cell_n.is_not(None),
                *category_conditions(f, inc_t.c.category_id))
         .group_by(inc_t.c.cell_e, inc_t.c.cell_n).order_by(inc_t.c.cell_e, inc_t.c.cell_n))
    ids = area_ids(conn, f.areas)
    if ids is not None:
        q = q.where(inc_t.c.area_id.in_(ids))
    if f.sources:
        q = q.where(inc_t.c.source.in_(f.sources))
    return pd.DataFrame([tuple(r) for r in conn.execute(q)], columns=["cell_e", "cell_n", "n", KEY_COLUMN, "sensitive"]
                        ).astype({"cell_e": "int64", "cell_n": "int64", "n": "int64", KEY_COLUMN: "int64",
                                  "sensitive": bool})


def copy_cells(conn, f: Filters, first: D, last: D) -> pd.DataFrame:
    return maps._finest(conn, Filters(first, last + dt.timedelta(days=6), f.areas, f.sources, f.strategic_areas,
                                      f.focus_areas, f.categories))


def test_the_map_sums_the_same_cells_as_sql_over_the_incident_rows(demo_engine):
    with demo_engine.connect() as conn:
        areas = [r[0] for r in conn.exec_driver_sql("SELECT code FROM areas ORDER BY id LIMIT 4")]
        focus = conn.exec_driver_sql("SELECT MIN(focus_area) FROM category_focus").scalar()
        sources = [r[0] for r in conn.exec_driver_sql("SELECT DISTINCT source FROM mart_incident_combo ORDER BY 1")]
        last = D(2026, 11, 9)  # the demo's last complete week (DEMO_TODAY 2026-11-18)
        weeks = [(last - dt.timedelta(weeks=w - 1), last) for w in (1, 4, 13, 52, 156)]
        choices = [Filters(last, last), Filters(last, last, areas=(areas[1],)),
                   Filters(last, last, areas=tuple(areas[:3]), sources=(sources[0],)),
                   Filters(last, last, strategic_areas=("våldsförebyggande",)),
                   Filters(last, last, focus_areas=(focus,), sources=tuple(sources[:2])),
                   Filters(last, last, sources=("ingen sådan källa",))]
        compared = 0
        for (first, end), f in itertools.product(weeks, choices):
            expected = sql_cells(conn, f, first, end)
            got = copy_cells(conn, f, first, end)
            pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
            compared += len(expected)
    assert compared > 1000  # the demo store has cells in most of these


def _file(first_id: int, day: str, n: int, e: int = 662100) -> bytes:
    return csv_bytes([HEAD] + [f"{first_id + i};{day} 1{i % 10}:00;Misshandel;Fittja;{e};6570800" for i in range(n)])


def test_the_copy_follows_imports_rebuilds_and_a_new_store(empty_engine):
    f = Filters(D(2024, 1, 1), D(2024, 12, 29))  # whole weeks: W01–W52 of 2024
    run(empty_engine, "incidents", "a.csv", _file(1, "2024-03-05", 6), source="polis")
    run(empty_engine, "incidents", "b.csv", _file(100, "2024-06-11", 3, e=663000), source="polis")
    run(empty_engine, "incidents", "c.csv", _file(1000, "2024-09-10", 30, e=664000), source="polis")
    with empty_engine.connect() as conn:
        copy = facts(conn)
        assert {(r.cell_e, r.n) for r in maps.density(conn, f, EXACT).itertuples()} == {(662000, 6), (664000, 30)}
        assert copy.size() == 39 and (copy.full_reads, copy.import_reads) == (1, 0)
    # An import adds its own rows: nothing else is read again.
    run(empty_engine, "incidents", "d.csv", _file(200, "2024-06-12", 2, e=663000), source="polis")
    with empty_engine.connect() as conn:
        cells = {(r.cell_e, r.n) for r in maps.density(conn, f, EXACT).itertuples()}
        assert cells == {(662000, 6), (663000, 5), (664000, 30)}
        assert facts(conn) is copy and (copy.full_reads, copy.import_reads) == (1, 1) and copy.size() == 41
    run(empty_engine, "incidents", "e.csv", _file(300, "2024-09-11", 1, e=664000), source="polis")
    with empty_engine.connect() as conn:
        cells = {(r.cell_e, r.n) for r in maps.density(conn, f, EXACT).itertuples()}
        assert cells == {(662000, 6), (663000, 5), (664000, 31)}
        assert copy.size() == 42 and (copy.full_reads, copy.import_reads, copy.week_reads) == (1, 2, 0)
        # Read twice (a whole read that saw the import commit before its log row): counted once.
        last = copy.applied
        copy.applied = tuple(conn.execute(select(changed_t.c.id, changed_t.c.token)
                                          .where(changed_t.c.id < last[0]).order_by(changed_t.c.id.desc())).first())
        assert {(r.cell_e, r.n) for r in maps.density(conn, f, EXACT).itertuples()} == cells
        assert copy.size() == 42 and copy.import_reads == 3 and copy.applied == last
    # A refused file changes nothing, and reads nothing again.
    with pytest.raises(InputError):
        run(empty_engine, "incidents", "f.csv", csv_bytes([HEAD, "400;inte ett datum;Misshandel;Fittja;662100;6570800"]),
            source="polis")
    with empty_engine.connect() as conn:
        assert {(r.cell_e, r.n) for r in maps.density(conn, f, EXACT).itertuples()} == cells
        assert (copy.full_reads, copy.import_reads) == (1, 3)
    # A rebuild reads every incident again and gives the same cells.
    rebuild_marts(empty_engine)
    with empty_engine.connect() as conn:
        assert {(r.cell_e, r.n) for r in maps.density(conn, f, EXACT).itertuples()} == cells
        assert copy.full_reads == 2 and copy.size() == 42


def test_another_store_at_the_same_address_is_read_anew(empty_engine):
    """A copy that applied another store's change log reads everything again: a log whose last
    applied row is missing or has another token is not this copy's."""
    run(empty_engine, "incidents", "a.csv", _file(1, "2024-03-05", 6), source="polis")
    f = Filters(D(2024, 3, 4), D(2024, 3, 10))
    with empty_engine.connect() as conn:
        copy = Facts()
        copy.applied = (10_000, "a token of another store")  # as if it had read another store's log
        copy.refresh(conn)  # (and held nothing in that week)
        assert int(copy.rows(f.start, f.end).count.sum()) == 6 and copy.applied[0] < 10_000
        copy.applied = (copy.applied[0], "another token")
        copy.refresh(conn)
        assert copy.full_reads == 2 and int(copy.rows(f.start, f.end).count.sum()) == 6


@pytest.mark.parametrize("by", [(), ("omrade",), ("place_type", "strategic_area")])
def test_overlapping_periods_each_count_their_own_days(demo_engine, by):
    """Days that two periods share count in both (the old day table put each incident row in the
    first period whose days held it, so a later period lost the shared days)."""
    periods = [(D(2026, 10, 15), D(2026, 11, 11)), (D(2026, 11, 11), D(2026, 11, 13)), (D(2026, 11, 1), D(2026, 11, 13))]
    with demo_engine.connect() as conn:
        table = incidents.period_counts(conn, Filters(*periods[0]), periods, by).table
        for i, (a, b) in enumerate(periods):
            expected = conn.execute(select(func.coalesce(func.sum(inc_t.c["count"]), 0))
                                    .where(inc_t.c.occurred_at >= a, inc_t.c.occurred_at < b + dt.timedelta(days=1))
                                    ).scalar()
            assert int(table[f"n{i}"].sum()) == expected > 0


def test_a_store_without_incidents_holds_an_empty_copy(empty_engine):
    f = Filters(D(2024, 1, 1), D(2024, 12, 31))
    with empty_engine.connect() as conn:
        assert facts(conn).size() == 0
        assert maps.density(conn, f, EXACT).empty
        assert incidents.raw_counts(conn, f, ("place_type",)).empty
