"""Våldspyramiden: incidents by severity level, from kränkningar to grovt våld, per area."""
import streamlit as st

from lagesbild import figures, presenters
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe

common.page_header("Våldspyramiden", "Händelser efter allvarlighetsnivå: från kränkningar längst ned "
                   "till grovt våld i toppen. Bara kategorier med en nivå i taxonomin räknas.")
f, policy = current(), common.policy()
st.markdown(f"**Urval:** {describe(f)}")
levels = data.pyramid(f, policy)
if levels.empty:
    st.warning("Urvalet innehåller inga händelser med en nivå i våldspyramiden.")
    st.stop()
left, right = st.columns([2, 3])
with left:
    st.subheader("Hela urvalet")
    st.plotly_chart(figures.pyramid(levels), config={"displayModeBar": False})
with right:
    st.subheader("Per kommundel")
    by_area = data.pyramid_by_area(f, policy)
    st.plotly_chart(figures.heat_table(by_area, "pyramid_level_label", "kommundel_label", "Antal"),
                    config={"displayModeBar": False})
st.dataframe(presenters.pyramid_table(by_area), hide_index=True)
st.caption(presenters.privacy_note(policy))
