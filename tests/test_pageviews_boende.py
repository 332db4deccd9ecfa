"""Boende's view from small inline frames, exact values (lagesbild.pageviews.boende)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lagesbild.pageviews import boende
from tests.conftest import plotly_array

Q3, Q4 = dt.date(2026, 7, 1), dt.date(2026, 10, 1)


def housing() -> pd.DataFrame:
    return pd.DataFrame({
        "area_id": [2, 3, 2], "area": ["Alby", "Fittja", "Alby"], "period_start": [Q3, Q3, Q4],
        "apartments": [400, 500, 400], "vacant": [8, 5, 6], "moves_out": [12, 10, 9],
        "disturbance_cases": [20, 30, 10], "damage": [4, 15, 2], "evictions": [float("nan"), 6.0, 0.0],
        "evictions_label": ["<5", "6", "0"],
        "disturbance_cases_per_100": [5.0, 6.0, 2.5], "damage_per_100": [1.0, 3.0, 0.5]})


def rates() -> pd.DataFrame:  # incidents per 1 000 per area and quarter (20263 = 2026 Q3)
    return pd.DataFrame({"area_id": [2, 3, 2], "quarter": [20263, 20263, 20262], "rate": [0.5, 1.25, 0.7]})


def test_the_view_of_a_measure():
    view = boende.build(housing(), rates(), "disturbance_cases", "v. 27 2026 – v. 52 2026")
    assert view.selection == "**Urval:** v. 27 2026 – v. 52 2026" and view.empty is None
    assert view.heading == "Störningsärenden per 100 lägenheter"
    # The scatter: the latest quarter held by both frames (Q3: Q4 has no incidents), one point per area.
    scatter = view.beside.data[0]
    assert list(scatter.text) == ["Alby", "Fittja"]
    assert plotly_array(scatter.x) == [5.0, 6.0] and plotly_array(scatter.y) == [0.5, 1.25]
    assert view.beside_note.startswith("Senaste hela kvartalet med båda uppgifterna: kv3 2026.")
    # The lines: one per area, over the quarters.
    assert [t.name for t in view.lines.data] == ["Alby", "Fittja"]
    # The table: newest first, numbers in Swedish, evictions as published.
    assert view.table.to_dict(orient="list") == {
        "Område": ["Alby", "Fittja", "Alby"], "Kvartal": ["kv4 2026", "kv3 2026", "kv3 2026"],
        "Lägenheter": ["400", "500", "400"], "Vakanta": ["6", "5", "8"], "Avflyttningar": ["9", "10", "12"],
        "Störningsärenden": ["10", "30", "20"], "Skadegörelse": ["2", "15", "4"], "Vräkningar": ["0", "6", "<5"]}


def test_no_common_quarter_says_so():
    view = boende.build(housing(), rates().assign(quarter=20251), "damage", "urval")
    assert view.beside is None and view.beside_note == boende.NOTHING_BESIDE
    assert view.heading == "Skadegörelse per 100 lägenheter"


def test_no_housing_figures():
    view = boende.build(housing().iloc[0:0], rates(), "damage", "urval")
    assert view.empty == boende.EMPTY and view.lines is None and view.table is None


def test_measure_labels():
    assert [boende.measure_label(m) for m in boende.CHOICES] == [
        "Störningsärenden per 100 lägenheter", "Skadegörelse per 100 lägenheter", "Avflyttningar per 100 lägenheter",
        "Vakanta per 100 lägenheter", "Vräkningar per 100 lägenheter"]
