"""Datakällor's view from small inline frames, exact values (lagesbild.pageviews.datakallor)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from lagesbild.pageviews import datakallor
from tests.test_access import BKB_IMPORTER, COORDINATOR

KINDS = {"incidents": "Händelser", "walks": "Trygghetsvandringar", "housing": "Boende", "actions": "Insatser"}


def _status(stream: str, label: str, last_data, delivered, stale=False, missing=(), expected="varje vecka"):
    from lagesbild.freshness import Cadence, StreamStatus
    return StreamStatus(Cadence(stream, label, expected, 168, 336, "week"), last_data, delivered, stale, list(missing))


def test_freshness_table_one_row_per_source_with_what_it_holds_and_how_fresh_it_is():
    counts = pd.DataFrame({"source": ["botkyrkabyggen", "polis", "kommun"], "n_label": ["1 234", "<5", "17"],
                           "first": [dt.date(2024, 1, 1), dt.date(2026, 11, 2), dt.date(2025, 3, 3)],
                           "last": [dt.date(2026, 11, 9), dt.date(2026, 11, 2), dt.date(2026, 11, 9)]})
    statuses = [_status("polis", "Polisen", dt.date(2026, 11, 8), None, expected="varje timme (hämtas)"),
                _status("botkyrkabyggen", "Botkyrkabyggen", dt.date(2026, 11, 15), dt.datetime(2026, 11, 10, 7, 5, 59),
                        missing=[dt.date(2026, 11, 16)]),
                _status("housing", "Boendedata", dt.date(2026, 9, 30), dt.datetime(2026, 10, 2, 12, 0),
                        expected="varje kvartal")]
    view = datakallor.build(statuses, counts, pd.DataFrame(columns=list(datakallor.LOG_COLUMNS)))
    assert list(view.freshness.columns) == datakallor.FRESHNESS_COLUMNS
    assert view.freshness.to_dict(orient="split")["data"] == [
        ["Polisen", "<5", "v.\u00a045 2026", "8 nov 2026", "–", "varje timme (hämtas)", "Aktuell"],
        # stored UTC, shown CET
        ["Botkyrkabyggen", "1 234", "v.\u00a01 2024", "15 nov 2026", "2026-11-10 08:05", "varje vecka",
         "Ej levererat: v.\u00a047 2026"],
        ["Boendedata", "–", "–", "30 sep 2026", "2026-10-02 14:00", "varje kvartal", "Aktuell"],
        # events without a status (not expected: both read the weekly mart) are still listed
        ["Kommunen", "17", "v.\u00a010 2025", "–", "–", "–", "–"]]


EMPTY_COUNTS = pd.DataFrame(columns=["source", "n_label", "first", "last"])


def test_import_log_table():
    log = pd.DataFrame({"imported_at": [dt.datetime(2026, 11, 10, 7, 5), dt.datetime(2026, 11, 9, 12, 0)],
                        "kind": ["incidents", "demo"], "source": ["polis", None], "file_name": ["=cmd.csv", "-"],
                        "status": ["refused", "ok"], "rows_read": [12000, 3], "rows_accepted": [0, 3],
                        "rows_duplicate": [0, 0], "message": ["rad 2: fel", "ok"]})
    view = datakallor.build([], EMPTY_COUNTS, log)
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
    view = datakallor.build([], EMPTY_COUNTS, log)
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
