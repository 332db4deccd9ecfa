"""Boende: housing figures per area over time beside the incident rates of the same areas."""
import streamlit as st

from lagesbild import figures, presenters
from lagesbild.queries.housing import MEASURES
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe

common.page_header("Boende", "Bostadsbolagets siffror per område och kvartal – vakans, avflyttning, "
                   "störningar, skadegörelse – bredvid händelserna i samma områden.")
f, policy = current(), common.policy()
st.markdown(f"**Urval:** {describe(f)}")
c1, c2 = st.columns(2)
level = c1.segmented_control("Områdesnivå", ["kommundel", "omrade"], default="kommundel",
                             format_func={"kommundel": "Kommundel", "omrade": "Område (RegSO)"}.get,
                             key="niva", bind="query-params") or "kommundel"
measure = c2.selectbox("Mått", ["disturbance_cases", "damage", "moves_out", "vacant", "evictions"], format_func=lambda m: f"{MEASURES[m]} per 100 lägenheter",
                       key="matt_boende", bind="query-params")
housing = data.housing(f, level, policy)
if housing.empty:
    st.warning("Inga bostadsuppgifter i urvalet. Välj en längre period (siffrorna kommer per kvartal) "
               "eller importera bostadsbolagets fil under Datakällor.")
    st.stop()
st.subheader(f"{MEASURES[measure]} per 100 lägenheter")
st.plotly_chart(figures.housing_lines(housing, f"{measure}_per_100", "Per 100 lägenheter"),
                config={"displayModeBar": False})
st.subheader("Bredvid händelserna")
rates = data.housing_incident_rates(f, level, policy)
joined = presenters.housing_beside_incidents(housing, rates, measure)
if joined.empty:
    st.info("Inga kvartal med både bostadsuppgifter och händelser i urvalet.")
else:
    st.plotly_chart(figures.scatter_housing_incidents(joined, f"{measure}_per_100", f"{MEASURES[measure]} per 100 lgh"),
                    config={"displayModeBar": False})
    st.caption(f"Senaste hela kvartalet med båda uppgifterna: {joined.attrs['quarter_label']}. Varje punkt är ett område. "
               "Ett samband här säger inget om orsak.")
st.dataframe(presenters.housing_table(housing), hide_index=True)
