"""Insatser: decide, assign and follow up actions at the weekly meeting, and see what followed them."""
import datetime as dt

import streamlit as st

from lagesbild import figures, presenters, report_pdf
from lagesbild.domain.actions import EST_STEPS, KINDS, STATUSES, join_codes
from lagesbild.errors import LagesbildError
from lagesbild.exports import neutralise_formulas
from lagesbild.pageviews import insatser
from lagesbild.queries.effect import NoEffectView
from lagesbild.access import Right
from lagesbild.access.downloads import download
from lagesbild.access.ui import current_user
from lagesbild.ui import actions_form, common
from lagesbild.ui import data
from lagesbild.calendar import today
from lagesbild.ui.filters import current

common.page_header(insatser.TITLE, insatser.INTRO)
f, policy = current(), common.policy()
user = current_user()
may_decide, may_download = user.can(Right.COORDINATE), user.can(Right.DOWNLOAD)
actions = data.action_list(f.areas)
view = insatser.build(actions, data.category_names(), data.area_frame(), data.area_choices(), today())
TARGETS, AREAS = view.targets, view.areas

meeting, effect_tab, year_tab, files_tab = st.tabs(["Veckomötet", "Före och efter", "Årsuppföljning", "Exportera"])

with meeting:
    st.subheader("Insatser i urvalet")
    st.caption("Urval: områdena i sidopanelen. Beslut fattas på veckomötet; återkoppling skrivs vid nästa möte.")
    if view.listing is None:
        st.info("Inga insatser ännu. Lägg till den första nedan.")
    else:
        st.dataframe(view.listing, hide_index=True)
    if may_decide:  # the forms only for samordnare (actions_form.save checks again)
        with st.expander("Ny insats (beslut på mötet)", icon=":material/add:"):
            with st.form("ny_insats", clear_on_submit=True):
                title = st.text_input("Rubrik", max_chars=200)
                description = st.text_area("Beskrivning", height=80)
                c1, c2 = st.columns(2)
                kind = c1.selectbox("Typ", list(KINDS), format_func=KINDS.get)
                responsible = c2.text_input("Ansvarig aktör", max_chars=80)
                areas = c1.multiselect("Områden", list(AREAS), format_func=AREAS.get)
                targets = c2.multiselect("Problem (kategorier, strategiskt område eller fokusområde)", list(TARGETS),
                                         format_func=TARGETS.get)
                start = c1.date_input("Start", value=today(), format="YYYY-MM-DD")
                end = c2.date_input("Slut (tomt: tills vidare)", value=None, format="YYYY-MM-DD")
                status = c1.selectbox("Status", list(STATUSES), format_func=STATUSES.get)
                step = c2.selectbox("EST-steg", list(EST_STEPS), index=2, format_func=EST_STEPS.get)
                decided = c1.date_input("Beslutad (mötets datum)", value=today(), format="YYYY-MM-DD")
                follow_up = c2.date_input("Nästa återkoppling", value=today() + dt.timedelta(days=14), format="YYYY-MM-DD")
                if st.form_submit_button("Spara insatsen", type="primary"):
                    problems = insatser.form_problems(title, responsible, areas, start, end)
                    if problems:
                        st.error(" ".join(problems))
                    else:
                        try:
                            key = actions_form.save(None, dict(
                                title=title.strip(), description=description.strip(), kind=kind,
                                responsible_actor=responsible.strip(), area_codes=join_codes(areas),
                                targets=join_codes(targets), start_date=start, end_date=end, status=status,
                                est_step=step, decided_on=decided, follow_up_on=follow_up))
                        except LagesbildError as exc:
                            st.error(str(exc))
                        else:
                            st.success(f"Sparad som {key}.")
                            st.rerun()

    if not actions.empty:
        st.subheader("Följ upp en insats")
        chosen = st.selectbox("Insats", list(actions["action_key"]), key="uppfolj",
                              format_func=lambda k: f"{k} {actions.set_index('action_key').at[k, 'title']}")
        row = actions.set_index("action_key").loc[chosen]
        if may_decide:
            with st.form("uppfoljning"):
                c1, c2, c3 = st.columns(3)
                new_status = c1.selectbox("Status", list(STATUSES), index=list(STATUSES).index(row["status"]),
                                          format_func=STATUSES.get)
                new_end = c2.date_input("Slut", value=row["end_date"], format="YYYY-MM-DD")
                next_follow = c3.date_input("Nästa återkoppling", value=row["follow_up_on"], format="YYYY-MM-DD")
                reason = st.text_input("Skäl (om avbruten)", value=row["status_reason"])
                note = st.text_area("Återkoppling från mötet", height=70)
                if st.form_submit_button("Spara uppföljningen", type="primary"):
                    if new_status == "avbruten" and not reason.strip():
                        st.error("Skriv varför insatsen avbröts.")
                    else:
                        try:
                            actions_form.save(chosen, dict(status=new_status, end_date=new_end, follow_up_on=next_follow,
                                                           status_reason=reason.strip()), note, today())
                        except LagesbildError as exc:
                            st.error(str(exc))
                        else:
                            st.rerun()
        c1, c2 = st.columns(2)
        notes = data.action_notes(chosen)
        c1.markdown("**Återkoppling**")
        if notes.empty:
            c1.caption("Ingen återkoppling ännu.")
        else:
            c1.dataframe(insatser.notes_table(notes), hide_index=True)
        c2.markdown("**Historik**")
        c2.dataframe(insatser.history_table(data.action_history(chosen)), hide_index=True)

with effect_tab:
    judged = view.judged
    if judged.empty:
        st.info("Inga insatser att bedöma.")
    else:
        key = st.selectbox("Insats", list(judged["action_key"]), key="effekt", bind="query-params",
                           format_func=lambda k: f"{k} {judged.set_index('action_key').at[k, 'title']}")
        chosen_cmp = st.multiselect("Jämförelseområden (tomt: samma socioekonomiska typ enligt SCB)",
                                    view.omraden,
                                    format_func=AREAS.get, key="jamfor", placeholder="Automatiskt val")
        try:
            said = insatser.effect(data.effect_view(key, policy, tuple(chosen_cmp)), policy)
        except NoEffectView as exc:
            st.info(str(exc))
        else:
            st.markdown(said.periods)
            st.dataframe(said.table, hide_index=True)
            st.caption(said.caption)
            (st.success if said.good_news else st.info)(said.verdict)
            if said.estimate:
                st.markdown(said.estimate)
            for note in said.notes:
                st.warning(note)
            st.caption(said.caveat)

with year_tab:
    year = st.selectbox("År", view.years, key="ar")
    follow = data.yearly_follow_up(year, policy)
    st.subheader(f"Insatser {year} per strategiskt område")
    st.dataframe(follow.summary, hide_index=True)
    if len(follow.actions):
        st.dataframe(follow.actions, hide_index=True)
    st.subheader("Utfallsindikatorer")
    outcomes = data.outcomes()
    if outcomes.empty:
        st.info("Inga utfallsindikatorer. Importera Koladas export eller en CSV under Datakällor.")
    else:
        for strategic, part in outcomes.groupby("strategic_label", sort=False):
            st.markdown(f"**{strategic}**")
            cols = st.columns(2)
            for i, (name, ind) in enumerate(part.groupby("name", sort=False)):
                cols[i % 2].plotly_chart(figures.outcome_lines(ind, name, ind["unit"].iloc[0]),
                                         config={"displayModeBar": False})
        st.caption("Källa: " + "; ".join(sorted(outcomes["source"].unique())))
    st.subheader("Lägesbild som PDF")
    st.caption("Kartläggning, analys och åtgärdsplan med uppföljning (4 § lagen 2023:196), ur samma siffror som sidorna.")
    if st.button("Skapa PDF", key="skapa_pdf"):
        doc = data.lagesbild_document(year, policy)
        st.session_state["lagesbild_pdf"] = (year, report_pdf.lagesbild_pdf(doc, common.is_demo(),
                                                                            presenters.privacy_note(policy)))
    made = st.session_state.get("lagesbild_pdf")
    if made and made[0] == year and may_download:
        st.download_button("Ladda ned lägesbilden (PDF)",
                           lambda: download(user, common.engine(), lambda: made[1],
                                            f"Lägesbilden {year} (PDF); publik {policy.audience}"),
                           file_name=f"lagesbild_{year}.pdf", mime="application/pdf", type="primary")

with files_tab:
    if not may_download:
        st.info("Att ladda ned filer kräver rollen analytiker.")
    else:
        export = neutralise_formulas(data.action_export())
        st.markdown("Alla insatser som fil. Filen kan ändras och importeras tillbaka under **Datakällor → "
                    "Insatser**; en oförändrad fil ändrar ingenting.")
        c1, c2 = st.columns(2)
        c1.download_button("CSV", lambda: download(user, common.engine(),
                           lambda: insatser.csv_bytes(export), "Insatser (CSV)"),
                           file_name="insatser.csv", mime="text/csv")
        c2.download_button("Excel", lambda: download(user, common.engine(), lambda: insatser.excel_bytes(export),
                                                     "Insatser (Excel)"),
                           file_name="insatser.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
