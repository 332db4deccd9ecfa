"""Boende: housing figures per area over time beside the incident rates of the same areas."""
import streamlit as st

from lagesbild.pageviews import boende
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe

common.page_header(boende.TITLE, boende.INTRO)
f, policy = current(), common.policy()
head = st.container()  # the selection line, above the widgets
c1, c2 = st.columns(2)
level = c1.segmented_control("Områdesnivå", list(boende.LEVELS), default="kommundel", format_func=boende.LEVELS.get,
                             key="niva", bind="query-params") or "kommundel"
measure = c2.selectbox("Mått", boende.CHOICES, format_func=boende.measure_label, key="matt_boende",
                       bind="query-params")
view = boende.build(data.housing(f, level, policy), data.housing_incident_rates(f, level, policy), measure,
                    describe(f))
head.markdown(view.selection)
if view.empty:
    st.warning(view.empty)
    st.stop()
st.subheader(view.heading)
st.plotly_chart(view.lines, config={"displayModeBar": False})
st.subheader("Bredvid händelserna")
if view.beside is None:
    st.info(view.beside_note)
else:
    st.plotly_chart(view.beside, config={"displayModeBar": False})
    st.caption(view.beside_note)
st.dataframe(view.table, hide_index=True)
