"""Veckobriefing: one ISO week against the weeks before it, for the weekly meeting on a projector."""
import datetime as dt

import streamlit as st

from lagesbild import action_presenters, calendar, figures, freshness, handout, presenters, report_pdf, settings
from lagesbild import formatting as fmt
from lagesbild.domain.vocab import STRATEGIC_AREAS
from lagesbild.queries.labels import labeller_static
from lagesbild.access import Right
from lagesbild.access.downloads import download
from lagesbild.access.ui import current_user
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.feeds import statuses
from lagesbild.ui.filters import anchor_week_end, current, describe, today

BASELINE_WEEKS = settings.value("baseline_weeks")

st.markdown("<style>[data-testid=stMetricValue]{font-size:2.6rem} .stMarkdown p, .stMarkdown li"
            "{font-size:1.15rem}</style>", unsafe_allow_html=True)
common.page_header("Veckobriefing", f"En vecka mot de {BASELINE_WEEKS} veckorna före. "
                   "Välj veckan här; områdes- och källfiltren i sidopanelen gäller.")
last = anchor_week_end() - dt.timedelta(days=6)
weeks = [last - dt.timedelta(weeks=i) for i in range(26)]
keys = {calendar.week_key(w): w for w in weeks}
chosen = st.selectbox("Vecka", list(keys), format_func=lambda k: fmt.week_label(keys[k]) + f" ({fmt.date_range(keys[k], keys[k] + dt.timedelta(days=6))})",
                      key="vecka", bind="query-params")
monday = keys[chosen]
f, policy = current().with_period(monday, monday + dt.timedelta(days=6)), common.policy()

st.header(f"Vecka {calendar.week_number(monday)}, {fmt.date_range(monday, calendar.week_end(monday))}")
first, _ = data.data_range()
week, flags = data.briefing(f, policy, first, BASELINE_WEEKS)
by_strategy = week.table
cols, kpis = st.columns(4), []
for col, (code, name) in zip(cols, STRATEGIC_AREAS.items()):
    row = by_strategy[by_strategy["strategic_area"] == code]
    value = row["n_label"].iloc[0] if len(row) else "0"
    normal = presenters.normal_delta(row["n"].iloc[0] if len(row) else 0.0,
                                     row["expected"].iloc[0] if len(row) else 0.0, policy.label())
    col.metric(name, value, normal, delta_color="off")
    kpis.append((name, value, normal))
st.caption(f"Normalt = {presenters.weekly_mean_text(week.baseline)}.")

st.subheader("Avvikelser denna vecka")
areas = data.area_frame()
flag_lines = presenters.unusual_lines(flags.cells, dict(zip(areas["id"], areas["name"])), data.category_names(), policy)
if flags.baseline is None:
    st.info("För lite data före veckan för att jämföra.")
elif flags.cells.empty:
    st.success("Inga statistiskt säkerställda avvikelser denna vecka.")
else:
    for line in flag_lines:
        st.markdown(f"- {line}")
flags_note = presenters.flags_test_note(flags)
st.caption(flags_note)

st.subheader("Insatser")
action_tables = action_presenters.week_tables(data.week_actions(monday, f.areas))
if not action_tables:
    st.info("Inga insatser pågår, ska följas upp eller beslutades denna vecka. Nya beslut skrivs in på sidan Insatser.")
for heading, table in action_tables.items():
    st.markdown(f"**{heading}**")
    st.dataframe(table, hide_index=True)

st.subheader("Händelser per kommundel och strategiskt område")
cells = data.counts(f, ("kommundel", "strategic_area"), policy)
if cells.empty:
    st.info("Inga händelser i urvalet denna vecka.")
else:
    names = labeller_static(areas)
    cells = cells.assign(x=cells["strategic_area"].map(STRATEGIC_AREAS), y=cells["kommundel"].map(names))
    st.plotly_chart(figures.heat_table(cells, "x", "y", "Antal", x_order=list(STRATEGIC_AREAS.values())),
                    config={"displayModeBar": False})
area_wide = presenters.cells_wide(cells, "y", "x", "Kommundel") if not cells.empty else cells

st.subheader("Trygghetsvandringar: åtgärder per ansvarig")
actors = data.walk_overdue_by_actor(f, today())
if actors.empty:
    st.success("Inga försenade, förfallande eller nya åtgärder.")
else:
    st.dataframe(presenters.actor_table(actors), hide_index=True)
    with st.expander(f"Försenade åtgärder ({int(actors['overdue'].sum())})"):
        st.dataframe(presenters.walk_actions_table(data.walk_actions(f, today(), "overdue", True)), hide_index=True)

st.subheader("Boende: störningar senaste kvartalet")
signals = data.housing_signals(f, "kommundel", policy)
housing_table = presenters.housing_signal_table(signals) if not signals.empty else signals
if signals.empty:
    st.info("Inga bostadsuppgifter i urvalet.")
else:
    st.dataframe(housing_table, hide_index=True)
    st.caption(f"Botkyrkabyggens siffror för {fmt.quarter_label(signals.attrs['period_start'])} jämfört med samma kvartal året innan.")

title = f"Veckobriefing vecka {calendar.week_number(monday)}, {fmt.date_range(monday, calendar.week_end(monday))}"
late = "" if common.is_demo() else " ".join(freshness.warnings(statuses()))  # "Botkyrkabyggen har inte levererat v. 47"
page = handout.weekly_handout(title, describe(f), kpis, [presenters.plain(x) for x in flag_lines], f"{flags_note} {late}".strip(),
                              area_wide, presenters.actor_table(actors), housing_table, common.is_demo(),
                              presenters.privacy_note(policy), action_tables)
user = current_user()
if user.can(Right.DOWNLOAD):  # downloads: analytiker (checked again and logged in downloads.download)
    what = f"Veckobriefing {chosen} (utskrift): {describe(f)}; publik {policy.audience}"
    c1, c2 = st.columns(2)
    # Written when a button is clicked, not on every run.
    c1.download_button("Ladda ned som PDF", lambda: download(user, common.engine(), lambda: report_pdf.weekly_pdf(
                           title, describe(f), kpis, [presenters.plain(x) for x in flag_lines], flags_note, area_wide,
                           presenters.actor_table(actors), housing_table, action_tables, common.is_demo(),
                           presenters.privacy_note(policy)), what + " (PDF)"),
                       type="primary", file_name=f"veckobriefing_{chosen}.pdf", mime="application/pdf",
                       help="En PDF att skriva ut eller skicka med e-post.")
    c2.download_button("Ladda ned som utskrift (HTML)", lambda: download(user, common.engine(),
                       lambda: page.encode("utf-8"), what),
                       file_name=f"veckobriefing_{chosen}.html", mime="text/html",
                       help="Öppna filen i webbläsaren och skriv ut.")
