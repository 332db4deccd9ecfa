"""The police events feed: real Stockholm-county data, time from `name`, kommun filter."""
from __future__ import annotations

import csv
import datetime as dt
import json

import pytest

from loaders.kinds.polisen import incident_time, kommun_of, published_at
from tests.test_loaders_support import incident_rows, run, scalar
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test


def _ignored_types(taxonomy_csv) -> set[str]:
    with open(taxonomy_csv, encoding="utf-8") as fh:
        return {" ".join(r["source_category"].split()).casefold() for r in csv.DictReader(fh)
                if r["source"] == "polis" and r["category_code"] == "-"}


def test_county_file_keeps_exactly_the_botkyrka_events(empty_engine, reference_data):
    from lagesbild import config
    county = (reference_data / "polisen_events_stockholms_lan.json").read_bytes()
    botkyrka = json.loads((reference_data / "polisen_events_botkyrka.json").read_text(encoding="utf-8"))
    ignored = _ignored_types(config.TAXONOMY_DIR / "source_categories.csv")
    expected = {f"polisen.se:{e['id']}" for e in botkyrka
                if " ".join(e["type"].split()).casefold() not in ignored}
    assert (len(botkyrka), len(expected)) == (334, 234)
    result = run(empty_engine, "polisen", "events.json", county)
    assert (result.rows_read, result.stored.inserted) == (8833, 234)
    assert result.notes[0] == "8499 händelser i andra kommuner än Botkyrka hoppas över."
    assert result.notes[1].startswith("100 händelser av typer som inte räknas hoppas över: "
                                      "Trafikolycka, personskada (34), Trafikolycka (20),")
    stored = incident_rows(empty_engine, "natural_key", "occurred_at")
    assert {k for k, _, _ in stored} == expected
    by_key = {k: t for k, t, _ in stored}
    assert by_key["polisen.se:649137"] == dt.datetime(2026, 8, 12, 3, 13)  # "12 augusti 03.13, …"
    assert scalar(empty_engine, "select count(*) from incidents where area_id = "
                  "(select id from areas where code = 'okant')") == 75
    again = run(empty_engine, "polisen", "botkyrka.json",
                (reference_data / "polisen_events_botkyrka.json").read_bytes())
    assert (again.stored.inserted, again.stored.duplicates) == (0, 234)


def test_districts_come_from_the_summary(empty_engine, reference_data):
    run(empty_engine, "polisen", "b.json", (reference_data / "polisen_events_botkyrka.json").read_bytes())
    stored = {k: a for k, _, a in incident_rows(empty_engine, "natural_key", "occurred_at")}
    assert stored["polisen.se:649137"] == "Norsborg"   # "… i Norsborgs tunnelbanestation …"
    assert stored["polisen.se:648894"] == "Fittja"


@pytest.mark.parametrize("name, published, expected", [
    ("12 augusti 03.13, Skadegörelse, Botkyrka", "2026-08-12 7:17:55", dt.datetime(2026, 8, 12, 3, 13)),
    ("8 augusti 6.05, Brand, Botkyrka", "2026-08-08 9:00:00", dt.datetime(2026, 8, 8, 6, 5)),
    ("09 november 10:02, Stöld, Huddinge", "2024-11-09 11:00:00", dt.datetime(2024, 11, 9, 10, 2)),
    ("31 december 23.08, Brand, Solna", "2026-01-01 0:05:56", dt.datetime(2025, 12, 31, 23, 8)),
    ("29 februari 12.00, Rån, Botkyrka", "2024-03-01 8:00:00", dt.datetime(2024, 2, 29, 12, 0)),
])
def test_incident_time_is_read_from_name(name, published, expected):
    assert incident_time(name, published_at(published)) == expected


def test_kommun_is_the_last_part_of_name():
    assert kommun_of("28 juli 08.29, Inbrott, försök, Botkyrka") == "Botkyrka"


def _event(i, name, type_, summary="", when="2025-05-02 10:00:00 +02:00"):
    return {"id": i, "datetime": when, "name": name, "summary": summary, "url": "/x", "type": type_,
            "location": {"name": "Stockholms län", "gps": "59.6,18.1"}}


def test_summaries_and_other_kommuner_are_skipped_and_counted(empty_engine):
    events = [_event(1, "1 maj 22.10, Misshandel, Botkyrka", "Misshandel", "Bråk vid Hågelby."),
              _event(2, "2 maj 07.00, Sammanfattning natt, Botkyrka", "Sammanfattning natt"),
              _event(3, "1 maj 21.00, Misshandel, Huddinge", "Misshandel")]
    result = run(empty_engine, "polisen", "e.json", json.dumps(events).encode())
    assert result.notes == ["1 händelser i andra kommuner än Botkyrka hoppas över.",
                            "1 sammanfattningar (t.ex. 'Sammanfattning natt') hoppas över: de samlar "
                            "flera händelser."]
    assert incident_rows(empty_engine, "natural_key", "occurred_at") == [
        ("polisen.se:1", dt.datetime(2025, 5, 1, 22, 10), "Tumba")]
