"""The query layer against values computed independently from the incident rows (both backends)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.conftest import with_calendar_columns
from sqlalchemy import select

from lagesbild.privacy import Policy, published_values
from lagesbild.queries import compare, explore, incidents, maps, trends
from lagesbild.queries.filters import Filters
from lagesbild.queries.incidents import QueryError
from lagesbild.store.models import Area, Category, CategoryFocus, Incident

YEAR = Filters(dt.date(2025, 11, 17), dt.date(2026, 11, 15))
WEEK = Filters(dt.date(2026, 11, 9), dt.date(2026, 11, 15))


@pytest.fixture
def rows(demo_engine):
    """Every demo incident with its category and area attributes, read straight from the table."""
    with demo_engine.connect() as conn:
        inc = pd.DataFrame(conn.execute(select(Incident.occurred_at,
                                               Incident.source, Incident.count, Incident.area_id,
                                               Category.code, Category.strategic_area, Category.sensitivity,
                                               Incident.rkey)
                                        .join(Category, Category.id == Incident.category_id)).all(),
                           columns=["occurred_at", "source", "count", "area_id",
                                    "category", "strategic_area", "sensitivity", "rkey"])
        inc = with_calendar_columns(inc)
        areas = pd.DataFrame(conn.execute(select(Area.id, Area.kommundel_id)).all(), columns=["area_id", "kommundel"])
        focus = pd.DataFrame(conn.execute(select(CategoryFocus.category_id, Category.code, CategoryFocus.focus_area)
                                          .join(Category, Category.id == CategoryFocus.category_id)).all(),
                             columns=["category_id", "category", "focus_area"])
    inc = inc.merge(areas, on="area_id")
    inc["kommundel"] = inc["kommundel"].fillna(inc["area_id"])
    return inc, focus


def _in(df, f: Filters):
    return df[(df.week_start >= f.start - dt.timedelta(days=f.start.weekday())) & (df.week_start <= f.end)]


def test_counts_by_kommundel_and_strategic_area(demo_engine, rows):
    inc, _ = rows
    expected = _in(inc, YEAR).groupby(["kommundel", "strategic_area"])["count"].sum()
    with demo_engine.connect() as conn:
        got = incidents.raw_counts(conn, YEAR, ("kommundel", "strategic_area")).set_index(["kommundel", "strategic_area"])["n"]
    assert got.to_dict() == expected.to_dict()


def test_focus_area_filter_and_source_filter(demo_engine, rows):
    inc, focus = rows
    cats = set(focus[focus.focus_area == "barn och unga"].category)
    sel = _in(inc, YEAR)
    expected = sel[sel.category.isin(cats) & (sel.source == "kommun")]["count"].sum()
    f = Filters(YEAR.start, YEAR.end, focus_areas=("barn och unga",), sources=("kommun",))
    with demo_engine.connect() as conn:
        got = incidents.raw_counts(conn, f, ())
    assert int(got.loc[0, "n"]) == expected


def test_area_filter_includes_the_omraden_of_a_kommundel(demo_engine, rows):
    inc, _ = rows
    with demo_engine.connect() as conn:
        fittja_id = conn.execute(select(Area.id).where(Area.code == "0127K2")).scalar()
        got = incidents.raw_counts(conn, Filters(YEAR.start, YEAR.end, areas=("0127K2",)), ())
    assert int(got.loc[0, "n"]) == _in(inc, YEAR).query("kommundel == @fittja_id")["count"].sum()


def test_month_grain_totals(demo_engine, rows):
    inc, _ = rows
    f = Filters(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    sel = inc[(inc.month_start >= f.start) & (inc.month_start <= f.end)]
    with demo_engine.connect() as conn:
        got = incidents.raw_counts(conn, f, ("month",)).set_index("month")["n"]
    assert got.to_dict() == sel.groupby("month_start")["count"].sum().to_dict()


def test_week_and_place_type_cannot_be_combined(demo_engine):
    with demo_engine.connect() as conn, pytest.raises(QueryError, match="Vecka kan inte kombineras"):
        incidents.raw_counts(conn, YEAR, ("week", "place_type"))


def test_area_summary_rates_and_suppression(demo_engine, rows):
    inc, _ = rows
    with demo_engine.connect() as conn:
        summary = compare.area_summary(conn, WEEK, "kommundel", Policy(k=5))
    week = _in(inc, WEEK).assign(person=lambda d: d.sensitivity == "person").groupby("kommundel") \
        .agg(n=("count", "sum"), ksum=("rkey", "sum"), person=("person", "max"))
    value, small = published_values(week["n"], week["ksum"], week["person"], Policy(k=5))
    expected = pd.Series(value, index=week.index)
    shown = summary.dropna(subset=["n"]).set_index("area_id")
    assert len(shown) == 6
    for area_id, row in shown.iterrows():
        # The published value: the cell key is the sum of the record keys of the kommundel's week.
        assert row["n"] == expected.get(area_id, 0)
        assert abs(row["n"] - week["n"].get(area_id, 0)) <= Policy().ptable.max_deviation
        assert row["rate"] == pytest.approx(row["n"] / row["population"] * 1000)
    assert set(summary["name"]) == {"Alby", "Fittja", "Hallunda-Norsborg", "Tullinge", "Tumba", "Vårsta-Grödinge"}


def test_the_injected_signals_stand_out_in_the_last_week(demo_engine):
    with demo_engine.connect() as conn:
        flags = compare.unusual(conn, WEEK, "omrade", Policy(), dt.date(2023, 1, 2), 12)
        names = dict(conn.execute(select(Area.id, Area.name)).all())
    found = {(names[a], c) for a, c in zip(flags.cells.area_id, flags.cells.category)}
    assert {("Norsborg", "brand_fordon"), ("Hallunda", "ungdomsvald")} <= found
    assert flags.baseline.periods == 12 and flags.baseline.weeks == 1
    assert flags.baseline.start == WEEK.start - dt.timedelta(weeks=12)


def test_map_table_and_chart_agree(demo_engine):
    """One truth: the map's cells, the overview table and the explorer give the same place-bound total."""
    f = Filters(dt.date(2026, 1, 1), dt.date(2026, 10, 31), strategic_areas=("brottsförebyggande",))
    with demo_engine.connect() as conn:
        cells = maps.density(conn, f, Policy())
        monthly = incidents.counts(conn, f, ("month",), Policy())
        b = explore.explore(conn, f, ["year"], [], Policy())
    # brottsförebyggande holds only place-bound categories: nothing is hidden anywhere
    assert not cells["suppressed"].any()
    assert cells["n"].sum() == monthly["n"].sum() == b.long["n"].sum()


def test_series_last_year_line_is_last_years_value(demo_engine):
    f = Filters(dt.date(2026, 1, 1), dt.date(2026, 10, 31))
    with demo_engine.connect() as conn:
        s = trends.series(conn, f, "month", "strategic_area", "count", Policy())
        ly = incidents.counts(conn, Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31)), ("strategic_area",),
                              Policy(), grain="month")
    march = s[(s.period == dt.date(2026, 3, 1))].set_index("split")["value_ly"]
    assert march.to_dict() == ly.set_index("strategic_area")["n"].to_dict()
    assert len(s) == 10 * 4 and not s["partial"].any()


def test_explorer_download_is_exactly_the_table(demo_engine):
    f = Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    with demo_engine.connect() as conn:
        b = explore.explore(conn, f, ["kommundel"], ["age_group"], Policy())
    from lagesbild.exports import csv_file
    from lagesbild.pageviews import utforska
    view = utforska.build(b, ["kommundel"], ["age_group"], Policy(), utforska.LONG, "okt 2026",
                          (f.start, f.end), True, "import 1")
    export = view.export.table
    assert len(export) == len(b.long)
    assert list(export.columns) == ["Kommundel", "Åldersgrupp", "Antal", "Skyddat"]
    csv = csv_file(view.export).decode("utf-8-sig").split("\n\n", 1)[1].splitlines()
    assert csv[0] == "Kommundel;Åldersgrupp;Antal;Skyddat" and len(csv) == len(export) + 1


@pytest.mark.parametrize("by", [("kommundel",), ("strategic_area",), ("omrade", "category"), ("focus_area",),
                                ("pyramid_level",), ("month",), ("week",)])
def test_several_periods_in_one_query_equal_one_query_each(demo_engine, by):
    """raw_counts_periods gives, period by period, exactly what raw_counts gives (rows, order, flags)."""
    f = Filters(YEAR.start, YEAR.end, sources=("polis", "kommun"))
    week = [(WEEK.start, WEEK.end), (WEEK.start - dt.timedelta(weeks=12), WEEK.start - dt.timedelta(days=1))]
    three = [(f.start, f.end), (f.previous_period().start, f.previous_period().end),
             (f.same_period_last_year().start, f.same_period_last_year().end)]
    years = [(dt.date(y, 1, 1), dt.date(y, 11, 15)) for y in (2023, 2024, 2025, 2026)]
    # Weeks apart (read as the weekly rows of just those weeks) and a trend's periods (the partial
    # months of a selection, the months before it and a year earlier: one mart query for all).
    apart = [(WEEK.start - dt.timedelta(weeks=w), WEEK.end - dt.timedelta(weeks=w)) for w in (0, 5, 52)]
    trend = trends._periods(Filters(WEEK.start - dt.timedelta(weeks=51), WEEK.end), "month")
    with demo_engine.connect() as conn:
        for periods in (week, three, years, apart, trend):
            got = incidents.raw_counts_periods(conn, f, periods, by)
            for (start, end), df in zip(periods, got):
                want = incidents.raw_counts(conn, f.with_period(start, end), by)
                pd.testing.assert_frame_equal(df.reset_index(drop=True), want, check_dtype=False)


@pytest.mark.parametrize("level", ["kommundel", "omrade"])
def test_overview_equals_its_three_queries(demo_engine, level):
    """Översikt's one query gives exactly area_summary, compare_periods and unusual."""
    first = dt.date(2023, 11, 20)
    for f in (YEAR, WEEK, Filters(dt.date(2026, 8, 17), YEAR.end, strategic_areas=("våldsförebyggande",))):
        with demo_engine.connect() as conn:
            summary, total, flags = compare.overview(conn, f, level, Policy(), first)
            pd.testing.assert_frame_equal(summary, compare.area_summary(conn, f, level, Policy()))
            pd.testing.assert_frame_equal(total, compare.compare_periods(conn, f, "strategic_area", Policy()))
            want = compare.unusual(conn, f, level, Policy(), first)
            pd.testing.assert_frame_equal(flags.cells, want.cells)
            assert (flags.baseline, flags.tested) == (want.baseline, want.tested)
            assert summary.attrs == compare.area_summary(conn, f, level, Policy()).attrs


def test_briefing_equals_its_two_queries(demo_engine):
    """Veckobriefing's one query gives exactly week_vs_baseline and unusual (and falls back to them)."""
    for first in (dt.date(2023, 11, 20), WEEK.start - dt.timedelta(weeks=5)):
        for f in (WEEK, Filters(WEEK.start, WEEK.end, sources=("polis",))):
            with demo_engine.connect() as conn:
                week, flags = compare.briefing(conn, f, Policy(), first, 12)
                want = compare.week_vs_baseline(conn, f, "strategic_area", Policy(), 12)
                pd.testing.assert_frame_equal(week.table, want.table)
                assert week.baseline == want.baseline
                want = compare.unusual(conn, f, "omrade", Policy(), first, 12)
                pd.testing.assert_frame_equal(flags.cells, want.cells)
                assert (flags.baseline, flags.tested) == (want.baseline, want.tested)
