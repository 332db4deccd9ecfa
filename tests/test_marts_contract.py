"""The marts' contracts, as dbt declares them for a model (both backends):

- every mart's sum of events (and of record keys) equals the incidents' sum;
- the marts an import leaves (added incrementally, file by file, piece by piece) are exactly the
  marts a full rebuild from the stored incidents gives, running totals and key sums included;
- one writer: only lagesbild/store/marts.py writes a mart, and only the pipeline and the full
  rebuild ask it to.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lagesbild.store import marts
from lagesbild.store.check import rebuild_marts
from loaders import pipeline
from loaders.kinds import incidents
from loaders.readers import csvfile
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test
from tests.test_loaders_support import csv_bytes, rows, run, scalar

ROOT = Path(__file__).resolve().parents[1]
MART_TABLES = {
    "mart_incident_week": "week_start, area_id, category_id, source, iso_year, iso_week, n, ksum, cum, kcum",
    "mart_incident_month_total": "month_start, area_id, category_id, source, n, ksum, cum, kcum",
    "mart_incident_combo": "area_id, category_id, source",
}
AREAS = ["Fittja", "Alby", "Hallunda", "Tumba"]
CATEGORIES = {"polis": ["Misshandel", "Rån", "Skadegörelse"],
              "kommun": ["Hot mot elev", "Kränkande behandling", "Våld mellan elever"]}


def export(first: int, n: int, month: int, ids: bool = True, source: str = "polis") -> bytes:
    head = ("Id;" if ids else "") + "Tidpunkt;Kategori;Område;E;N;Platstyp;Åldersgrupp;Antal"
    body = []
    for i in range(first, first + n):
        point = f"{663000 + 90 * (i % 17)};{6568000 + 70 * (i % 13)}" if i % 3 else ";"
        body.append((f"K-{i};" if ids else "") + f"2024-{month:02d}-{1 + i % 27:02d} {i % 24:02d}:{i % 60:02d};"
                    f"{CATEGORIES[source][i % 3]};{AREAS[i % 4]};{point};Gata;12-17;{1 + i % 2}")
    return csv_bytes([head, *body])


def mart_state(engine) -> dict:
    return {t: rows(engine, f"SELECT {c} FROM {t} ORDER BY {c}") for t, c in MART_TABLES.items()}


def assert_sums_equal_the_incidents(engine) -> None:
    events = scalar(engine, "SELECT COALESCE(SUM(count), 0) FROM incidents")
    keys = scalar(engine, "SELECT COALESCE(SUM(rkey), 0) FROM incidents")
    assert events > 0
    for table in ("mart_incident_week", "mart_incident_month_total"):
        assert scalar(engine, f"SELECT COALESCE(SUM(n), 0) FROM {table}") == events, table
        assert scalar(engine, f"SELECT COALESCE(SUM(ksum), 0) FROM {table}") == keys, table
    combos = scalar(engine, "SELECT COUNT(*) FROM (SELECT DISTINCT area_id, category_id, source FROM incidents) c")
    assert scalar(engine, "SELECT COUNT(*) FROM mart_incident_combo") == combos


def import_several(engine) -> None:
    """Files in and out of time order, overlapping weeks, duplicates, another source, no ids."""
    run(engine, "incidents", "mars.csv", export(0, 60, 3), source="polis")
    run(engine, "incidents", "januari.csv", export(100, 50, 1), source="polis")   # before: totals rewritten
    run(engine, "incidents", "mars_igen.csv", export(30, 60, 3), source="polis")  # 30 duplicates, 30 new
    run(engine, "incidents", "kommun.csv", export(0, 40, 2, source="kommun"), source="kommun")
    run(engine, "incidents", "utan_id.csv", export(500, 30, 3, ids=False, source="kommun"), source="kommun")


def test_every_mart_sums_to_the_incidents_and_equals_a_rebuild(empty_engine):
    import_several(empty_engine)
    assert_sums_equal_the_incidents(empty_engine)
    incremental = mart_state(empty_engine)
    rebuild_marts(empty_engine)
    assert mart_state(empty_engine) == incremental


def test_pieces_and_small_increments_equal_a_rebuild(empty_engine, monkeypatch):
    """Files read in pieces of 7 rows, and an increment that writes every few rows."""
    monkeypatch.setattr(incidents, "CHUNK_ROWS", 7)
    monkeypatch.setattr(pipeline, "STREAM_BYTES", 0)
    monkeypatch.setattr(csvfile, "BLOCK_BYTES", 200)
    monkeypatch.setattr(marts, "HOLD_ROWS", 10)
    import_several(empty_engine)
    assert_sums_equal_the_incidents(empty_engine)
    incremental = mart_state(empty_engine)
    rebuild_marts(empty_engine)
    assert mart_state(empty_engine) == incremental


def test_a_refused_file_leaves_the_marts_alone(empty_engine):
    run(empty_engine, "incidents", "mars.csv", export(0, 40, 3), source="polis")
    before = mart_state(empty_engine)
    bad = export(40, 20, 3).replace(b"Misshandel", b"Ok\xc3\xa4nd kategori")
    with pytest.raises(Exception):
        run(empty_engine, "incidents", "bad.csv", bad, source="polis")
    assert mart_state(empty_engine) == before
    assert_sums_equal_the_incidents(empty_engine)


# --- one writer ---------------------------------------------------------------------------------

WRITERS = {"lagesbild/store/marts.py"}
# Who may ask the one writer: the import pipeline (Increment, and the rebuild after removing the
# demo), setup (the rebuild after seeding or a taxonomy change), check/rebuild-marts.
CALLERS = {"loaders/pipeline.py", "lagesbild/setup.py", "lagesbild/store/check.py"}


def _sources():
    for folder in ("lagesbild", "loaders", "views", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel and "/work/" not in rel:
                yield rel, path.read_text(encoding="utf-8")


def test_only_the_marts_module_writes_a_mart():
    writes = ("insert into mart_", "update mart_", "delete from mart_")
    for rel, text in _sources():
        if rel in WRITERS:
            continue
        lowered = text.lower()
        for word in writes:
            assert word not in lowered, f"{rel} writes a mart ({word})"
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
                    "insert_ignore", "add_counts", "delete", "insert", "update"):
                names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | {
                    n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
                assert not any(n.lower().startswith("martincident") for n in names), f"{rel} writes a mart"


def test_only_the_pipeline_and_the_rebuild_call_the_writer():
    """A kind only reports its new rows to the Increment the pipeline hands it (`add`)."""
    for rel, text in _sources():
        if rel in WRITERS | CALLERS:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                assert name not in {"Increment", "refresh_marts", "add_deltas", "add_rows"}, \
                    f"{rel} calls the marts' writer ({name})"
