"""Trygghetsvandringar: observations open and fixed, time to fix, and the overdue list."""
import streamlit as st

from lagesbild.pageviews import vandringar
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe, today

common.page_header(vandringar.TITLE, vandringar.INTRO)
f = current()
head = st.container()  # the selection line and the metrics, above the grouping widget
group = st.segmented_control("Fördela på", list(vandringar.GROUPS), default="category",
                             format_func=vandringar.GROUPS.get, key="fordela", bind="query-params") or "category"
view = vandringar.build(data.walk_kpis(f, today()), data.walk_status_by(f, group, today()), group,
                        data.walk_time_to_fix(f), data.walk_actions(f, today(), "overdue"), today(), describe(f))
head.markdown(view.selection)
if view.empty:
    head.warning(view.empty)
    st.stop()
for column, m in zip(head.columns(len(view.metrics)), view.metrics):
    column.metric(m.label, m.value, m.delta, help=m.help, delta_color="off" if m.delta else "normal")
left, right = st.columns([3, 2])
left.plotly_chart(view.status, config={"displayModeBar": False})
if view.fix_times is None:
    right.info(vandringar.NO_FIXES)
else:
    right.plotly_chart(view.fix_times, config={"displayModeBar": False})
st.subheader("Försenade åtgärder")
if view.overdue is None:
    st.success(vandringar.NO_OVERDUE)
else:
    st.dataframe(view.overdue, hide_index=True)
    st.caption(view.overdue_note)
