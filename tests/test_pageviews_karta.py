"""Karta's view builder on small inline frames, with exact expected values (no Streamlit, no store)."""
from __future__ import annotations

import copy
import datetime as dt
import json

import pandas as pd

from lagesbild import map_figures
from lagesbild.pageviews import karta
from lagesbild.privacy import Policy
from lagesbild.queries.filters import Filters

SQ = {"type": "Polygon", "coordinates": [[[17.80, 59.20], [17.90, 59.20], [17.90, 59.30], [17.80, 59.30], [17.80, 59.20]]]}
SQ2 = {"type": "Polygon", "coordinates": [[[17.90, 59.20], [18.00, 59.20], [18.00, 59.30], [17.90, 59.30], [17.90, 59.20]]]}
BIG = {"type": "Polygon", "coordinates": [[[17.7, 59.1], [18.1, 59.1], [18.1, 59.4], [17.7, 59.4], [17.7, 59.1]]]}
F = Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
AREAS = pd.DataFrame({"id": [1, 2, 8, 9], "code": ["K", "KA", "R1", "R2"], "name": ["Kommun", "Alby", "Albyberget", "Årsta"],
                      "level": ["kommun", "kommundel", "omrade", "omrade"], "parent_id": [None, 1, 2, 2]})
GEOMS = {8: SQ, 9: SQ2}


def cells(n=(1, 3, 12)) -> pd.DataFrame:
    out = pd.DataFrame({"cell_e": [660000, 660250, 660500][:len(n)], "cell_n": [6570000] * len(n),
                        "n": [float(x) for x in n], "n_label": [str(x) for x in n], "suppressed": [False] * len(n)})
    out.attrs["cell_size"] = 250
    return out


def layers(view) -> dict:
    return {l["id"]: l for l in json.loads(view.deck.to_json())["layers"]}


def test_default_map_offline_with_names_cells_and_legend():
    geoms = copy.deepcopy(GEOMS)
    view = karta.build(F, cells(), Policy(), AREAS, geoms, {1: BIG})
    assert geoms == GEOMS  # the builder does not touch its inputs
    assert list(layers(view)) == ["kommun", "borders", "density", "labels"]
    borders = layers(view)["borders"]["data"]["features"]
    assert [(b["properties"]["title"], b["properties"]["code"], b["properties"]["fill"]) for b in borders] == [
        ("Albyberget", "R1", karta.BORDER_FILL), ("Årsta", "R2", karta.BORDER_FILL)]
    density = layers(view)["density"]["data"]
    assert [(d["title"], d["l1"], d["l2"]) for d in density] == [("Ruta 250 × 250 m", "Händelser: 1", "")] + \
        [("Ruta 250 × 250 m", "Händelser: 3", ""), ("Ruta 250 × 250 m", "Händelser: 12", "")]
    assert len(view.legends_html) == 1
    assert "Händelser per ruta (250 × 250 m) i perioden" in view.legends_html[0]
    assert [t for t in ("1", "3", "12") if f">{t}</span>" in view.legends_html[0]] == ["1", "3", "12"]
    assert (view.cells_metric, view.events_metric, view.empty_warning) == ("3", "16", None)
    assert view.caption == ("Rutor: 250 × 250 m, händelser 1 okt 2026 – 31 okt 2026; "
                            "rutor med färre än 5 personrelaterade händelser visas inte.")


def test_walks_housing_and_a_chosen_area():
    walks = pd.DataFrame({"cell_e": [660000], "cell_n": [6570000], "status": ["försenad"], "n": [2]})
    housing = pd.DataFrame({"area_id": [8, 9], "area": ["Albyberget", "Årsta"], "disturbance_cases_per_100": [2.5, 0.5]})
    f = Filters(F.start, F.end, areas=("KA",))
    view = karta.build(f, cells(), Policy(), AREAS, GEOMS, {1: BIG}, walk_cells=walks, housing=housing)
    assert list(layers(view)) == ["kommun", "housing", "borders", "density", "chosen", "observations", "labels"]
    assert [h["properties"]["l1"] for h in layers(view)["housing"]["data"]["features"]] == [
        "Störningsärenden per 100 lgh: 2,5", "Störningsärenden per 100 lgh: 0,5"]
    assert [c["properties"]["code"] for c in layers(view)["chosen"]["data"]["features"]] == ["R1", "R2"]
    obs = layers(view)["observations"]["data"]
    assert [(o["title"], o["l1"]) for o in obs] == [("Trygghetsvandring", "försenad: 2 iakttagelser")]
    assert len(view.legends_html) == 3 and "störningsärenden per 100 lägenheter" in view.legends_html[1]
    assert "försenad" in view.legends_html[2]
    assert view.caption.endswith("prickar: trygghetsvandringar (röd försenad, gul öppen, grön åtgärdad, grå avslagen).")
    # The view zooms to the chosen kommundel's områden (17.8–18.0), not the kommun (17.7–18.1).
    assert abs(json.loads(view.deck.to_json())["initialViewState"]["longitude"] - 17.9) < 1e-9


def test_no_cells_says_so_and_online_basemap_has_no_offline_ground():
    view = karta.build(F, cells(())[0:0], Policy(), AREAS, GEOMS, {1: BIG}, show_borders=False,
                       basemap=map_figures.ONLINE)
    assert view.empty_warning == "Inga händelser med plats i urvalet. Välj en längre period eller färre filter."
    assert (view.cells_metric, view.events_metric) == ("0", "0")
    spec = json.loads(view.deck.to_json())
    assert spec["layers"] == [] and spec["mapProvider"] == "carto"


def test_coarser_cells_are_said_to_be_merged():
    c = cells()
    c.attrs["cell_size"] = 1000
    assert "rutorna är sammanslagna" in karta.build(F, c, Policy(), AREAS, GEOMS, {1: BIG}).caption
