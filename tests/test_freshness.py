"""Honest freshness with a fixed today: stale sources and undelivered periods are said, on both
backends, in the status, in the pages' warnings and in the trend series."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lagesbild import freshness
from loaders.fetch import state
from loaders.kinds import Options
from loaders.pipeline import run_import
from loaders.source import SourceFile

APP = str(Path(__file__).resolve().parents[1] / "app.py")
BYGGEN = ("Datum;Tid;Kategori;Område\n2026-11-09;21:30;Klotter;Fittja\n2026-11-12;07:05;Klotter;Alby\n"
          "2026-11-15;23:00;Störningsärende;Hallunda\n")  # the last day with data: Sunday of v. 46 2026


def import_byggen(engine) -> None:
    run_import(engine, "incidents", SourceFile("byggen_v46.csv", BYGGEN.encode()), Options(source="botkyrkabyggen"))


def by_stream(statuses) -> dict:
    return {s.cadence.stream: s for s in statuses}


def test_a_week_not_delivered_is_said_not_read_as_a_drop(empty_engine):
    import_byggen(empty_engine)
    with empty_engine.connect() as conn:
        on_time = by_stream(freshness.stream_status(conn, dt.date(2026, 11, 18)))["botkyrkabyggen"]
        late = by_stream(freshness.stream_status(conn, dt.date(2026, 11, 25)))["botkyrkabyggen"]
        stale = by_stream(freshness.stream_status(conn, dt.date(2026, 12, 9)))["botkyrkabyggen"]
    assert on_time.last_data == dt.date(2026, 11, 15) and not on_time.missing and not on_time.stale
    assert late.missing == [dt.date(2026, 11, 16)] and not late.stale
    assert late.messages() == ["Botkyrkabyggen har inte levererat v.\u00a047 2026: siffrorna för den perioden "
                               "är ofullständiga, inte en nedgång."]
    assert stale.stale and stale.missing_label == "v.\u00a047 2026 – v.\u00a049 2026"


def test_the_police_feed_is_fresh_when_fetched_even_without_new_events(empty_engine, reference_data):
    run_import(empty_engine, "polisen", SourceFile("b.json", (reference_data / "polisen_events_botkyrka.json").read_bytes()),
               Options(source="polis"))
    today = dt.date(2026, 8, 26)  # the last Botkyrka event was published 2026-08-12
    with empty_engine.connect() as conn:
        before = by_stream(freshness.stream_status(conn, today))["polis"]
    state.write(empty_engine, "polisen", attempt=dt.datetime(2026, 8, 26, 7, 0), ok=True, message="", calls="")
    with empty_engine.connect() as conn:
        after = by_stream(freshness.stream_status(conn, today))["polis"]
    assert before.stale and before.missing_label == "v.\u00a034 2026"
    assert not after.stale and after.missing == [] and after.last_data == dt.date(2026, 8, 16)


@pytest.mark.parametrize("through, today, period, expected", [
    (dt.date(2026, 11, 15), dt.date(2026, 11, 16), "week", []),
    (dt.date(2026, 11, 15), dt.date(2026, 11, 23), "week", [dt.date(2026, 11, 16)]),
    (dt.date(2026, 9, 30), dt.date(2026, 12, 31), "quarter", []),
    (dt.date(2026, 9, 30), dt.date(2027, 1, 1), "quarter", [dt.date(2026, 10, 1)]),
    (None, dt.date(2027, 1, 1), "week", []),
])
def test_missing_periods(through, today, period, expected):
    assert freshness.missing_periods(through, today, period) == expected


def test_undelivered_periods_are_drawn_apart_in_trends():
    series = pd.DataFrame({"period": [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)],
                           "partial": [False, False, True]})
    marked = freshness.mark_undelivered(series, "month", dt.date(2026, 10, 15))
    assert marked["partial"].tolist() == [False, True, True]


@pytest.mark.parametrize("today, warned", [("2026-11-18", False), ("2026-11-25", True)])
def test_pages_warn_when_a_source_is_late(tmp_path, monkeypatch, today, warned):
    from lagesbild.setup import ensure_database
    from lagesbild.store.engine import make_engine
    url = f"sqlite:///{tmp_path / 'real.db'}"
    engine = make_engine(url)
    ensure_database(engine, demo=False)
    import_byggen(engine)
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LAGESBILD_TODAY", today)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for page in ("views/veckobriefing.py", "views/trender.py"):
        at.switch_page(page)
        at.run()
        assert not at.exception
        texts = " ".join(w.value for w in at.warning)
        assert ("Botkyrkabyggen har inte levererat v.\u00a047 2026" in texts) is warned, (page, texts)


def test_on_demo_data_every_source_was_delivered_by_the_demo_import_and_nothing_alarms(demo_engine):
    """The demo is one import without a source: its time is each source's last delivery, and the
    status says demo data instead of "Inaktuell" (nothing is watched on generated data)."""
    from sqlalchemy import select

    from lagesbild import demo_marker
    from lagesbild.store.models import ImportLog
    with demo_engine.connect() as conn:
        at = conn.execute(select(ImportLog.imported_at).where(ImportLog.kind == demo_marker.KIND)).scalar_one()
        statuses = freshness.stream_status(conn, dt.date(2027, 6, 1))  # long after the demo's data end
    assert statuses and all(s.demo and s.last_delivery == at for s in statuses)
    table = freshness.freshness_table(statuses)
    from lagesbild.calendar import local_time
    assert set(table["Senast importerad/hämtad"]) == {local_time(at)}  # stored UTC, shown Swedish time
    assert set(table["Status"]) == {"Demodata: bevakas inte"}


def test_real_data_still_say_stale(empty_engine):
    import_byggen(empty_engine)
    with empty_engine.connect() as conn:
        table = freshness.freshness_table(freshness.stream_status(conn, dt.date(2026, 12, 9)))
    assert table.loc[0, "Status"] == "Inaktuell" and table.loc[0, "Senast importerad/hämtad"] != "–"


def test_each_source_holds_what_its_incident_rows_say(demo_engine):
    """Datakällor's events, first and last week per source (read from the weekly mart's running
    totals and its key) equal a plain count of the incident rows, on both backends."""
    from sqlalchemy import case, func, select

    from lagesbild.calendar import monday
    from lagesbild.privacy import Policy
    from lagesbild.queries import imports
    from lagesbild.store.models import Category, Incident
    inc, cat = Incident.__table__, Category.__table__
    with demo_engine.connect() as conn:
        held = imports.freshness(conn, Policy(k=5))
        raw = conn.execute(imports._per_source()).all()
        rows = conn.execute(select(inc.c.source, func.count(), func.sum(inc.c.rkey), func.min(inc.c.occurred_at),
                                   func.max(inc.c.occurred_at), func.max(case((cat.c.sensitivity == "person", 1), else_=0)))
                            .join(cat, cat.c.id == inc.c.category_id).group_by(inc.c.source)
                            .order_by(inc.c.source)).all()
    assert len(rows) >= 3
    assert [(s, n, k, bool(p), f, last) for s, n, k, p, f, last in raw] == [
        (s, n, k, bool(p), monday(first.date()), monday(last.date())) for s, n, k, first, last, p in rows]
    assert list(held["source"]) == [r[0] for r in rows]
    assert set(held.columns) == {"source", "n_label", "first", "last"}
