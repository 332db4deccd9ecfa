"""Karta: aggregated density per grid cell, area borders, safety walks and housing, by period."""
import streamlit as st

from lagesbild import map_figures
from lagesbild.domain.geo import CELL_SIZE_M
from lagesbild.pageviews import karta as view_of
from lagesbild.pageviews.oversikt import drill_code
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe, link_note, today

common.page_header("Karta", f"Var händelserna samlas: antal per ruta på {CELL_SIZE_M} × {CELL_SIZE_M} m "
                   "(aldrig enskilda händelser), med områdesgränser, trygghetsvandringar och boende.")
f, policy = current(), common.policy()
if link_note():
    st.warning(link_note())
st.markdown(f"**Urval:** {describe(f)}")


def follow_click(chart_key: str) -> None:
    """A click on an area (outside the cells) selects that area in the sidebar filter."""
    code = drill_code(st.session_state.get(chart_key))
    if code:
        st.session_state["omrade"] = [code]
    # A fresh chart, also after a click on a cell: a kept selection would grey every other cell.
    st.session_state["_karta_clicks"] = st.session_state.get("_karta_clicks", 0) + 1


c1, c2, c3, c4 = st.columns(4)
show_walks = c1.toggle("Trygghetsvandringar", value=True, key="vandringar", bind="query-params")
show_housing = c2.toggle("Störningar i boende", value=False, key="boende", bind="query-params",
                         help="Störningsärenden per 100 lägenheter per område, senaste perioden (blå).")
show_borders = c3.toggle("Områdesgränser och namn", value=True, key="granser", bind="query-params")
basemap = c4.segmented_control("Bakgrund", list(map_figures.BASEMAPS), default=map_figures.OFFLINE,
                               format_func={map_figures.OFFLINE: "Enkel", map_figures.ONLINE: "Gatukarta"}.get,
                               key="bakgrund", bind="query-params",
                               help="Enkel fungerar utan internet; gatukartan hämtas från Carto och kräver internet."
                               ) or map_figures.OFFLINE

cells = data.density(f, policy)
view = view_of.build(f, cells, policy, data.area_frame(), data.geometries("omrade"), data.geometries("kommun"),
                     walk_cells=data.walk_cells(f, today()) if show_walks else None,
                     housing=data.housing_signals(f, "omrade", policy) if show_housing else None,
                     show_borders=show_borders, basemap=basemap)
if view.empty_warning:
    st.warning(view.empty_warning)
map_key = f"karta_{st.session_state.get('_karta_clicks', 0)}"
st.pydeck_chart(view.deck, height=view_of.MAP_HEIGHT, on_select=lambda: follow_click(map_key),
                selection_mode="single-object", key=map_key)
for legend in view.legends_html:
    st.html(legend)
st.caption(view.caption + (" Klicka på ett område utanför rutorna för att välja det." if show_borders else ""))
if data.any_schematic():
    st.caption("Områdesgränserna är **schematiska** (ritade av Lägesbild, inte officiella).")
m1, m2 = st.columns(2)
m1.metric("Rutor med händelser", view.cells_metric)
m2.metric("Händelser i synliga rutor", view.events_metric)
