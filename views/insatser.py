"""Insatser: decide, assign and follow up actions at the weekly meeting, and see what followed them."""
import datetime as dt
import io

import streamlit as st

from lagesbild import figures, report_pdf
from lagesbild.domain.actions import EST_STEPS, KINDS, STATUSES, join_codes
from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
from lagesbild.effect import CAVEAT
from lagesbild.errors import LagesbildError
from lagesbild.exports import neutralise_formulas
from lagesbild import presenters
from lagesbild.queries.effect import NoEffectView
from lagesbild.access import Right
from lagesbild.access.downloads import download
from lagesbild.access.ui import current_user
from lagesbild.ui import actions_form, common
from lagesbild.ui import data
from lagesbild.calendar import today
from lagesbild.ui.filters import current

def _excel(frame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


common.page_header("Insatser", "Veckomötets beslut: vad som ska göras, var, av vem och när – följs upp "
                   "(återkoppling) och bedöms mot vad som hände i området jämfört med liknande områden.")
f, policy = current(), common.policy()
user = current_user()
may_decide, may_download = user.can(Right.COORDINATE), user.can(Right.DOWNLOAD)
actions = data.action_list(f.areas)
categories = data.category_names()
TARGETS = {**{f"strategiskt:{k}": f"Strategiskt: {v}" for k, v in STRATEGIC_AREAS.items()},
           **{f"fokus:{k}": f"Fokus: {v}" for k, v in FOCUS_AREAS.items()}, **categories}
AREAS = dict(data.area_choices())
OMRADEN = [c for c, level in zip(data.area_frame()["code"], data.area_frame()["level"]) if level == "omrade"]
LIST_COLUMNS = {"action_key": "Id", "title": "Insats", "areas_label": "Områden", "targets_label": "Problem",
                "kind_label": "Typ", "responsible_actor": "Ansvarig", "start_date": "Start", "end_date": "Slut",
                "status_label": "Status", "follow_up_on": "Nästa återkoppling", "last_note": "Senaste återkoppling",
                "decided_week": "Beslutad vecka"}

meeting, effect_tab, year_tab, files_tab = st.tabs(["Veckomötet", "Före och efter", "Årsuppföljning", "Exportera"])

with meeting:
    st.subheader("Insatser i urvalet")
    st.caption("Urval: områdena i sidopanelen. Beslut fattas på veckomötet; återkoppling skrivs vid nästa möte.")
    if actions.empty:
        st.info("Inga insatser ännu. Lägg till den första nedan.")
    else:
        listing = actions[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
        st.dataframe(listing.astype(object).where(listing.notna(), "–").astype(str), hide_index=True)
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
                    problems = [m for ok, m in ((title.strip(), "Rubrik saknas."), (responsible.strip(), "Ansvarig saknas."),
                                                (areas, "Välj minst ett område."),
                                                (end is None or end >= start, "Slut ligger före start.")) if not ok]
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
            c1.dataframe(notes.rename(columns={"noted_on": "Datum", "note": "Anteckning", "changed_by": "Av"}),
                         hide_index=True)
        c2.markdown("**Historik**")
        c2.dataframe(data.action_history(chosen).rename(columns={
            "changed_at": "När", "changed_by": "Vem", "via": "Via", "field": "Fält", "old_value": "Före",
            "new_value": "Efter"}), hide_index=True)

with effect_tab:
    judged = actions[(actions["status"] != "avbruten") & (actions["start_date"] <= today())]
    if judged.empty:
        st.info("Inga insatser att bedöma.")
    else:
        key = st.selectbox("Insats", list(judged["action_key"]), key="effekt", bind="query-params",
                           format_func=lambda k: f"{k} {judged.set_index('action_key').at[k, 'title']}")
        chosen_cmp = st.multiselect("Jämförelseområden (tomt: samma socioekonomiska typ enligt SCB)",
                                    list(OMRADEN),
                                    format_func=AREAS.get, key="jamfor", placeholder="Automatiskt val")
        try:
            view = data.effect_view(key, policy, tuple(chosen_cmp))
        except NoEffectView as exc:
            st.info(str(exc))
        else:
            b, a = view.before, view.after
            st.markdown(f"**Före:** {b[0]} – {b[1]} · **Efter:** {a[0]} – {a[1]} (lika många hela veckor)")
            st.dataframe(view.table[["Grupp", "Områden", "before_label", "after_label"]].rename(
                columns={"before_label": "Före", "after_label": "Efter"}), hide_index=True)
            st.caption(f"Jämförelseområden: {view.comparison_rule}. Grannområden: områden inom 100 m. "
                       + presenters.privacy_note(policy))
            (st.success if view.shown and view.verdict.startswith("Minskningen") else st.info)(view.verdict)
            if view.estimate:
                st.markdown(view.estimate)
            for note in view.notes:
                st.warning(note)
            st.caption("Vad bedömningen kan och inte kan säga: " + CAVEAT)

with year_tab:
    years = sorted({d.year for d in actions["start_date"]} | {today().year}, reverse=True) if not actions.empty else [today().year]
    year = st.selectbox("År", years, key="ar")
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
                           lambda: export.to_csv(index=False, sep=";").encode("utf-8-sig"), "Insatser (CSV)"),
                           file_name="insatser.csv", mime="text/csv")
        c2.download_button("Excel", lambda: download(user, common.engine(), lambda: _excel(export),
                                                     "Insatser (Excel)"),
                           file_name="insatser.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
