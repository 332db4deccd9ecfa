"""Trygghetsvandringar: observations open and fixed, time to fix, and the overdue list."""
import streamlit as st

from lagesbild import figures, presenters
from lagesbild import formatting as fmt
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe, today

common.page_header("Trygghetsvandringar", "Iakttagelser från vandringar i perioden: vad som är åtgärdat, "
                   "vad som är öppet och vad som är försenat, per kategori, område och ansvarig.")
f = current()
st.markdown(f"**Urval:** vandringar {describe(f)}")
k = data.walk_kpis(f, today())
if k["observations"] == 0:
    st.warning("Inga trygghetsvandringar i urvalet. Välj en längre period eller ett annat område.")
    st.stop()
c = st.columns(5)
c[0].metric("Vandringar", fmt.number(k["walks"]))
c[1].metric("Iakttagelser", fmt.number(k["observations"]))
c[2].metric("Öppna", fmt.number(k["open"]))
c[3].metric("Försenade", fmt.number(k["overdue"]), help="Öppna iakttagelser vars tidsfrist har passerat")
c[4].metric("Mediantid till åtgärd", "–" if k["median_days"] is None else f"{fmt.number(k['median_days'])} dagar",
            None if k["share_in_time"] is None else f"{fmt.percent(k['share_in_time'])} inom tidsfrist",
            delta_color="off")

group = st.segmented_control("Fördela på", ["category", "area", "responsible_actor"], default="category",
                             format_func=presenters.WALK_GROUPS.get, key="fordela", bind="query-params") or "category"
status = presenters.walk_status_labels(data.walk_status_by(f, group, today()), group)
left, right = st.columns([3, 2])
with left:
    st.plotly_chart(figures.status_bars(status, group, presenters.WALK_GROUPS[group]), config={"displayModeBar": False})
with right:
    fixes = data.walk_time_to_fix(f)
    if fixes.empty:
        st.info("Inga åtgärdade iakttagelser i urvalet ännu.")
    else:
        st.plotly_chart(figures.fix_time_histogram(fixes), config={"displayModeBar": False})

st.subheader("Försenade åtgärder")
overdue = data.walk_actions(f, today(), "overdue")
if overdue.empty:
    st.success("Inga försenade åtgärder.")
else:
    st.dataframe(presenters.walk_actions_table(overdue), hide_index=True)
    st.caption(f"Öppna iakttagelser (ny eller planerad) från vandringar i perioden vars tidsfrist passerat "
               f"per {fmt.date(today())}, äldst först. Veckobriefingen visar försenade åtgärder från alla vandringar.")
