"""Översikt: the picture at a glance for the selected period."""
import streamlit as st

from lagesbild import figures, map_figures, presenters
from lagesbild import formatting as fmt
from lagesbild.domain.vocab import STRATEGIC_AREAS
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.filters import current, describe

common.page_header("Översikt", "Läget i perioden per område och strategiskt område, "
                   "jämfört med föregående period och samma period i fjol.")
f, policy = current(), common.policy()
st.markdown(f"**Urval:** {describe(f)}")

level = st.segmented_control("Områdesnivå", ["kommundel", "omrade"], default="kommundel",
                             format_func={"kommundel": "Kommundel", "omrade": "Område (RegSO)"}.get,
                             key="niva", bind="query-params") or "kommundel"
first, _ = data.data_range()
summary, total, flags = data.overview(f, level, policy, first)

if summary["n"].fillna(0).sum() == 0 and not summary["n_suppressed"].any():
    st.warning("Urvalet innehåller inga händelser. Välj en längre period eller färre filter i sidopanelen.")
    st.stop()

st.subheader("Händelser inom de strategiska områdena")
cols = st.columns(4)
for col, (code, name) in zip(cols, STRATEGIC_AREAS.items()):
    row = total[total["strategic_area"] == code]
    if row.empty:
        col.metric(name, "0")
        continue
    r = row.iloc[0]
    # Grey arrows: they say more or fewer incidents, not better or worse.
    col.metric(name, r["n_label"], presenters.metric_delta(r["change_prev"], r["n"], r["n_prev"], r["n_prev_label"],
                                                           "föregående period"),
               delta_color="off", help=f"Föregående period: {r['n_prev_label']}. Samma period i fjol: {r['n_ly_label']}")

left, right = st.columns([3, 2])
with left:
    st.subheader("Händelser per 1 000 invånare")
    geoms = data.geometries(level)
    feats = map_figures.area_features(
        summary.assign(rate_text=[("–" if r != r else fmt.number(r, 1)) for r in summary["rate"]]),
        geoms, "rate", [("Händelser", "n_label"), ("Per 1 000 inv.", "rate_text"),
                        ("Föregående period", "n_prev_label"), ("Samma period i fjol", "n_ly_label")])
    st.pydeck_chart(map_figures.choropleth(feats), height=430)
    if data.any_schematic():
        st.caption("Områdesgränserna är **schematiska** (ritade av Lägesbild, inte officiella). "
                   "Ladda upp kommunens egna gränser under Datakällor.")
with right:
    st.subheader("Antal per område")
    st.plotly_chart(figures.bar_by_area(summary, "n", "n_label", None, "Antal händelser"),
                    config={"displayModeBar": False})

st.subheader("Per område")
st.dataframe(presenters.area_table(summary), hide_index=True)
st.caption(f"Invånare {summary.attrs.get('population_year', '')}. " + presenters.percent_rule_note() + " "
           + presenters.privacy_note(policy))

st.subheader("Det här sticker ut")
areas = data.area_frame()
names = dict(zip(areas["id"], areas["name"]))
if flags.baseline is None:
    st.info("Det finns för lite data före perioden för att jämföra mot en baslinje.")
elif flags.cells.empty:
    st.success(f"Inget område × kategori avviker statistiskt under {presenters.period_text(flags.baseline)} "
               f"{presenters.baseline_text(flags.baseline)}.")
else:
    for line in presenters.unusual_lines(flags.cells.head(8), names, data.category_names(), policy):
        st.markdown(f"- {line}")
st.caption(presenters.flags_test_note(flags))
