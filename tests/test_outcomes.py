"""Outcome indicators from Kolada's export (JSON) and a plain CSV."""
from __future__ import annotations

import json

import pytest

from loaders.errors import FileRefused, UnreadableFile
from tests.test_loaders_support import csv_bytes, rows, run

KOLADA = {"count": 2, "values": [
    {"kpi": "gymnasieexamen", "municipality": "0127", "period": 2015,
     "values": [{"count": 1, "gender": "T", "status": "", "value": 77.0},
                {"count": 1, "gender": "K", "status": "", "value": None}]},
    {"kpi": "gymnasieexamen", "municipality": "0001", "period": 2015,
     "values": [{"count": 1, "gender": "T", "status": "", "value": 90.0}]},
    {"kpi": "gymnasieexamen", "municipality_id": "0127", "period": 2019,
     "values": [{"gender": "T", "value": 91.0}]}]}


def test_kolada_export_is_read_with_its_comparison_region(empty_engine):
    result = run(empty_engine, "outcomes", "kolada.json", json.dumps(KOLADA).encode())
    assert (result.stored.inserted, result.rows_read) == (3, 3)     # the empty K value is not a value
    assert rows(empty_engine, "select region_code, region_kind, year, value, unit, name, strategic_area "
                "from outcome_indicators order by year, region_code") == [
        ("0001", "lan", 2015, 90.0, "%", "Gymnasieelever med examen inom 4 år", "våldsförebyggande"),
        ("0127", "kommun", 2015, 77.0, "%", "Gymnasieelever med examen inom 4 år", "våldsförebyggande"),
        ("0127", "kommun", 2019, 91.0, "%", "Gymnasieelever med examen inom 4 år", "våldsförebyggande")]
    again = run(empty_engine, "outcomes", "kolada.json", json.dumps(KOLADA).encode())
    assert (again.stored.inserted, again.stored.duplicates) == (0, 3)


def test_a_plain_csv_per_area_and_a_correction(empty_engine):
    head = "Indikator;Område;År;Värde;Enhet;Källa;Strategiskt område"
    first = csv_bytes([head, "Föräldrar i ABC;Fittja;2019;48;antal;Kommunens statistik;Våldsförebyggande",
                       "Föräldrar i ABC;Botkyrka;2019;210;antal;Kommunens statistik;Våldsförebyggande"])
    assert run(empty_engine, "outcomes", "abc.csv", first).stored.inserted == 2
    fixed = csv_bytes([head, "Föräldrar i ABC;Fittja;2019;52;antal;Kommunens statistik;Våldsförebyggande"])
    result = run(empty_engine, "outcomes", "abc.csv", fixed)
    assert result.stored.corrections == ["Föräldrar i ABC Fittja 2019 48 → 52"]
    assert rows(empty_engine, "select region_kind, value from outcome_indicators order by value") == [
        ("omrade", 52.0), ("kommun", 210.0)]


@pytest.mark.parametrize("line, column", [
    ("Föräldrar i ABC;Atlantis;2019;48", "Område"),
    ("Föräldrar i ABC;Fittja;nittonhundra;48", "År"),
    ("Föräldrar i ABC;Fittja;2019;många", "Värde"),
])
def test_bad_outcome_rows_name_row_and_column(empty_engine, line, column):
    with pytest.raises(FileRefused) as refused:
        run(empty_engine, "outcomes", "abc.csv", csv_bytes(["Indikator;Område;År;Värde", line]))
    assert (refused.value.problems[0].row, refused.value.problems[0].column) == (2, column)


def test_a_json_that_is_not_kolada_is_refused(empty_engine):
    with pytest.raises(UnreadableFile):
        run(empty_engine, "outcomes", "x.json", b'{"hello": 1}')
