"""Demo data never mixes silently with real data; the command line; the Datakällor page."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from lagesbild.errors import InputError
from lagesbild.store.models import ImportLog
from lagesbild.store.reference import set_meta
from loaders.__main__ import main
from tests.test_loaders_support import csv_bytes, rows, run, scalar
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test

FILE = ["Datum;Kategori;Område", "2024-02-01;Klotter;Fittja"]


def _fake_demo(engine) -> None:
    """A tiny stand-in for the generated demo: one import of the demo's kind (the marker) with one
    incident, and the meta key older versions wrote beside it."""
    run(engine, "incidents", "demo.csv", csv_bytes(["Datum;Kategori;Område", "2023-05-05;Klotter;Alby"]),
        source="kommun")
    with engine.begin() as conn:
        conn.execute(ImportLog.__table__.update().values(kind="demo"))
        set_meta(conn, "dataset", "demo")


def test_real_data_is_refused_while_the_store_holds_demo_data(empty_engine):
    _fake_demo(empty_engine)
    with pytest.raises(InputError) as refused:
        run(empty_engine, "incidents", "k.csv", csv_bytes(FILE), source="kommun")
    assert str(refused.value) == ("k.csv: Databasen innehåller demodata. Riktiga data blandas inte med "
                                  "demodata: välj 'Ta bort demodata först' (kommandoraden: --replace-demo) "
                                  "och importera igen.")
    assert scalar(empty_engine, "select count(*) from incidents") == 1


def test_replace_demo_removes_the_demo_rows_first(empty_engine):
    _fake_demo(empty_engine)
    result = run(empty_engine, "incidents", "k.csv", csv_bytes(FILE), source="kommun", replace_demo=True)
    assert (result.stored.inserted, result.demo_removed) == (1, 1)
    assert str(rows(empty_engine, "select occurred_at from incidents")[0][0])[:10] == "2024-02-01"
    assert rows(empty_engine, "select kind from imports") == [("incidents",)]
    assert scalar(empty_engine, "select count(*) from meta_info where key = 'dataset'") == 0
    assert scalar(empty_engine, "select sum(n) from mart_incident_week") == 1


def test_cli_import_and_summary(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    path = tmp_path / "kommun.csv"
    path.write_bytes(csv_bytes(FILE, "cp1252"))
    assert main(["import", "incidents", str(path), "--source", "kommun", "--db", db]) == 0
    assert capsys.readouterr().out == ("Importerat: kommun.csv (incidents), 1 rader lästa, 1 godkända, "
                                       "1 nya, 0 dubbletter\n")
    assert main(["summary", "--db", db, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["tables"]["incidents"], summary["incidents_per_area"]) == (1, {"Fittja": 1})
    assert summary["date_range"] == ["2024-02-01", "2024-02-01"]
    _assert_clean(db)


def test_cli_refusal_exits_2_with_the_report(tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    path = tmp_path / "fel.csv"
    path.write_bytes(csv_bytes(["Datum;Kategori", "2099-01-01;Klotter"]))
    assert main(["import", "incidents", str(path), "--source", "kommun", "--db", db]) == 2
    assert capsys.readouterr().err == (
        "Filen avvisades; inget sparades (1 problem):\n- fel.csv, rad 2, kolumn 'Datum': Datumet ligger i "
        "framtiden. Kontrollera datumet (ÅÅÅÅ-MM-DD). (värde: '2099-01-01')\n")
    _assert_clean(db)


def _assert_clean(db: str) -> None:
    from lagesbild.store.engine import make_engine
    from tests.privacy_checks import assert_no_personal_data
    engine = make_engine(db)
    assert_no_personal_data(engine)
    engine.dispose()


def test_upload_check_never_raises_and_reports_in_swedish(empty_engine):
    from loaders.kinds import Options
    from loaders.report import REPORT_COLUMNS, check_upload, problems_frame
    bad = check_upload(empty_engine, "incidents", "x.csv", b"\x00\x01garbage", Options(source="kommun"))
    assert not bad.ok
    assert problems_frame(bad.problems).columns.tolist() == REPORT_COLUMNS
    good = check_upload(empty_engine, "incidents", "k.csv", csv_bytes(FILE), Options(source="kommun"))
    assert good.ok and good.prepared.rows_accepted == 1
    assert scalar(empty_engine, "select count(*) from incidents") == 0


def test_datakallor_page_renders(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'page.db'}")
    from lagesbild.setup import ensure_database
    from lagesbild.store.engine import make_engine
    ensure_database(make_engine(f"sqlite:///{tmp_path / 'page.db'}"), demo=False)
    # Through the router (a page never runs without it: lagesbild.access.ui.current_user), open mode.
    app = AppTest.from_file("../app.py", default_timeout=60).run()
    app.switch_page("views/datakallor.py")
    app.run()
    assert not app.exception
    assert app.title[0].value == "Datakällor"
    assert [s.value for s in app.subheader] == ["Hur färska är data?", "Importlogg"]
