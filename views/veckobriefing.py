"""Veckobriefing: one ISO week against the weeks before it, for the weekly meeting on a projector.
The page places widgets and renders lagesbild.pageviews.veckobriefing's view."""
import streamlit as st

from lagesbild import action_presenters, calendar, freshness, handout, presenters, report_pdf, settings
from lagesbild.access import Right
from lagesbild.access.downloads import download
from lagesbild.access.ui import current_user
from lagesbild.pageviews import veckobriefing as vb
from lagesbild.queries.labels import labeller_static
from lagesbild.ui import common
from lagesbild.ui import data
from lagesbild.ui.feeds import statuses
from lagesbild.ui.filters import anchor_week_end, current, describe, today

BASELINE_WEEKS = settings.value("baseline_weeks")
# Projector: every text at least ~18 px and near black at 1920×1080 (figures get
# figures.projector_layout from the view builder).
st.markdown("<style>[data-testid=stMetricValue]{font-size:2.8rem;color:#111}"
            "[data-testid=stMetricLabel] p{font-size:1.35rem;color:#111}"
            "[data-testid=stMetricDelta],[data-testid=stMetricDelta] p{font-size:1.2rem;color:#222}"
            "[data-testid=stMainBlockContainer] .stMarkdown p,[data-testid=stMainBlockContainer] .stMarkdown li"
            "{font-size:1.25rem;color:#111}"
            "[data-testid=stMainBlockContainer] [data-testid=stCaptionContainer],"
            "[data-testid=stMainBlockContainer] [data-testid=stCaptionContainer] p{font-size:1.15rem;color:#222}"
            "[data-testid=stMainBlockContainer] [data-testid=stWidgetLabel] p{font-size:1.15rem;color:#111}"
            "[data-testid=stMainBlockContainer] [data-testid=stAlertContentInfo] p,"
            "[data-testid=stMainBlockContainer] [data-testid=stAlertContentSuccess] p,"
            "[data-testid=stMainBlockContainer] [data-testid=stAlertContentWarning] p{font-size:1.2rem}"
            "[data-testid=stMainBlockContainer] [data-testid=stExpander] summary p{font-size:1.2rem}"
            "[data-testid=stMainBlockContainer] button p,[data-testid=stMainBlockContainer] [data-testid=stSelectbox] input"
            "{font-size:1.15rem;color:#111}"
            "[data-testid=stMetricLabel] [data-testid=stMarkdownContainer],[data-testid=stMetricLabel] p"
            "{white-space:normal;overflow:visible}"
            # Tables are drawn on a canvas in Streamlit's own type size: enlarged as a whole.
            "[data-testid=stMainBlockContainer] .stElementContainer:has(> div > [data-testid=stDataFrame]){zoom:1.3;width:calc(100% / 1.3) !important}"
            "</style>", unsafe_allow_html=True)
common.page_header("Veckobriefing", f"En vecka mot de {BASELINE_WEEKS} veckorna före. "
                   "Välj veckan här; områdes- och källfiltren i sidopanelen gäller.")
first, last = data.data_range()
choice = vb.week_choices(anchor_week_end(), last, today(), st.query_params.get("vecka"))
keys = list(choice.weeks)
chosen = st.selectbox("Vecka", keys, index=keys.index(choice.default),
                      format_func=choice.label,
                      key="vecka", bind="query-params")
monday = choice.weeks[chosen]
f, policy = current().with_period(monday, calendar.week_end(monday)), common.policy()
week, flags = data.briefing(f, policy, first, BASELINE_WEEKS)
areas = data.area_frame()
actors = data.walk_overdue_by_actor(f, today())
view = vb.build(monday=monday, key=chosen, week=week, flags=flags, policy=policy,
                cells=data.counts(f, ("kommundel", "strategic_area"), policy),
                area_names=labeller_static(areas), category_names=data.category_names(),
                action_tables=action_presenters.week_tables(data.week_actions(monday, f.areas)),
                actors=actors, housing_signals=data.housing_signals(f, "kommundel", policy),
                selection=describe(f), demo=common.is_demo(),
                late="" if common.is_demo() else " ".join(freshness.warnings(statuses())),
                today=today(), data_first=first, data_last=last,
                link_notice=choice.notice if chosen == choice.default else None)

st.header(view.header)
for notice in view.notices:
    st.warning(notice, icon=":material/info:")
if view.empty is not None:
    st.warning(view.empty.text)
    if view.empty.offer is not None and calendar.week_key(view.empty.offer[0]) in choice.weeks:
        offered = calendar.week_key(view.empty.offer[0])
        st.button(f"Visa {choice.label(offered)}",
                  on_click=lambda: st.session_state.update(vecka=offered))
for col, kpi in zip(st.columns(len(view.kpis)), view.kpis):
    col.metric(kpi.label, kpi.value, kpi.note, delta_color="off")
st.caption(view.normal_caption)

st.subheader("Avvikelser denna vecka")
if view.flag_state == "no_baseline":
    st.info("För lite data före veckan för att jämföra.")
elif view.flag_state == "none":
    st.success("Inga statistiskt säkerställda avvikelser denna vecka.")
else:
    for line in view.flag_lines:
        st.markdown(f"- {line}")
st.caption(view.flags_note)

st.subheader("Insatser")
if not view.action_tables:
    st.info("Inga insatser pågår, ska följas upp eller beslutades denna vecka. Nya beslut skrivs in på sidan Insatser.")
for heading, table in view.action_tables.items():
    st.markdown(f"**{heading}**")
    st.dataframe(table, hide_index=True)

st.subheader("Händelser per kommundel och strategiskt område")
if view.heat is None:
    st.info("Inga händelser i urvalet denna vecka.")
else:
    st.plotly_chart(view.heat, config={"displayModeBar": False})

st.subheader("Trygghetsvandringar: åtgärder per ansvarig")
if actors.empty:
    st.success("Inga försenade, förfallande eller nya åtgärder.")
else:
    st.dataframe(view.actor_table, hide_index=True)
    with st.expander(f"Försenade åtgärder ({view.overdue})"):
        st.dataframe(presenters.walk_actions_table(data.walk_actions(f, today(), "overdue", True)), hide_index=True)

st.subheader("Boende: störningar senaste kvartalet")
if view.housing_table.empty:
    st.info("Inga bostadsuppgifter i urvalet.")
else:
    st.dataframe(view.housing_table, hide_index=True)
    st.caption(view.housing_caption)

user = current_user()
if user.can(Right.DOWNLOAD):  # downloads: analytiker (checked again and logged in downloads.download)
    c1, c2 = st.columns(2)
    # Written when a button is clicked, not on every run; both from the same view as the page.
    c1.download_button("Ladda ned som PDF", lambda: download(user, common.engine(),
                       lambda: report_pdf.weekly_pdf(view.handout), view.download_what + " (PDF)"),
                       type="primary", file_name=view.pdf_name, mime="application/pdf",
                       help="En PDF att skriva ut eller skicka med e-post.")
    c2.download_button("Ladda ned som utskrift (HTML)", lambda: download(user, common.engine(),
                       lambda: handout.weekly_handout(view.handout).encode("utf-8"), view.download_what),
                       file_name=view.html_name, mime="text/html",
                       help="Öppna filen i webbläsaren och skriv ut.")
