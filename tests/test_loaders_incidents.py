"""Incident exports: Swedish Excel CSV, plain CSV, xlsx; placement, keys, idempotency."""
from __future__ import annotations

import datetime as dt

import pytest

from loaders.errors import FileRefused

from tests.test_loaders_support import (csv_bytes, incident_rows, rows, run, scalar, snapshot,
                                         xlsx_bytes)
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test

KOMMUN_CSV = [
    "Datum;Tid;Kategori;Område;Platstyp;Åldersgrupp;Antal;E;N;Beskrivning;Handläggare",
    "2024-03-04;21:30;Bråk mellan unga;Hallunda;Torg;12–17;2;;;Grupp vid torget;Anna Svensson",
    "(replaced in kommun_file)",
    "",
    "2024-03-06;14:00;Otrygg plats;Alby;centrum;;1;;;Folk samlas vid entrén;",
    "2024-03-07;;Klotter;Okändplats;;;;;;;",
    ";;;;;;;;;;",
]


def kommun_file() -> bytes:
    lines = list(KOMMUN_CSV)
    lines[2] = "2024-03-05;7.05;Klotter;;Gata;;1;661060,2;6570745,4;;Per Olsson"
    return csv_bytes(lines, "cp1252")


def test_swedish_excel_csv_in_cp1252_is_imported_and_placed(empty_engine):
    result = run(empty_engine, "incidents", "kommun.csv", kommun_file(), source="kommun")
    assert (result.rows_read, result.stored.inserted, result.stored.duplicates) == (4, 4, 0)
    assert incident_rows(empty_engine, "occurred_at", "place_type", "age_group", "count", "cell_e",
                         "cell_n", "source_category") == [
        (dt.datetime(2024, 3, 4, 21, 30), "torg", "12-17", 2, None, None, "bråk mellan unga", "Hallunda"),
        (dt.datetime(2024, 3, 5, 7, 5), "gata", "okänd", 1, 661000, 6570500, "klotter", "Hallunda"),
        (dt.datetime(2024, 3, 6, 14, 0), "centrum", "okänd", 1, None, None, "otrygg plats", "Alby"),
        (dt.datetime(2024, 3, 7, 0, 0), "okänd", "okänd", 1, None, None, "klotter", "Okänt område"),
    ]
    assert "1 rader kunde inte placeras" in result.notes[0]
    assert scalar(empty_engine, "select sum(n) from mart_incident_week") == 5


def test_the_same_file_twice_adds_nothing_and_counts_duplicates(empty_engine):
    run(empty_engine, "incidents", "kommun.csv", kommun_file(), source="kommun")
    before = snapshot(empty_engine)
    again = run(empty_engine, "incidents", "kommun.csv", kommun_file(), source="kommun")
    assert (again.stored.inserted, again.stored.duplicates) == (0, 4)
    assert snapshot(empty_engine) == before
    assert again.summary() == ("Importerat: kommun.csv (incidents), 4 rader lästa, 4 godkända, "
                               "0 nya, 4 dubbletter")


def test_overlapping_exports_with_ids_add_only_the_new_rows(empty_engine):
    head = "Ärendenummer,Datum,Kategori,Område"
    first = csv_bytes([head, "BB-1,2024-01-02,Klotter,Fittja", "BB-2,2024-01-03,Skadegörelse,Fittja"], "utf-8")
    second = csv_bytes([head, "BB-2,2024-01-03,Skadegörelse,Fittja", "BB-3,2024-01-04,Klotter,Tumba"], "utf-8")
    run(empty_engine, "incidents", "vecka1.csv", first, source="botkyrkabyggen")
    result = run(empty_engine, "incidents", "vecka2.csv", second, source="botkyrkabyggen")
    assert (result.stored.inserted, result.stored.duplicates) == (1, 1)
    from lagesbild.store.keys import id_keys
    assert rows(empty_engine, "select natural_key from incidents order by natural_key") == sorted(
        (k,) for k in id_keys(["BB-1", "BB-2", "BB-3"]))


def test_identical_rows_in_one_file_are_separate_incidents_but_stable_on_reimport(empty_engine):
    data = csv_bytes(["Datum;Kategori;Område", "2024-05-01;Brand i container;Fittja",
                      "2024-05-01;Brand i container;Fittja"])
    assert run(empty_engine, "incidents", "rtj.csv", data, source="raddningstjanst").stored.inserted == 2
    assert run(empty_engine, "incidents", "rtj.csv", data, source="raddningstjanst").stored.duplicates == 2


def test_xlsx_export_with_datetimes_and_wgs84_points(empty_engine):
    data = xlsx_bytes(["Tidpunkt", "Händelsetyp", "Latitud", "Longitud"],
                      [[dt.datetime(2024, 6, 1, 23, 15), "Brand i fordon", 59.2455, 17.8420],
                       [dt.datetime(2024, 6, 2, 1, 0), "Automatlarm utan brand", 59.2455, 17.8420]])
    result = run(empty_engine, "incidents", "rtj.xlsx", data, source="raddningstjanst")
    assert (result.rows_read, result.stored.inserted) == (2, 1)
    assert result.notes[0] == ("1 rader har kategorier som inte räknas och hoppas över: "
                               "Automatlarm utan brand (1).")
    assert incident_rows(empty_engine, "occurred_at", "cell_e", "cell_n") == [
        (dt.datetime(2024, 6, 1, 23, 15), 662000, 6570750, "Albydalen")]


def test_dry_run_counts_but_writes_nothing(empty_engine):
    before = snapshot(empty_engine)
    result = run(empty_engine, "incidents", "kommun.csv", kommun_file(), source="kommun", dry_run=True)
    assert (result.stored.inserted, result.import_id) == (4, None)
    assert snapshot(empty_engine) == before
    assert scalar(empty_engine, "select count(*) from imports") == 0


def test_a_larger_file_imports_quickly(empty_engine):
    body = [f"2024-{1 + i % 12:02d}-{1 + i % 28:02d};{i % 24}:00;Klotter;Fittja;{i}" for i in range(20_000)]
    data = csv_bytes(["Datum;Tid;Kategori;Område;Nr"] + body)
    result = run(empty_engine, "incidents", "stor.csv", data, source="kommun")
    assert result.stored.inserted == 20_000
    assert scalar(empty_engine, "select sum(n) from mart_incident_month_total") == 20_000


@pytest.mark.parametrize("label", ["Kränkande behandling", "KRÄNKANDE  behandling"])
def test_categories_match_regardless_of_case_and_spacing(empty_engine, label):
    data = csv_bytes(["Datum;Kategori", f"2024-02-01;{label}"])
    run(empty_engine, "incidents", "skola.csv", data, source="kommun")
    assert rows(empty_engine, "select c.code from incidents i join categories c on c.id = i.category_id") == [
        ("krankning_skola",)]


def test_swapped_coordinates_are_refused_with_the_row_and_nothing_is_written(empty_engine):
    before = snapshot(empty_engine)
    data = csv_bytes(["Id;Tidpunkt;Kategori;E;N", "1;2024-03-05 14:30;Misshandel;662100;6570800",
                      "2;2024-03-05 15:30;Misshandel;6570800;662100"])
    with pytest.raises(FileRefused) as err:
        run(empty_engine, "incidents", "polis.csv", data, source="polis")
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "E/N", "6570800; 662100")
    assert "utanför Sverige" in problem.message and "omkastade" in problem.message
    assert snapshot(empty_engine) == before
