"""Datakällor's view from small inline frames, exact values (lagesbild.pageviews.datakallor)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from lagesbild.pageviews import datakallor
from tests.test_access import BKB_IMPORTER, COORDINATOR

KINDS = {"incidents": "Händelser", "walks": "Trygghetsvandringar", "housing": "Boende", "actions": "Insatser"}


def test_freshness_table():
    rows = pd.DataFrame({"source": ["botkyrkabyggen", "polis"], "n_label": ["1 234", "<5"],
                         "first": [dt.date(2024, 1, 1), dt.date(2026, 11, 2)],
                         "last": [dt.date(2026, 11, 9), dt.date(2026, 11, 2)],
                         "last_imported": [dt.datetime(2026, 11, 10, 7, 5, 59), None]})
    view = datakallor.build(rows, pd.DataFrame(columns=list(datakallor.LOG_COLUMNS)))
    assert view.freshness.to_dict(orient="split")["data"] == [
        ["Botkyrkabyggen", "1 234", "v.\u00a01 2024", "v.\u00a046 2026", "2026-11-10 08:05"],  # stored UTC, shown CET
        ["Polisen", "<5", "v.\u00a045 2026", "v.\u00a045 2026", "–"]]
    assert list(view.freshness.columns) == datakallor.FRESHNESS_COLUMNS


def test_import_log_table():
    log = pd.DataFrame({"imported_at": [dt.datetime(2026, 11, 10, 7, 5), dt.datetime(2026, 11, 9, 12, 0)],
                        "kind": ["incidents", "demo"], "source": ["polis", None], "file_name": ["=cmd.csv", "-"],
                        "status": ["refused", "ok"], "rows_read": [12000, 3], "rows_accepted": [0, 3],
                        "rows_duplicate": [0, 0], "message": ["rad 2: fel", "ok"]})
    view = datakallor.build(pd.DataFrame(columns=["source", "n_label", "first", "last", "last_imported"]), log)
    assert list(view.log.columns) == ["Tidpunkt", "Typ", "Källa", "Fil", "Status", "Rader lästa", "Godkända",
                                      "Dubbletter", "Meddelande"]
    # A file name or message that starts like a formula is neutralised; no source is "–"; stored UTC
    # times are shown in Swedish local time (CET in November).
    assert view.log.to_dict(orient="split")["data"] == [
        ["2026-11-10 08:05", "Händelser", "Polisen", "'=cmd.csv", "Avvisad", "12\u00a0000", "0", "0", "rad 2: fel"],
        ["2026-11-09 13:00", "Demodata", "–", "Inlagda av Lägesbild (ingen fil)", "Importerad", "3", "3", "0", "ok"]]


def test_the_demo_import_is_named_in_words_not_by_its_seed():
    from lagesbild import demo_marker
    log = pd.DataFrame({"imported_at": [dt.datetime(2026, 11, 29, 19, 13)], "kind": [demo_marker.KIND],
                        "source": [None], "file_name": ["demodata (seed 20171)"], "status": ["ok"],
                        "rows_read": [3], "rows_accepted": [3], "rows_duplicate": [0], "message": ["ok"]})
    view = datakallor.build(pd.DataFrame(columns=["source", "n_label", "first", "last", "last_imported"]), log)
    assert view.log.loc[0, "Fil"] == demo_marker.FILE_NAME == "Inlagda av Lägesbild (ingen fil)"
    assert not view.log.to_string().count("seed")


def test_check_texts():
    refused = SimpleNamespace(ok=False, problems=[1, 2], prepared=None)
    assert datakallor.checked(refused) == datakallor.Checked(
        False, "Filen kan inte importeras (2 problem). Inget har sparats.")
    prepared = SimpleNamespace(rows_read=10, rows_accepted=8, notes=["2 rader utan område."])
    assert datakallor.checked(SimpleNamespace(ok=True, problems=[], prepared=prepared)) == datakallor.Checked(
        True, "Filen är kontrollerad: 10 rader lästa, 8 att importera.", ("2 rader utan område.",))


def test_what_a_user_may_import():
    assert datakallor.kinds_for(BKB_IMPORTER, KINDS) == ["incidents", "walks", "housing"]
    assert datakallor.sources_for(BKB_IMPORTER, "housing") == ["botkyrkabyggen"]
    assert datakallor.kinds_for(COORDINATOR, KINDS) == ["actions"]
