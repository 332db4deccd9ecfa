"""Översikt's view builder on small inline frames, with exact expected values (no Streamlit, no store)."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from lagesbild import map_figures
from lagesbild.pageviews import oversikt
from lagesbild.privacy import Policy
from lagesbild.queries.compare import Baseline, Flags
from lagesbild.queries.filters import Filters

SQ = {"type": "Polygon", "coordinates": [[[17.80, 59.20], [17.90, 59.20], [17.90, 59.30], [17.80, 59.30], [17.80, 59.20]]]}
SQ2 = {"type": "Polygon", "coordinates": [[[17.90, 59.20], [18.00, 59.20], [18.00, 59.30], [17.90, 59.30], [17.90, 59.20]]]}
F52 = Filters(dt.date(2025, 11, 24), dt.date(2026, 11, 22))  # 52 weeks, Monday to Sunday
F4 = Filters(dt.date(2026, 10, 26), dt.date(2026, 11, 22))   # 4 weeks
AREAS = pd.DataFrame({"id": [1, 2, 3], "code": ["K", "A", "B"], "name": ["Kommun", "Alby", "Fittja"],
                      "level": ["kommun", "kommundel", "kommundel"], "parent_id": [None, 1, 1]})


def summary() -> pd.DataFrame:
    return pd.DataFrame({
        "area_id": [2, 3], "code": ["A", "B"], "name": ["Alby", "Fittja"], "level": ["kommundel"] * 2,
        "n": [120.0, np.nan], "n_label": ["120", "<5"], "n_suppressed": [False, True],
        "n_prev": [100.0, 7.0], "n_prev_label": ["100", "7"], "n_prev_suppressed": [False, False],
        "n_ly": [150.0, 6.0], "n_ly_label": ["150", "6"], "n_ly_suppressed": [False, False],
        "change_prev": [0.2, np.nan], "change_ly": [-0.2, np.nan],
        "population": [12000.0, 8000.0], "rate": [10.0, np.nan]})


def total() -> pd.DataFrame:
    return pd.DataFrame({
        "strategic_area": ["trygghet", "vald"], "n": [80.0, 40.0], "n_label": ["80", "40"],
        "n_prev": [60.0, 44.0], "n_prev_label": ["60", "44"], "n_ly": [100.0, 8.0], "n_ly_label": ["100", "8"],
        "change_prev": [80 / 60 - 1, 40 / 44 - 1], "change_ly": [-0.2, np.nan]})


def build(f=F52, level="kommundel", flags=None, basemap=map_figures.OFFLINE, s=None):
    flags = flags or Flags(pd.DataFrame(), None, 0)
    return oversikt.build(f, level, summary() if s is None else s, total(), flags, {2: SQ, 3: SQ2}, {1: SQ},
                          AREAS, {"rån": "Rån"}, Policy(), basemap)


@pytest.fixture(autouse=True)
def _strategic_areas(monkeypatch):
    monkeypatch.setattr(oversikt, "STRATEGIC_AREAS", {"trygghet": "Trygghetsskapande", "brott": "Brottsförebyggande",
                                                      "vald": "Våldsförebyggande"})


def test_52_weeks_compare_once_with_the_same_weeks_last_year():
    view = build(F52)
    assert view.comparison.same
    assert view.comparison.note == ("Med 52 veckor är föregående period samma veckor som i fjol "
                                    "(25 nov 2024 – 23 nov 2025): jämförelsen visas en gång.")
    assert [(k.label, k.value, k.delta) for k in view.kpis] == [
        ("Trygghetsskapande", "80", "-20\u00a0% mot samma veckor i fjol"),
        ("Brottsförebyggande", "0", None),
        ("Våldsförebyggande", "40", "+32 mot samma veckor i fjol (8)")]
    assert list(view.table.columns) == ["Område", "Invånare", "Antal", "Per 1 000 inv.", "Samma period i fjol",
                                        "Mot i fjol"]
    assert view.table.to_dict("list")["Mot i fjol"] == ["−20\u00a0%", "<5 mot 6"]


def test_shorter_periods_compare_with_the_previous_period_and_keep_both_columns():
    view = build(F4)
    assert not view.comparison.same and view.comparison.note is None
    assert [k.delta for k in view.kpis] == ["+33\u00a0% mot föregående period", None, "-9\u00a0% mot föregående period"]
    assert view.kpis[0].help == "Föregående period: 60. Samma period i fjol: 100"
    assert "Föregående period" in view.table.columns and "Samma period i fjol" in view.table.columns


def test_a_year_long_period_says_how_much_its_comparisons_overlap():
    # 365 days back from 1 jan 2025 is 2 jan 2024 (2024 has 366 days); 364 days back is 3 jan 2024.
    cmp = oversikt.comparison(Filters(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
    assert not cmp.same
    assert cmp.note == ("Föregående period (2 jan 2024 – 31 dec 2024) och samma period i fjol "
                        "(3 jan 2024 – 1 jan 2025) har 364 dagar gemensamt.")


def test_map_tooltips_are_plain_text_fields_and_names_are_drawn():
    view = build(F4)
    spec = json.loads(view.deck.to_json())
    areas = next(l for l in spec["layers"] if l["id"] == "areas")
    props = [f["properties"] for f in areas["data"]["features"]]
    assert [(p["title"], p["l1"], p["l2"], p["l3"], p["l4"], p["code"]) for p in props] == [
        ("Alby", "Händelser: 120", "Per 1 000 inv.: 10,0", "Föregående period: 100", "Samma period i fjol: 150", "A"),
        ("Fittja", "Händelser: <5", "Per 1 000 inv.: –", "Föregående period: 7", "Samma period i fjol: 6", "B")]
    assert props[1]["fill"] == map_figures.HIDDEN_COLOR
    assert not any("<b>" in v or "<br" in v for p in props for v in p.values() if isinstance(v, str))
    assert spec["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in spec  # no tiles: works offline
    assert [l["id"] for l in spec["layers"]] == ["kommun", "areas", "labels"]
    labels = next(l for l in spec["layers"] if l["id"] == "labels")
    assert sorted(d["name"] for d in labels["data"]) == ["Alby", "Fittja"]
    assert "å" in labels["characterSet"] or "A" in labels["characterSet"]


def test_online_basemap_is_carto_light_without_the_offline_ground():
    spec = json.loads(build(F4, basemap=map_figures.ONLINE).deck.to_json())
    assert spec["mapProvider"] == "carto" and "positron" in spec["mapStyle"]
    assert [l["id"] for l in spec["layers"]] == ["areas", "labels"]


def test_legend_names_the_unit_and_the_hidden_colour():
    view = build(F4)
    assert "Händelser per 1 000 invånare i perioden" in view.legend_html
    assert "10,0" in view.legend_html and "dolt (under 5) eller inga invånare" in view.legend_html


def test_bars_carry_the_area_codes_for_clicks():
    view = build(F4)
    assert view.bar_codes == ("A", "B")
    assert [c[0] for c in view.bar.data[0].customdata] == ["B", "A"]  # drawn bottom-up
    assert view.drill_hint == "Klicka på en kommundel på kartan eller en stapel för att visa dess områden."
    assert build(F4, level="omrade").drill_hint.endswith("visa bara det området.")


def test_flags_without_baseline_and_with_lines():
    assert (build(F4).flags_kind, build(F4).flags_text) == (
        "info", "Det finns för lite data före perioden för att jämföra mot en baslinje.")
    cells = pd.DataFrame({"area_id": [2], "category": ["rån"], "observed": [30.0], "observed_label": ["30"],
                          "expected": [10.0], "expected_suppressed": [False], "direction": ["up"], "q": [0.0001]})
    b = Baseline(periods=8, weeks=4, start=dt.date(2026, 3, 2), current=dt.date(2026, 10, 26))
    view = build(F4, flags=Flags(cells, b, 12))
    assert view.flags_kind == "lines"
    assert view.flags_lines == ("**Rån** i **Alby**: 30 händelser, fler än väntat (normalt 10,0); "
                                "mycket osannolikt att det är slump",)


def test_an_empty_selection_is_said_to_be_empty():
    s = summary().assign(n=[0.0, 0.0], n_suppressed=[False, False])
    assert build(F4, s=s).empty


@pytest.mark.parametrize("event, code", [
    (None, None),
    ({"selection": {"indices": {}, "objects": {}}}, None),
    ({"selection": {"indices": {"areas": [0]}, "objects": {"areas": [{"type": "Feature", "properties": {"code": "A"}}]}}}, "A"),
    ({"selection": {"points": [{"y": "Fittja", "customdata": ["B"]}], "point_indices": [0]}}, "B"),
    ({"selection": {"points": [{"y": "Fittja", "customdata": "B"}]}}, "B"),
    ({"selection": {"indices": {"density": [3]}, "objects": {"density": [{"polygon": [], "title": "Ruta"}]}}}, None),
])
def test_drill_code_reads_map_and_bar_clicks(event, code):
    assert oversikt.drill_code(event) == code
