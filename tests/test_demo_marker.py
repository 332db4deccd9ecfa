"""The demo marker and the seeding policy (lagesbild.demo_marker), on both backends."""
from __future__ import annotations

from lagesbild import demo_marker
from lagesbild.store.models import ImportLog
from tests.test_loaders_support import csv_bytes, run


def test_the_seeding_policy(empty_engine):
    sqlite = empty_engine.dialect.name == "sqlite"
    assert demo_marker.wanted(empty_engine) is sqlite  # only an embedded store gets the demo unasked
    assert demo_marker.wanted(empty_engine, True) is True and demo_marker.wanted(empty_engine, False) is False


def test_the_marker_is_the_demo_import(empty_engine):
    with empty_engine.connect() as conn:
        assert not demo_marker.holds_demo(conn) and demo_marker.imports(conn) == []
    run(empty_engine, "incidents", "a.csv", csv_bytes(["Datum;Kategori;Område", "2024-02-01;Klotter;Fittja"]),
        source="kommun")
    with empty_engine.connect() as conn:
        assert not demo_marker.holds_demo(conn)  # a real import is no demo
    with empty_engine.begin() as conn:
        conn.execute(ImportLog.__table__.update().values(kind=demo_marker.KIND))
    with empty_engine.connect() as conn:
        assert demo_marker.holds_demo(conn) and len(demo_marker.imports(conn)) == 1
