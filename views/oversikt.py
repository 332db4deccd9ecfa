"""Översikt: the picture at a glance for the selected period."""
import streamlit as st

from lagesbild import map_figures
from lagesbild.pageviews import oversikt as view_of
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe, link_note

common.page_header("Översikt", "Läget i perioden per område och strategiskt område, "
                   "jämfört med föregående period och samma period i fjol.")
f, policy = current(), common.policy()
if link_note():
    st.warning(link_note())
st.markdown(f"**Urval:** {describe(f)}")


def follow_click(chart_key: str) -> None:
    """A click on an area (map) or a bar: the area filter follows; a kommundel opens its områden."""
    code = view_of.drill_code(st.session_state.get(chart_key))
    if code:
        st.session_state["omrade"] = [code]
        st.session_state["niva"] = "omrade"
    st.session_state["_oversikt_clicks"] = st.session_state.get("_oversikt_clicks", 0) + 1  # a fresh chart


def show_all() -> None:
    st.session_state["omrade"] = []
    st.session_state["_oversikt_clicks"] = st.session_state.get("_oversikt_clicks", 0) + 1


c1, c2, c3 = st.columns([2, 2, 3], vertical_alignment="bottom")
# No default once a click has set the level (follow_click): Streamlit warns on the page when a widget
# has both a default and a value set through st.session_state.
level = c1.segmented_control("Områdesnivå", list(view_of.LEVELS),
                             default=None if "niva" in st.session_state else "kommundel",
                             format_func=view_of.LEVELS.get, key="niva", bind="query-params") or "kommundel"
basemap = c2.segmented_control("Bakgrund", list(map_figures.BASEMAPS), default=map_figures.OFFLINE,
                               format_func={map_figures.OFFLINE: "Enkel", map_figures.ONLINE: "Gatukarta"}.get,
                               key="bakgrund", bind="query-params",
                               help="Enkel fungerar utan internet; gatukartan hämtas från Carto och kräver internet."
                               ) or map_figures.OFFLINE
if f.areas:
    c3.button("Visa alla områden", on_click=show_all, icon=":material/zoom_out_map:")

first, _ = data.data_range()
summary, total, flags = data.overview(f, level, policy, first)
areas = data.area_frame()
view = view_of.build(f, level, summary, total, flags, data.geometries(level), data.geometries("kommun"), areas,
                     data.category_names(), policy, basemap)

if view.empty:
    common.say_empty(f)

st.subheader("Händelser inom de strategiska områdena")
for col, kpi in zip(st.columns(4), view.kpis):
    # Grey arrows: they say more or fewer incidents, not better or worse.
    col.metric(kpi.label, kpi.value, kpi.delta, delta_color="off", help=kpi.help or None)
if view.comparison.note:
    st.caption(view.comparison.note)

clicks = st.session_state.get("_oversikt_clicks", 0)  # a new chart after a click: no stale selection
left, right = st.columns([3, 2])
with left:
    st.subheader("Händelser per 1 000 invånare")
    map_key = f"oversikt_karta_{clicks}"
    st.pydeck_chart(view.deck, height=view_of.MAP_HEIGHT, on_select=lambda: follow_click(map_key),
                    selection_mode="single-object", key=map_key)
    st.html(view.legend_html)
    if data.any_schematic():
        st.caption("Områdesgränserna är **schematiska** (ritade av Lägesbild, inte officiella). "
                   "Ladda upp kommunens egna gränser under Datakällor.")
with right:
    st.subheader("Antal per område")
    bar_key = f"oversikt_staplar_{clicks}"
    st.plotly_chart(view.bar, config={"displayModeBar": False}, on_select=lambda: follow_click(bar_key),
                    selection_mode="points", key=bar_key)
st.caption(view.drill_hint)

st.subheader("Per område")
st.dataframe(view.table, hide_index=True)
st.caption(view.table_note)

st.subheader("Det här sticker ut")
if view.flags_kind == "info":
    st.info(view.flags_text)
elif view.flags_kind == "success":
    st.success(view.flags_text)
else:
    for line in view.flags_lines:
        st.markdown(f"- {line}")
st.caption(view.flags_note)
