"""A large incidents file is read, checked and stored a piece at a time (memory bounded): the store,
the marts, the counts and the problems are exactly those of the whole file at once (both backends)."""
from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from lagesbild.errors import Problem
from lagesbild.store import locks
from lagesbild.store.locks import take_write_lock
from loaders import pipeline
from loaders.errors import FileRefused
from loaders.kinds import Options, incidents
from loaders.readers import csvfile, read_table, read_table_chunks
from loaders.report import check_upload
from loaders.source import SourceFile
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test
from tests.test_loaders_support import csv_bytes, rows, scalar, snapshot

PIECE = 7
INCIDENT_COLUMNS = "source, natural_key, occurred_at, area_id, category_id, cell_e, cell_n, place_type, age_group, count"
MART_COLUMNS = {
    "mart_incident_week": "week_start, area_id, category_id, source, iso_year, iso_week, n, cum",
    "mart_incident_month_total": "month_start, area_id, category_id, source, n",
    "mart_incident_combo": "area_id, category_id, source",
}
AREAS = ["Fittja", "Alby", "Hallunda", "Tumba", "Storvreten"]
CATEGORIES = ["Misshandel", "Rån", "Skadegörelse", "Sammanfattning natt"]


@pytest.fixture
def in_pieces(monkeypatch):
    """Pieces of PIECE rows, tiny pyarrow blocks, and every file streamed by run_import."""
    def switch(on: bool = True) -> None:
        monkeypatch.setattr(incidents, "CHUNK_ROWS", PIECE if on else 150_000)
        monkeypatch.setattr(pipeline, "STREAM_BYTES", 0 if on else 4 * 1024 * 1024)
        monkeypatch.setattr(csvfile, "BLOCK_BYTES", 200 if on else 4 * 1024 * 1024)
    switch()
    return switch


def export(n: int = 40, ids: bool = True, extra: dict[int, str] | None = None) -> bytes:
    """n rows over several weeks, areas and categories, with points for some; row i (0-based)
    replaced by extra[i] where given (duplicates, bad values)."""
    head = ("Id;" if ids else "") + "Tidpunkt;Kategori;Område;E;N;Platstyp;Åldersgrupp"
    body = []
    for i in range(n):
        point = (f"{663000 + 90 * i};{6568000 + 70 * i}" if i % 3 else ";")
        line = (f"A-{i};" if ids else "") + (f"2024-0{1 + i % 5}-{1 + i % 27:02d} {i % 24:02d}:{i % 60:02d};"
                                             f"{CATEGORIES[i % 4]};{AREAS[i % 5]};{point};Gata;12-17")
        body.append((extra or {}).get(i, line))
    return csv_bytes([head, *body])


def store_state(engine) -> dict:
    """The incidents (without the random record keys and the import id) and the marts (without the
    key sums, which depend on the random keys)."""
    state = {"incidents": rows(engine, f"SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY source, natural_key")}
    for table, columns in MART_COLUMNS.items():
        state[table] = rows(engine, f"SELECT {columns} FROM {table} ORDER BY {columns}")
    return state


def wipe(engine) -> None:
    with engine.begin() as conn:
        for table in ["incidents", *MART_COLUMNS]:
            conn.exec_driver_sql(f"DELETE FROM {table}")


def both_ways(engine, in_pieces, data: bytes, name: str = "stor.csv") -> tuple:
    """(result, store) of the file imported whole, then (on the emptied store) in pieces."""
    in_pieces(False)
    whole = pipeline.run_import(engine, "incidents", SourceFile(name, data), Options(source="polis"))
    whole_state = store_state(engine)
    wipe(engine)
    in_pieces(True)
    pieces = pipeline.run_import(engine, "incidents", SourceFile(name, data), Options(source="polis"))
    return (whole, whole_state), (pieces, store_state(engine))


def counts(result) -> tuple:
    s = result.stored
    return result.rows_read, result.rows_accepted, s.inserted, s.duplicates, result.notes


# --- reading -----------------------------------------------------------------------------------

@pytest.mark.parametrize("tail", ["", "\nTotalt;;;;;;;\nSumma;;;;;;;", "\n;;;;;;;\n\n"])
def test_the_pieces_of_a_file_are_the_whole_frame(in_pieces, tail):
    data = export(40).decode("utf-8-sig") + tail.replace("\n", "\r\n")
    for content in (data.encode("utf-8"), data.replace("\r\n", "\n").encode("utf-8"),
                    data.replace("\r\n", "\n").encode("cp1252")):
        file = SourceFile("x.csv", content)
        pieces = list(read_table_chunks(file, PIECE))
        assert all(len(p) <= PIECE for p in pieces)
        pd.testing.assert_frame_equal(pd.concat(pieces), read_table(file))


def test_a_short_line_in_the_middle_hands_the_rest_to_the_csv_module(in_pieces):
    text = export(40).decode("utf-8-sig").replace("\r\n", "\n").splitlines()
    file = SourceFile("x.csv", "\n".join(text[:25] + ["A-99;2024-01-01 10:00;Rån"] + text[25:]).encode())
    pd.testing.assert_frame_equal(pd.concat(read_table_chunks(file, PIECE)), read_table(file))


# --- the same store ----------------------------------------------------------------------------

def test_a_file_in_pieces_gives_exactly_the_store_of_the_whole_file(empty_engine, in_pieces):
    (whole, whole_state), (pieces, pieces_state) = both_ways(empty_engine, in_pieces, export(40))
    assert counts(pieces) == counts(whole)
    assert whole.rows_accepted == 30 and pieces.stored.inserted == 30  # 'Sammanfattning natt' is not counted
    assert pieces_state == whole_state
    assert scalar(empty_engine, "SELECT COUNT(*) FROM incidents WHERE rkey IS NULL") == 0


def test_duplicates_spanning_two_pieces_are_counted_once(empty_engine, in_pieces):
    line = "A-3;2024-02-04 03:03;Rån;Alby;;;Gata;12-17"
    data = export(40, extra={3: line, 12: line, 13: line.replace("A-3", "A-12")})  # rows in pieces 1 and 2
    (whole, whole_state), (pieces, pieces_state) = both_ways(empty_engine, in_pieces, data)
    assert counts(pieces) == counts(whole)
    assert pieces.stored.duplicates == whole.stored.duplicates == 1  # id A-3 in pieces 1 and 2
    assert pieces_state == whole_state


def test_identical_rows_without_ids_in_two_pieces_stay_separate_incidents(empty_engine, in_pieces):
    line = "2024-02-04 03:03;Rån;Alby;;;Gata;12-17"
    data = export(40, ids=False, extra={2: line, 9: line, 30: line})  # pieces 1, 2 and 5
    (whole, whole_state), (pieces, pieces_state) = both_ways(empty_engine, in_pieces, data)
    assert counts(pieces) == counts(whole)
    assert pieces_state == whole_state
    keys = [k for _, k, *_ in pieces_state["incidents"] if k.endswith(("-1", "-2"))]
    assert len(keys) >= 2  # the 2nd and 3rd identical row got ordinals 1 and 2
    pipeline.run_import(empty_engine, "incidents", SourceFile("stor.csv", data), Options(source="polis"))
    assert store_state(empty_engine) == whole_state  # and a re-import adds nothing


def test_a_row_without_an_id_in_the_last_piece_gives_every_row_a_row_key(empty_engine, in_pieces):
    """The keys come from the ids only when every row of the file has one: the pieces stored
    before the row without an id is met are stored again (one transaction) with row keys."""
    data = export(40, extra={38: "  ;2024-02-04 03:03;Rån;Alby;;;Gata;12-17"})
    (whole, whole_state), (pieces, pieces_state) = both_ways(empty_engine, in_pieces, data)
    assert counts(pieces) == counts(whole)
    assert pieces_state == whole_state
    assert all(key.startswith("row:") for _, key, *_ in pieces_state["incidents"])
    assert rows(empty_engine, "SELECT status FROM imports ORDER BY id") == [("ok",), ("ok",)]


def test_an_export_without_an_id_column_in_pieces(empty_engine, in_pieces):
    (whole, whole_state), (pieces, pieces_state) = both_ways(empty_engine, in_pieces, export(40, ids=False))
    assert counts(pieces) == counts(whole) and pieces_state == whole_state


# --- refusals ----------------------------------------------------------------------------------

def test_a_refusal_in_the_last_piece_writes_nothing_and_is_logged_with_every_problem(empty_engine, in_pieces):
    bad = {4: "A-4;2024-13-01 10:00;Rån;Alby;;;Gata;12-17",
           39: "A-39;2024-01-01 10:00;Okänd sak;Alby;;;Gata;12-17"}
    data = export(40, extra=bad)
    in_pieces(False)
    with pytest.raises(FileRefused) as whole:
        pipeline.run_import(empty_engine, "incidents", SourceFile("stor.csv", data), Options(source="polis"))
    in_pieces(True)
    before = snapshot(empty_engine)
    with pytest.raises(FileRefused) as pieces:
        pipeline.run_import(empty_engine, "incidents", SourceFile("stor.csv", data), Options(source="polis"))
    assert pieces.value.problems == whole.value.problems
    assert [(p.row, p.column) for p in pieces.value.problems] == [(6, "Tidpunkt"), (41, "Kategori")]
    assert snapshot(empty_engine) == before
    assert scalar(empty_engine, "SELECT COUNT(*) FROM incidents") == 0
    assert rows(empty_engine, "SELECT status, rows_rejected FROM imports ORDER BY id") == [("refused", 2), ("refused", 2)]
    assert "Okänd sak" in scalar(empty_engine, "SELECT message FROM imports ORDER BY id DESC LIMIT 1")


def test_the_problems_of_every_piece_are_those_of_the_whole_file(empty_engine, in_pieces):
    bad = {i: f"A-{i};2024-01-0{1 + i % 9} 10:00;{'Okänd sak' if i % 2 else 'Annan sak'};Alby;"
              f"{'x' if i % 3 == 0 else 663000};{'y' if i % 4 == 0 else 5000};Gata;{'99' if i % 5 == 0 else '12-17'}"
           for i in range(0, 40, 2)}
    data = export(40, extra=bad)
    in_pieces(False)
    whole = check_upload(empty_engine, "incidents", "stor.csv", data, Options(source="polis"))
    in_pieces(True)
    pieces = check_upload(empty_engine, "incidents", "stor.csv", data, Options(source="polis"))
    assert not whole.ok and len(whole.problems) > 20
    assert pieces.problems == whole.problems


def test_more_problems_than_shown_are_counted_over_every_piece(empty_engine, in_pieces, monkeypatch):
    from loaders import chunks, values
    monkeypatch.setattr(values, "MAX_PROBLEMS", 5)
    monkeypatch.setattr(chunks, "MAX_PROBLEMS", 5)
    data = export(40, extra={i: f"A-{i};nej;Rån;Alby;;;Gata;12-17" for i in range(40)})
    in_pieces(False)
    whole = check_upload(empty_engine, "incidents", "stor.csv", data, Options(source="polis"))
    in_pieces(True)
    pieces = check_upload(empty_engine, "incidents", "stor.csv", data, Options(source="polis"))
    assert pieces.problems == whole.problems
    assert pieces.problems[-1].message == "… och 35 problem till."


# --- the check before the import (the upload page) ---------------------------------------------

def test_the_check_of_a_large_file_keeps_no_rows_and_the_import_stores_them(empty_engine, in_pieces):
    data = export(40)
    check = check_upload(empty_engine, "incidents", "stor.csv", data, Options(source="polis"))
    prepared = check.prepared
    assert check.ok and prepared.streamed and prepared.tables == {}
    assert (prepared.rows_read, prepared.rows_accepted) == (40, 30)
    assert len(prepared.preview) == 30 and list(prepared.preview.columns) == ["Tidpunkt", "Kategori", "Område", "Antal"]
    result = pipeline.run_import(empty_engine, "incidents", SourceFile("stor.csv", data), Options(source="polis"),
                                 prepared=prepared)
    assert (result.rows_read, result.rows_accepted, result.stored.inserted) == (40, 30, 30)
    assert scalar(empty_engine, "SELECT SUM(n) FROM mart_incident_week") == 30


def test_a_header_only_file_in_pieces_is_refused_as_zero_rows(empty_engine, in_pieces):
    with pytest.raises(FileRefused, match="0 rader"):
        pipeline.run_import(empty_engine, "incidents", SourceFile("tom.csv", csv_bytes(["Tidpunkt;Kategori"])),
                            Options(source="polis"))
    assert scalar(empty_engine, "SELECT COUNT(*) FROM imports WHERE status = 'ok'") == 0


# --- the refusal log waits for the write lock (SQLite) -----------------------------------------

def test_a_refusal_is_logged_after_another_writer_is_done(empty_engine, monkeypatch):
    """SQLite has one write lock: logging a refusal while an import holds it waits (and says who
    runs) instead of failing with 'database is locked'. PostgreSQL logs at once."""
    monkeypatch.setattr(locks, "POLL_SECONDS", 0.05)
    error = FileRefused([Problem("x.csv", 2, "Tidpunkt", "nej", "Datumet går inte att tolka.")])
    held = threading.Event()

    def hold() -> None:
        with empty_engine.connect() as holder, holder.begin():
            take_write_lock(holder)
            held.set()
            time.sleep(1.0)
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    told: list[str] = []
    pipeline.log_refusal(empty_engine, "incidents", SourceFile("x.csv", b"x"), "polis", error,
                         on_wait=told.append)
    holder.join()
    assert rows(empty_engine, "SELECT status, rows_rejected FROM imports") == [("refused", 1)]
    if empty_engine.dialect.name == "sqlite":
        assert told and told[0].startswith("En annan skrivning till databasen pågår")
