"""The fast paths the county-scale bench needed give exactly what the slow paths give."""
from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from loaders import anonymise
from loaders.errors import UnreadableFile
from loaders.kinds import Options
from loaders.pipeline import run_import
from loaders.readers import frame_from_rows
from loaders.readers.csvfile import _simple_frame, csv_rows
from loaders.source import SourceFile
from loaders.values import Collector, parse_datetime
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test

CSV_TEXTS = [
    "a;b;c\n1;2;3\n4;5;6\n",
    "\n\n a ; b ;c;;\n 1; 2 ;3;;\n;;;;\n4;5;6;;\n",
    "a,b\n1,2",
    "Id;Tidpunkt\nx;\u00a0y\u00a0\n",
    "a\tb\n1\t2\n",
    "Å;ä\nö;é\n€;x\n",
    "a;b\n1;2\n\n",
]
FALLBACK_TEXTS = ["a;b\n1;2;3\n", "a;b\n1\n", "a;b\n1;2\n\n3;4\n", 'a;b\n"1;2";3\n', "a;b\r\n1;2\r\n"]


@pytest.mark.parametrize("content", CSV_TEXTS)
def test_simple_csv_path_gives_the_frame_of_the_csv_module(content):
    fast, slow = _simple_frame("f.csv", content), frame_from_rows("f.csv", csv_rows(content))
    pd.testing.assert_frame_equal(fast, slow)
    assert list(fast.index) == list(slow.index) and fast.index.name == slow.index.name


@pytest.mark.parametrize("content", FALLBACK_TEXTS)
def test_irregular_csv_goes_the_slow_way(content):
    assert _simple_frame("f.csv", content) is None


def test_duplicate_header_is_refused_on_the_fast_path_too():
    with pytest.raises(UnreadableFile):
        _simple_frame("f.csv", "a;a\n1;2\n")


@pytest.mark.parametrize("value", ["19811218-9876", "811218+9876", "anna@x.se", "070-123 45 67",
                                   "+46 70 1234567", "Storgatan 12", "Anna Svensson", "Ågatan\u00a012",
                                   "Lars\u2003Ek", "ring 0046(8)1234567"])
def test_personal_data_is_always_a_candidate(value):
    assert anonymise.classify(value)
    assert value in set(anonymise._candidates(pd.Series([value] + [f"K{i}" for i in range(3000)])))


def test_gate_reports_every_row_holding_a_hit():
    gate = pd.DataFrame({"Beskrivning": ["ok", "Anna Svensson", "ok", "Anna Svensson"]}, index=[2, 3, 4, 5])
    with pytest.raises(anonymise.PersonalDataFound) as exc:
        anonymise.check("f.csv", gate)
    assert [p.row for p in exc.value.problems] == [3, 5]


def test_datetime_column_matches_parse_datetime():
    values = ["2024-03-05 14:30", "2024-03-05T14:30", "2024-03-05", "2024-02-30 10:00", "2024-03-05 9:30",
              "1999-12-31", "2999-01-01", "x", "20240305", "2024-03-05 24:00", "2024-02-29", "2023-04-31"]
    series = pd.Series(values, index=range(2, 2 + len(values)), dtype=object)
    fast, slow = Collector("f"), Collector("f")
    got = fast.convert_datetimes(series, "Tid")
    want = slow.convert(series, parse_datetime, "Tid")
    assert [None if pd.isna(v) else v.to_pydatetime() for v in got] == list(want)
    assert fast.problems == slow.problems


def _marts(conn) -> dict:
    out = {}
    for table in ("mart_incident_week", "mart_incident_month_total", "mart_incident_combo"):
        out[table] = sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {table}")).all())
    return out


def _marts_equal_a_refresh(engine) -> dict:
    """The marts as the imports left them, checked against a rebuild from the incidents."""
    from lagesbild.store.marts import refresh_marts
    with engine.connect() as conn:
        added = _marts(conn)
        refresh_marts(conn)
        assert _marts(conn) == added
        conn.rollback()
    return added


def test_marts_added_per_import_equal_a_full_refresh(empty_engine):
    head = "Id;Tidpunkt;Kategori;Område;E;N\n"
    first = head + "1;2024-03-05 14:30;Misshandel;Fittja;;\n2;2024-03-06 10:00;Rån;Alby;;\n"
    second = head + "2;2024-03-06 10:00;Rån;Alby;;\n3;2024-04-01 22:00;Misshandel;Fittja;;\n"
    third = head + "4;2024-05-02 09:00;Misshandel;Fittja;;\n"  # only later weeks: appended with totals
    for name, content in (("a.csv", first), ("b.csv", second), ("c.csv", third)):
        run_import(empty_engine, "incidents", SourceFile(name, content.encode()), Options(source="polis"))
    added = _marts_equal_a_refresh(empty_engine)
    assert sum(r[-4] for r in added["mart_incident_week"]) == 4  # (…, n, cum, ksum, kcum)
    # Running totals: Misshandel in Fittja 1, 2, 3 over its three weeks; Rån in Alby 1.
    assert sorted(r[-3] for r in added["mart_incident_week"]) == [1, 1, 2, 3]


@pytest.mark.parametrize("by", [(), ("kommundel",), ("omrade", "category"), ("strategic_area", "source"),
                                ("focus_area",), ("pyramid_level", "kommundel")])
def test_running_totals_give_the_sums_of_the_weeks(demo_engine, by):
    """A period's counts (its whole weeks from two running totals, its edge days from the incident
    rows) equal the sum of the incidents of exactly its dates."""
    import datetime as dt
    from sqlalchemy import func, select
    from lagesbild.queries import incidents as q
    from lagesbild.queries.filters import Filters
    from lagesbild.store.models import Incident
    w = Incident.__table__
    periods = [Filters(dt.date(2025, 11, 17), dt.date(2026, 11, 15)),
               Filters(dt.date(2026, 3, 4), dt.date(2026, 5, 20), areas=("0127K1",), sources=("polis",)),
               Filters(dt.date(2020, 1, 1), dt.date(2030, 1, 1), strategic_areas=("våldsförebyggande",))]
    with demo_engine.connect() as conn:
        for f in periods:
            got = q.raw_counts(conn, f, by)
            t = w
            joined = t.join(q.cat_t, q.cat_t.c.id == t.c.category_id).join(q.areas_t, q.areas_t.c.id == t.c.area_id)
            if "focus_area" in by:
                joined = joined.join(q.focus_t, q.focus_t.c.category_id == t.c.category_id)
            cols = [q._dim_column(d, t, "week").label(d) for d in by]
            direct = select(*cols, func.sum(t.c["count"]), func.sum(t.c.rkey)).select_from(joined).where(
                t.c.occurred_at >= f.start, t.c.occurred_at < f.end + dt.timedelta(days=1),
                *q.category_conditions(f, t.c.category_id))
            ids = q.area_ids(conn, f.areas)
            if ids is not None:
                direct = direct.where(t.c.area_id.in_(ids))
            if f.sources:
                direct = direct.where(t.c.source.in_(f.sources))
            if cols:
                direct = direct.group_by(*cols)
            want = {tuple(r[:-2]): tuple(r[-2:]) for r in conn.execute(direct).all() if r[-2]}
            key = lambda values: tuple(None if pd.isna(v) else v for v in values)  # noqa: E731
            # (events, key sum) per key: the key sums come through the running totals unchanged.
            assert {key(r[:-3]): tuple(r[-3:-1]) for r in got.itertuples(index=False)} == \
                {key(k): v for k, v in want.items()}


def test_duplicate_keys_inside_one_file_are_counted_once(empty_engine):
    head = "Id;Tidpunkt;Kategori;Område;E;N\n"
    content = head + "7;2024-03-05 14:30;Misshandel;Fittja;;\n7;2024-03-05 14:30;Misshandel;Fittja;;\n" \
                     "8;2024-03-06 10:00;Rån;Alby;;\n"
    result = run_import(empty_engine, "incidents", SourceFile("d.csv", content.encode()), Options(source="polis"))
    assert (result.stored.inserted, result.stored.duplicates) == (2, 1)
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT SUM(n) FROM mart_incident_week")).scalar() == 2
        assert conn.execute(text("SELECT SUM(n) FROM mart_incident_month_total")).scalar() == 2


def test_several_files_in_one_go_equal_one_at_a_time(empty_engine, tmp_path):
    """loaders.batch prepares the next file in a second thread: the store ends up as when each
    file is imported on its own, a refused file is reported and the others are stored."""
    from lagesbild.errors import InputError
    from loaders.batch import import_files
    head = "Id;Tidpunkt;Kategori;Område;E;N\n"
    files = {"a.csv": head + "1;2024-03-05 14:30;Misshandel;Fittja;662100;6570800\n",
             "bad.csv": head + "2;2099-01-01 10:00;Rån;Alby;;\n",
             "b.csv": head + "1;2024-03-05 14:30;Misshandel;Fittja;662100;6570800\n3;2024-04-01 22:00;Rån;Alby;;\n"}
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    outcomes = import_files(empty_engine, "incidents", [tmp_path / n for n in files], Options(source="polis"))
    assert [type(o).__name__ for o in outcomes] == ["ImportResult", "FileRefused", "ImportResult"]
    assert isinstance(outcomes[1], InputError) and "framtiden" in str(outcomes[1].problems[0])
    assert [(o.stored.inserted, o.stored.duplicates) for o in (outcomes[0], outcomes[2])] == [(1, 0), (1, 1)]
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM imports ORDER BY id")).scalars().all() == ["ok", "refused", "ok"]
    _marts_equal_a_refresh(empty_engine)


def test_refusals_keep_their_problems_across_processes():
    import pickle
    from lagesbild.errors import Problem
    from loaders.errors import PersonalDataFound
    error = PersonalDataFound([Problem("f.csv", 3, "Beskrivning", "xxx", "Personnummer")])
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is PersonalDataFound and copy.problems == error.problems and str(copy) == str(error)


def test_a_file_adding_to_stored_weeks_keeps_the_running_totals(empty_engine):
    """New events in weeks that are already stored (and before later stored weeks) of the same
    area and category: the weekly counts and every later running total change."""
    head = "Id;Tidpunkt;Kategori;Område;E;N\n"
    first = head + "1;2024-03-05 14:30;Misshandel;Fittja;;\n2;2024-03-20 10:00;Misshandel;Fittja;;\n"
    second = head + "3;2024-03-06 09:00;Misshandel;Fittja;;\n4;2024-02-01 09:00;Misshandel;Fittja;;\n"
    for name, content in (("a.csv", first), ("b.csv", second)):
        run_import(empty_engine, "incidents", SourceFile(name, content.encode()), Options(source="polis"))
    added = _marts_equal_a_refresh(empty_engine)
    assert [r[-4:-2] for r in added["mart_incident_week"]] == [(1, 1), (2, 3), (1, 4)]  # (n, cum) by week
    # Key sums: each week's ksum is the sum of its incidents' record keys, kcum their running total.
    with empty_engine.connect() as conn:
        keys = conn.execute(text("SELECT natural_key, rkey FROM incidents")).all()
    weekly = [r[-2] for r in added["mart_incident_week"]]
    assert sum(weekly) == sum(k for _, k in keys) and added["mart_incident_week"][-1][-1] == sum(weekly)
