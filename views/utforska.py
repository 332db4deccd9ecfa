"""Utforska: any breakdown of the selection, its chart, and a download of exactly that selection.
The page places widgets and renders lagesbild.pageviews.utforska's view."""
import streamlit as st

from lagesbild import presenters
from lagesbild.access import Right
from lagesbild.access.downloads import download
from lagesbild.access.ui import current_user
from lagesbild.exports import csv_file, excel_file
from lagesbild.pageviews import utforska as uv
from lagesbild.privacy import EXTERNAL, Policy
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
    common.say_empty(f)
layout = uv.WIDE
if cols:
    layout = st.segmented_control("Form på filerna", list(uv.LAYOUTS), format_func=uv.LAYOUTS.get,
                                  default=uv.WIDE, key="form", bind="query-params") or uv.WIDE
view = uv.build(breakdown, rows, cols, policy, layout, describe(f), (f.start, f.end), common.is_demo(),
                presenters.data_version_label(common.data_version()))
st.dataframe(view.table, hide_index=True)
st.caption(view.caption)
if view.chart_note:  # a breakdown too large for a chart: the totals' chart or none, and why
    st.info(view.chart_note, icon=":material/bar_chart_off:" if view.chart is None else ":material/bar_chart:")
if view.chart is not None:
    st.plotly_chart(view.chart, config={"displayModeBar": False})
user = current_user()
if user.can(Right.DOWNLOAD):  # checked again and logged in downloads.download
    selection = (f"{describe(f)}; rader {', '.join(rows)}; kolumner {', '.join(cols) or '-'}; "
                 f"publik {policy.audience}; form {layout}")
    d1, d2 = st.columns(2)
    # The files are written when a button is clicked, not on every run; both are exactly `view.export`.
    d1.download_button("Ladda ned CSV", lambda: download(user, common.engine(), lambda: csv_file(view.export),
                       f"Utforska CSV: {selection}"), file_name=view.csv_name, mime="text/csv")
    d2.download_button("Ladda ned Excel", lambda: download(user, common.engine(), lambda: excel_file(view.export),
                       f"Utforska Excel: {selection}"), file_name=view.excel_name,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.caption(view.protected_note)
