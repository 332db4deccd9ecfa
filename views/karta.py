"""Karta: aggregated density per grid cell, area borders, safety walks and housing, by period."""
import dataclasses

import streamlit as st

from lagesbild import formatting as fmt
from lagesbild import map_figures
from lagesbild.domain.geo import CELL_SIZE_M
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe, today

common.page_header("Karta", f"Var händelserna samlas: antal per ruta på {CELL_SIZE_M} × {CELL_SIZE_M} m "
                   "(aldrig enskilda händelser), med områdesgränser, trygghetsvandringar och boende.")
f, policy = current(), common.policy()
names = data.category_names()
chosen = st.multiselect("Kategorier", list(names), format_func=names.get, placeholder="Alla kategorier",
                        key="kategori", bind="query-params")
f = dataclasses.replace(f, categories=tuple(chosen))
st.markdown(f"**Urval:** {describe(f)}")
c1, c2, c3 = st.columns(3)
show_walks = c1.toggle("Trygghetsvandringar", value=True, key="vandringar", bind="query-params")
show_housing = c2.toggle("Boende: störningsärenden per 100 lgh", value=False, key="boende", bind="query-params")
show_borders = c3.toggle("Områdesgränser", value=True, key="granser", bind="query-params")

cells = data.density(f, policy)
size = cells.attrs.get("cell_size", CELL_SIZE_M)
layers = []
if show_housing:
    signals = data.housing_signals(f, "omrade", policy)
    if not signals.empty:
        signals = signals.assign(name=signals["area"], per100=[fmt.number(v, 1) for v in signals["disturbance_cases_per_100"]])
        layers.append(map_figures.area_layer(map_figures.area_features(
            signals, data.geometries("omrade"), "disturbance_cases_per_100",
            [("Störningsärenden per 100 lgh", "per100")], map_figures.BLUES), "housing"))
if show_borders:
    areas = data.area_frame()
    outline = areas[areas.level == "omrade"].rename(columns={"id": "area_id"}).assign(v=float("nan"))
    feats = map_figures.area_features(outline, data.geometries("omrade"), "v", [])
    for feat in feats:
        feat["properties"]["fill"] = [0, 0, 0, 0]
    layers.append(map_figures.area_layer(feats, "borders", filled=False))
if not cells.empty:
    layers.append(map_figures.density_layer(cells, size))
walk_cells = data.walk_cells(f, today()) if show_walks else None
if walk_cells is not None and not walk_cells.empty:
    layers.append(map_figures.observation_layer(walk_cells))

if cells.empty:
    st.warning("Inga händelser med plats i urvalet. Välj en längre period eller färre filter.")
view = map_figures.view_for([{"geometry": g} for g in data.geometries("kommun").values()], 620, 1100)
st.pydeck_chart(map_figures.layered_map(layers, view), height=620)
legend = [f"Rutor: {fmt.number(size)} × {fmt.number(size)} m, händelser {fmt.date_range(f.start, f.end)}"]
if size > CELL_SIZE_M:
    legend.append("rutorna är sammanslagna eftersom urvalet annars blir för stort att visa")
legend.append(f"rutor med färre än {policy.k} personrelaterade händelser visas inte")
if show_walks:
    legend.append("prickar: trygghetsvandringar (röd försenad, gul öppen, grön åtgärdad, grå avslagen)")
st.caption("; ".join(legend) + ".")
if data.any_schematic():
    st.caption("Områdesgränserna är **schematiska** (ritade av Lägesbild, inte officiella).")
m1, m2 = st.columns(2)
m1.metric("Rutor med händelser", fmt.number(len(cells)))
m2.metric("Händelser i synliga rutor", fmt.number(cells["n"].sum()) if not cells.empty else "0")
