"""Trender: weekly, monthly and quarterly series per strategic or focus area, and year over year."""
import streamlit as st

from lagesbild import freshness
from lagesbild.pageviews import trender
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.feeds import statuses
from lagesbild.ui.filters import current, describe

common.page_header("Trender", "Utvecklingen över tid per strategiskt område eller fokusområde, "
                   "med glidande medelvärde och föregående års linje.")
f, policy = current(), common.policy()
st.markdown(f"**Urval:** {describe(f)}")

c1, c2 = st.columns([1, 1.9])
grain = c1.segmented_control("Tidsindelning", list(trender.GRAIN_NAMES), default="month",
                             format_func=trender.GRAIN_NAMES.get, key="tid", bind="query-params") or "month"
split = c2.segmented_control("Dela upp på", ["strategic_area", "focus_area", "none"], default="strategic_area",
                             format_func={"strategic_area": "Strategiskt område", "focus_area": "Fokusområde",
                                          "none": "Ingen uppdelning"}.get,
                             key="dela", bind="query-params") or "strategic_area"
c3, t1, t2 = st.columns([1, 0.95, 0.95], vertical_alignment="bottom")
measure = c3.segmented_control("Mått", list(trender.MEASURE_NAMES), default="count",
                               format_func=trender.MEASURE_NAMES.get, key="matt", bind="query-params") or "count"
can_compare, compare_help = trender.reference_available(measure, f.areas)
reference = t1.toggle("Jämför med hela kommunen", value=False, key="kommun", bind="query-params",
                      help=compare_help, disabled=not can_compare)
show_actions = t2.toggle("Visa insatser i urvalets områden", value=True, key="insatser", bind="query-params")

points = data.series(f, grain, None if split == "none" else split, measure, policy,
                     reference=reference and can_compare)
years = data.year_over_year(f, "strategic_area" if split == "none" else split, policy, measure=measure)
bands = data.action_bands(f.areas, f.start, f.end) if show_actions else None
view = trender.build(points, years, grain=grain, split=split, measure=measure, policy=policy,
                     delivered_through=freshness.delivered_through(statuses(), f.end), bands=bands,
                     reference=reference, areas=f.areas)

if view.empty:
    common.say_empty(f)
if not can_compare and f.areas:
    st.caption(compare_help)
st.plotly_chart(view.figure, config={"displayModeBar": False})
st.caption(view.notes)

st.subheader(view.year_heading)
if view.year_empty:
    st.info(view.year_empty)
else:
    st.dataframe(view.year_table, hide_index=True)
    st.caption(view.year_note)
