"""Counts that must not go wrong silently: concurrent imports, the check and rebuild of the
marts, the import log's life cycle, the data version, and backup and restore (both backends)."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import text

from lagesbild.__main__ import main as lagesbild_main
from lagesbild.errors import InputError
from lagesbild.store import locks
from lagesbild.store.check import check_store, rebuild_marts
from lagesbild.store.locks import StoreBusy, take_write_lock
from loaders import import_log
from tests.test_loaders_support import csv_bytes, rows, run, scalar

HEAD = "Id;Tidpunkt;Kategori;Område"


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def incident_file(first_id: int, n: int, category: str = "Misshandel", area: str = "Fittja") -> bytes:
    """n events, two a day from 2024-03-04, in the same weeks as every other such file."""
    lines = [f"{first_id + i};2024-03-{4 + (i // 2) % 20:02d} {10 + i % 2}:00;{category};{area}" for i in range(n)]
    return csv_bytes([HEAD, *lines])


def import_at_once(engine, files: dict[str, bytes]) -> list:
    """Import the files in threads started together; the outcomes (result or exception)."""
    barrier = threading.Barrier(len(files))
    outcomes: dict[str, object] = {}

    def work(name: str, data: bytes) -> None:
        barrier.wait()
        try:
            outcomes[name] = run(engine, "incidents", name, data, source="polis")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[name] = exc
    threads = [threading.Thread(target=work, args=item) for item in files.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return [outcomes[name] for name in files]


# --- concurrent imports ------------------------------------------------------------------------

@pytest.mark.parametrize("parallel", [2, 3])
def test_concurrent_imports_add_up_and_the_marts_equal_a_rebuild(empty_engine, parallel):
    """Files of the same area and category in the same weeks, imported at once: without the
    store's write lock PostgreSQL's weekly mart kept only one file's events (600 of 900 lost)."""
    files = {f"f{i}.csv": incident_file(1000 * i, 300) for i in range(parallel)}
    outcomes = import_at_once(empty_engine, files)
    assert [(o.stored.inserted, o.stored.duplicates) for o in outcomes] == [(300, 0)] * parallel
    assert scalar(empty_engine, "SELECT SUM(n) FROM mart_incident_week") == 300 * parallel
    assert rows(empty_engine, "SELECT status, COUNT(*) FROM imports GROUP BY status") == [("ok", parallel)]
    report = check_store(empty_engine)
    assert report.ok, report.text()


def test_the_same_rows_imported_at_once_are_stored_once(empty_engine):
    outcomes = import_at_once(empty_engine, {"a.csv": incident_file(1, 30), "b.csv": incident_file(1, 30),
                                             "c.csv": incident_file(1, 30)})
    assert sorted(o.stored.inserted for o in outcomes) == [0, 0, 30]
    assert scalar(empty_engine, "SELECT SUM(n) FROM mart_incident_week") == 30
    assert check_store(empty_engine).ok


def test_an_import_waits_for_the_lock_and_gives_up_with_who_holds_it(empty_engine, monkeypatch):
    monkeypatch.setattr(locks, "WAIT_SECONDS", 0.6)
    other = import_log.start(empty_engine, "incidents", "polis", "x.csv", "-", "Kim på Fältgruppen")
    started = scalar(empty_engine, f"SELECT imported_at FROM imports WHERE id = {other}")
    started = started if isinstance(started, dt.datetime) else dt.datetime.fromisoformat(started)
    told: list[str] = []
    with empty_engine.connect() as holder, holder.begin():
        take_write_lock(holder)
        with pytest.raises(StoreBusy) as busy:
            from loaders.kinds import Options
            from loaders.pipeline import run_import
            from loaders.source import SourceFile
            run_import(empty_engine, "incidents", SourceFile("b.csv", incident_file(1, 2)), Options(source="polis"),
                       progress=lambda _f, message: told.append(message))
    message = f"En annan import pågår (incidents), startad av Kim på Fältgruppen kl {started:%H:%M}"
    assert str(busy.value.problems[0]).startswith(f"-: {message}")
    assert any(t.startswith(message) and t.endswith("Väntar på att den blir klar …") for t in told)
    assert scalar(empty_engine, "SELECT COUNT(*) FROM incidents") == 0
    # SQLite: the refusal cannot be logged while the other writer holds the store's only write lock
    logged = [("running",)] if empty_engine.dialect.name == "sqlite" else [("running",), ("refused",)]
    assert rows(empty_engine, "SELECT status FROM imports ORDER BY id") == logged


def test_the_data_version_changes_exactly_when_a_write_commits(empty_engine):
    def version():
        return scalar(empty_engine, "SELECT value FROM meta_info WHERE key = 'data_version'")
    before = version()
    with empty_engine.connect() as conn:
        with conn.begin() as transaction:
            take_write_lock(conn)
            assert version() == before  # another connection does not see it before the commit
            transaction.rollback()
    assert version() == before
    run(empty_engine, "incidents", "a.csv", incident_file(1, 2), source="polis")
    assert version() not in (before, None)


# --- check and rebuild ---------------------------------------------------------------------------

def test_check_finds_a_wrong_mart_and_rebuild_repairs_it(empty_engine, capsys):
    for i in range(3):
        run(empty_engine, "incidents", f"f{i}.csv", incident_file(100 * i, 10 + i), source="polis")
    assert lagesbild_main(["check", "--db", url_of(empty_engine)]) == 0
    assert capsys.readouterr().out.startswith("OK: 3 sammanställningar (marts) stämmer")
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE mart_incident_week SET n = n + 1 WHERE week_start = "
                          "(SELECT MIN(week_start) FROM mart_incident_week)"))
    report = check_store(empty_engine)
    assert [(d.table, d.stored_only, d.rebuilt_only) for d in report.differences] == [("mart_incident_week", 1, 1)]
    assert [name for name, _ in report.violations] == [
        "weekly counts sum to the incidents' count (veckosummor = antal händelser)",
        "weekly running totals are the running sums (löpande summor stämmer)"]
    assert lagesbild_main(["check", "--db", url_of(empty_engine)]) == 1
    assert "python -m lagesbild rebuild-marts" in capsys.readouterr().err
    assert lagesbild_main(["rebuild-marts", "--db", url_of(empty_engine)]) == 0
    assert capsys.readouterr().out.startswith("Sammanställningarna (marts) byggdes om från 33 händelser")
    assert check_store(empty_engine).ok


def test_check_finds_an_incident_of_an_unknown_area(empty_engine):
    run(empty_engine, "incidents", "a.csv", incident_file(1, 2), source="polis")
    with empty_engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET area_id = 99999"))
    report = check_store(empty_engine)
    assert ("every incident's area exists (områden finns)", 2) in report.violations


def test_check_runs_after_several_imports_of_every_kind(empty_engine):
    """The CI step: several overlapping imports, then the check command."""
    head = "Id;Tidpunkt;Kategori;Område;E;N"
    files = [csv_bytes([head, "1;2024-03-05 14:30;Misshandel;Fittja;662100;6570800", "2;2024-03-06 10:00;Rån;Alby;;"]),
             csv_bytes([head, "2;2024-03-06 10:00;Rån;Alby;;", "3;2024-02-01 22:00;Misshandel;Fittja;;"]),
             csv_bytes([head, "4;2023-12-31 23:59;Misshandel;Fittja;662400;6570900"])]
    for i, data in enumerate(files):
        run(empty_engine, "incidents", f"f{i}.csv", data, source="polis")
    assert lagesbild_main(["check", "--db", url_of(empty_engine)]) == 0


# --- the import log --------------------------------------------------------------------------

@pytest.mark.parametrize("content", [[HEAD], [HEAD, ";;;", ""]])
def test_a_header_only_file_is_refused_and_leaves_freshness_alone(empty_engine, content):
    # "Senast importerad/hämtad" (lagesbild.freshness._last_delivery) is the latest ok import per source.
    last_ok = "SELECT source, MAX(imported_at) FROM imports WHERE status = 'ok' GROUP BY source"
    run(empty_engine, "incidents", "a.csv", incident_file(1, 2), source="polis")
    before = rows(empty_engine, last_ok)
    with pytest.raises(InputError) as refused:
        run(empty_engine, "incidents", "tom.csv", csv_bytes(content), source="polis")
    assert "0 rader" in str(refused.value)
    assert rows(empty_engine, last_ok) == before
    assert rows(empty_engine, "SELECT status, rows_read FROM imports ORDER BY id") == [("ok", 2), ("refused", 0)]


def test_an_import_is_recorded_as_running_before_the_work_starts(empty_engine):
    seen: list[tuple] = []
    run_progress = lambda _f, _t: seen.extend(rows(empty_engine, "SELECT status FROM imports"))  # noqa: E731
    from loaders.kinds import Options
    from loaders.pipeline import run_import
    from loaders.source import SourceFile
    result = run_import(empty_engine, "incidents", SourceFile("a.csv", incident_file(1, 2)), Options(source="polis"),
                        progress=run_progress)
    assert seen[0] == ("running",)
    assert rows(empty_engine, "SELECT id, status, rows_read, rows_accepted FROM imports") == [
        (result.import_id, "ok", 2, 2)]


def test_an_unexpected_error_marks_the_import_avbruten(empty_engine, monkeypatch):
    import loaders.kinds.incidents as incidents

    def broken(*_args):
        raise MemoryError
    monkeypatch.setattr(incidents, "store", broken)
    with pytest.raises(MemoryError):
        run(empty_engine, "incidents", "a.csv", incident_file(1, 2), source="polis")
    assert rows(empty_engine, "SELECT status, message FROM imports") == [
        ("avbruten", "Avbruten av ett oväntat fel (MemoryError); inget sparades.")]


@pytest.mark.parametrize("age, note, abandoned", [
    (dt.timedelta(minutes=5), import_log.process_note(), False),        # this process: still running
    (dt.timedelta(minutes=5), "Pågår (process 999999999 på {host}).", True),  # its process is gone
    (dt.timedelta(minutes=5), "Pågår (process 999999999 på annan-vard).", False),  # another host: wait
    (dt.timedelta(hours=2), "Pågår (process 1 på annan-vard).", True),     # too old
])
def test_abandoned_imports_are_marked_on_the_next_start(empty_engine, age, note, abandoned):
    import socket
    now = dt.datetime(2026, 11, 29, 12, 0)
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO imports (kind, file_name, sha256, imported_at, rows_read, rows_accepted, "
                          "rows_rejected, rows_duplicate, status, message) VALUES ('incidents', 'a.csv', '-', :t, "
                          "0, 0, 0, 0, 'running', :m)"), {"t": now - age, "m": note.format(host=socket.gethostname())})
        assert import_log.mark_abandoned(conn, now) == int(abandoned)
    assert scalar(empty_engine, "SELECT status FROM imports") == ("avbruten" if abandoned else "running")


# --- backup and restore ----------------------------------------------------------------------

def table_contents(engine) -> dict:
    from sqlalchemy import inspect
    with engine.connect() as conn:
        names = sorted(inspect(conn).get_table_names())
        return {n: sorted(map(repr, map(tuple, conn.execute(text(f'SELECT * FROM "{n}"')).all()))) for n in names}


def test_backup_and_restore_round_trip(empty_engine, tmp_path, request):
    from lagesbild.store.engine import make_engine
    run(empty_engine, "incidents", "a.csv", incident_file(1, 5), source="polis")
    dump = tmp_path / "store.backup"
    assert lagesbild_main(["backup", str(dump), "--db", url_of(empty_engine)]) == 0
    if empty_engine.dialect.name == "sqlite":
        target_url = f"sqlite:///{tmp_path / 'restored.db'}"
        cleanup = None
    else:
        from tests.conftest import _create_pg_db, _drop_pg_db
        admin = request.getfixturevalue("pg_admin")
        name = f"lagesbild_r_{tmp_path.name[-20:].lower().replace('-', '_')}"
        target_url = _create_pg_db(admin, name)
        cleanup = lambda: _drop_pg_db(admin, name)  # noqa: E731
    try:
        assert lagesbild_main(["restore", str(dump), "--db", target_url]) == 0
        restored = make_engine(target_url)
        assert table_contents(restored) == table_contents(empty_engine)
        assert check_store(restored).ok
        assert lagesbild_main(["restore", str(dump), "--db", target_url]) == 2  # not over a store
        restored.dispose()
    finally:
        if cleanup:
            cleanup()


# --- logging ---------------------------------------------------------------------------------

def test_one_log_line_per_import_without_file_names_or_values(empty_engine):
    import logging

    class Lines(logging.Handler):
        lines: list[str] = []

        def emit(self, record):
            self.lines.append(record.getMessage())
    logger, handler = logging.getLogger("lagesbild.import"), Lines()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        run(empty_engine, "incidents", "Anna Svensson.csv", incident_file(1, 2), source="polis")
        with pytest.raises(InputError):
            run(empty_engine, "incidents", "Anna Svensson 2.csv",
                csv_bytes([HEAD + ";Beskrivning", "9;2024-03-05 10:00;Rån;Alby;ring 070-123 45 67"]), source="polis")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert handler.lines == [
        "import 1 ok: kind=incidents source=polis read=2 accepted=2 new=2 duplicates=0 updated=0",
        "import 2 refused: kind=incidents source=polis problems=1 (PersonalDataFound)"]


def test_a_refusal_with_nul_bytes_is_logged(empty_engine):
    with pytest.raises(InputError):
        run(empty_engine, "incidents", "n\x00ll.csv", csv_bytes([HEAD, "1;2099-01-01 10:00;R\x00n;Alby"]), source="polis")
    [(status, name, message)] = rows(empty_engine, "SELECT status, file_name, message FROM imports")
    assert (status, name) == ("refused", "n\ufffdll.csv") and "\x00" not in message
