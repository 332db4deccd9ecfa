"""Våldspyramiden: incidents by severity level, from kränkningar to grovt våld, per area."""
import streamlit as st

from lagesbild.pageviews import pyramiden
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe

common.page_header(pyramiden.TITLE, pyramiden.INTRO)
f, policy = current(), common.policy()
view = pyramiden.build(data.pyramid(f, policy), data.pyramid_by_area(f, policy), policy, describe(f))
st.markdown(view.selection)
if view.empty:
    common.say_empty(f)
left, right = st.columns([2, 3])
left.subheader("Hela urvalet")
left.plotly_chart(view.pyramid, config={"displayModeBar": False})
right.subheader("Per kommundel")
right.plotly_chart(view.by_area, config={"displayModeBar": False})
st.dataframe(view.table, hide_index=True)
st.caption(view.note)
