"""Granskning (administratör): the audit log, filtered and exported; users and their fallback roles."""
from __future__ import annotations

import streamlit as st

from lagesbild import audit
from lagesbild.access import Right, Role, require
from lagesbild.access.config import load as access_config
from lagesbild.access.downloads import download
from lagesbild.access.ui import current_user
from lagesbild.access.users import parse_roles, set_fallback
from lagesbild.calendar import local_today
from lagesbild.exports import to_csv_bytes
from lagesbild.pageviews import granskning
from lagesbild.ui import common
from lagesbild.ui import data

common.page_header(granskning.TITLE, granskning.INTRO)
user = current_user()
require(user, Right.ADMINISTER, "se händelseloggen")  # the router hides the page; this is the second lock
engine = common.engine()  # for the download's audit line and for saving a user's roles
log_tab, users_tab = st.tabs(["Händelselogg", "Användare och roller"])

with log_tab:
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    period = c1.date_input("Period", value=granskning.default_period(local_today()), format="YYYY-MM-DD")
    actions = c2.multiselect("Händelse", list(audit.ACTIONS), placeholder="Alla händelser")
    who = c3.text_input("Vem (pseudonym eller namn)")
    outcome = c4.selectbox("Utfall", [None, audit.OK, audit.DENIED, audit.REFUSED],
                           format_func=lambda o: o or "Alla")
    f = granskning.event_filter(period, actions, who, outcome)
    view = granskning.build(data.audit_events(f), data.users(), f)
    st.dataframe(view.events, hide_index=True, width="stretch")
    st.caption(view.caption)
    st.download_button("Exportera (CSV)", lambda: download(user, engine, lambda: to_csv_bytes(view.events),
                                                           view.export_what, Right.ADMINISTER),
                       file_name="lagesbild_handelselogg.csv", mime="text/csv")

with users_tab:
    st.caption(granskning.ROLES_NOTE)
    st.dataframe(view.users, hide_index=True, width="stretch")
    people = view.users.set_index("Pseudonym")
    if not people.empty:
        with st.form("roller"):
            chosen = st.selectbox("Användare", list(people.index), format_func=lambda s: f"{s} – {people.at[s, 'Användare']}")
            row = people.loc[chosen]
            orgs = [None, *access_config().organisations]
            org = st.selectbox("Organisation", orgs, index=orgs.index(row["Organisation"])
                               if row["Organisation"] in orgs else 0, format_func=lambda o: o or "–")
            roles = st.multiselect("Reservroller", [r.value for r in Role],
                                   default=sorted(r.value for r in parse_roles(row["Reservroller"])))
            blocked = st.checkbox("Spärrad (inga rättigheter alls)", value=bool(row["Spärrad"]))
            if st.form_submit_button("Spara"):
                require(user, Right.ADMINISTER, "ändra roller")
                with engine.begin() as conn:
                    set_fallback(conn, chosen, org, frozenset(Role(r) for r in roles), blocked)
                    audit.record(conn, user, audit.USERS, granskning.saved_detail(chosen, org, roles, blocked))
                st.success(granskning.SAVED)
