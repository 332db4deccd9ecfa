"""Trender: monthly and quarterly series per strategic or focus area, and year over year."""
import streamlit as st

from lagesbild import figures, presenters
from lagesbild import freshness
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.feeds import statuses
from lagesbild.ui.filters import current, describe

common.page_header("Trender", "Utvecklingen över tid per strategiskt område eller fokusområde, "
                   "med glidande medelvärde och föregående års linje.")
f, policy = current(), common.policy()
st.markdown(f"**Urval:** {describe(f)}")

c1, c2, c3 = st.columns([1, 2, 1.4])
grain = c1.segmented_control("Tidsindelning", ["month", "quarter"], default="month",
                             format_func={"month": "Månad", "quarter": "Kvartal"}.get,
                             key="tid", bind="query-params") or "month"
split = c2.segmented_control("Dela upp på", ["strategic_area", "focus_area", "none"], default="strategic_area",
                             format_func={"strategic_area": "Strategiskt område", "focus_area": "Fokusområde",
                                          "none": "Ingen uppdelning"}.get,
                             key="dela", bind="query-params") or "strategic_area"
measure = c3.segmented_control("Mått", ["count", "rate"], default="count",
                               format_func={"count": "Antal", "rate": "Per 1 000 invånare"}.get,
                               key="matt", bind="query-params") or "count"

points = data.series(f, grain, None if split == "none" else split, measure, policy)
if points.empty or points["n"].fillna(0).sum() == 0 and not points["suppressed"].any():
    st.warning("Urvalet innehåller inga händelser. Välj en längre period eller färre filter.")
    st.stop()
points = presenters.with_split_labels(freshness.mark_undelivered(points, grain, freshness.delivered_through(statuses(), f.end)), split)
value_name = "Antal händelser" if measure == "count" else "Händelser per 1 000 invånare"
show_actions = st.toggle("Visa insatser i urvalets områden", value=True, key="insatser", bind="query-params")
bands = data.action_bands(f.areas, f.start, f.end) if show_actions else None
st.plotly_chart(figures.trend_lines(points, grain, value_name, decimals=0 if measure == "count" else 2, bands=bands),
                config={"displayModeBar": False})
notes = ["Streckad linje: glidande medelvärde (3 månader / 2 kvartal)", "prickad: samma period året innan"]
if points["partial"].any():
    notes.append("ofylld ring: perioden är inte slut ännu eller inte levererad av alla källor")
if bands is not None and len(bands):
    notes.append("färgade band: insatser från start till slut (sidan Insatser)")
st.caption("; ".join(notes).capitalize() + ". " + presenters.privacy_note(policy))

st.subheader("År mot år")
yoy_split = "strategic_area" if split == "none" else split
table = data.year_over_year(f, yoy_split, policy)
if table.empty:
    st.info("Inga händelser att jämföra.")
else:
    st.dataframe(presenters.year_table(table, yoy_split), hide_index=True)
    day, month = table.attrs.get("through", (f.end.day, f.end.month))
    st.caption(f"Varje år räknas 1 januari – {day}/{month} (hela veckor), så att åren jämförs på samma del av året. "
               + presenters.percent_rule_note())
