"""Utforska: any breakdown of the selection, its chart, and a download of exactly that selection."""
import streamlit as st

from lagesbild import figures, presenters
from lagesbild.exports import neutralise_formulas
from lagesbild.privacy import EXTERNAL, Policy
from lagesbild.queries.explore import export_frame, to_csv_bytes, to_excel_bytes, wide_table
from lagesbild.queries.incidents import DIMENSIONS, QueryError
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe

common.page_header("Utforska", "Välj själv hur urvalet ska delas upp, se det som tabell och diagram, "
                   "och ladda ned exakt det du ser.")
f = current()
st.markdown(f"**Urval:** {describe(f)}")
dims = list(DIMENSIONS)
c1, c2, c3 = st.columns([2, 2, 1])
rows = c1.multiselect("Rader", dims, default=["kommundel"], format_func=DIMENSIONS.get, max_selections=2,
                      key="rader", bind="query-params")
cols = c2.multiselect("Kolumner", [d for d in dims if d not in rows],
                      default=[d for d in ["strategic_area"] if d not in rows],  # a default must be an option
                      format_func=DIMENSIONS.get, max_selections=1, key="kolumner", bind="query-params")
external = c3.toggle("Extern export", key="extern", bind="query-params",
                     help="För material som lämnar centret: döljer alla små tal, även platsbundna.")
policy = Policy(k=common.policy().k, audience=EXTERNAL) if external else common.policy()
if not rows:
    st.info("Välj minst en indelning för raderna.")
    st.stop()
try:
    breakdown = data.explore(f, rows, cols, policy)
except QueryError as exc:
    st.error(str(exc))
    st.stop()
if breakdown.long.empty:
    st.warning("Urvalet innehåller inga händelser. Ändra period eller filter.")
    st.stop()
st.dataframe(wide_table(breakdown, rows, cols), hide_index=True)
st.caption(f"{len(breakdown.long)} celler. " + presenters.privacy_note(policy)
           + (" Extern export: alla tal skyddas, eftersom materialet lämnar centret." if external else "")
           + " Vecka kan inte kombineras med platstyp eller åldersgrupp (de finns per månad).")
chart = figures.explore_chart(breakdown.long, rows, cols)
st.plotly_chart(chart, config={"displayModeBar": False})
export = neutralise_formulas(export_frame(breakdown.long, rows + cols))  # no live formulas in the files
d1, d2 = st.columns(2)
# The files are written when a button is clicked, not on every run (an Excel file of 3 000 cells
# takes 0.2–0.4 s); both are exactly `export`.
d1.download_button("Ladda ned CSV", lambda: to_csv_bytes(export), file_name="lagesbild_urval.csv", mime="text/csv")
d2.download_button("Ladda ned Excel", lambda: to_excel_bytes(export), file_name="lagesbild_urval.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
