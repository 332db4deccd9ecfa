"""Granskning (administratör): the audit log, filtered and exported; users and their fallback roles."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from lagesbild import audit
from lagesbild.access import Right, Role, require
from lagesbild.access.config import load as access_config
from lagesbild.access.downloads import download
from lagesbild.access.ui import current_user
from lagesbild.access.users import parse_roles, set_fallback, user_frame
from lagesbild.exports import neutralise_formulas
from lagesbild.exports import to_csv_bytes
from lagesbild.ui import common

common.page_header("Granskning", "Vem gjorde vad och när: inloggningar, importer, borttagningar, ändringar "
                   "och nedladdningar. Användare och deras roller.")
user = current_user()
require(user, Right.ADMINISTER, "se händelseloggen")  # the router hides the page; this is the second lock
engine = common.engine()
log_tab, users_tab = st.tabs(["Händelselogg", "Användare och roller"])

with log_tab:
    c1, c2, c3, c4 = st.columns([2, 2, 2, 1])
    period = c1.date_input("Period", value=(dt.date.today() - dt.timedelta(days=30), dt.date.today()),
                           format="YYYY-MM-DD")
    actions = c2.multiselect("Händelse", list(audit.ACTIONS), placeholder="Alla händelser")
    who = c3.text_input("Vem (pseudonym eller namn)")
    outcome = c4.selectbox("Utfall", [None, audit.OK, audit.DENIED, audit.REFUSED],
                           format_func=lambda o: o or "Alla")
    start, end = (period if isinstance(period, tuple) and len(period) == 2 else (None, None))
    f = audit.EventFilter(start, end, tuple(actions), who.strip(), outcome)
    with engine.connect() as conn:
        events = audit.events(conn, f)
    shown = neutralise_formulas(events.rename(columns=audit.COLUMNS))
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(f"{len(events)} händelser (nyast först, högst 5 000). Loggen kan bara läggas till, inte ändras.")
    what = f"händelseloggen: {start}–{end}, händelser {', '.join(actions) or 'alla'}, vem '{who}', utfall {outcome or 'alla'}"
    st.download_button("Exportera (CSV)", lambda: download(user, engine, lambda: to_csv_bytes(shown), what,
                                                                Right.ADMINISTER),
                       file_name="lagesbild_handelselogg.csv", mime="text/csv")

with users_tab:
    st.caption("Roller kommer i första hand från identitetsleverantörens grupper (data/access/roles.toml). "
               "Här sätts reservroller för den som inte har någon mappad grupp, eller spärras en användare.")
    with engine.connect() as conn:
        people = user_frame(conn)
    st.dataframe(people.rename(columns={"subject": "Pseudonym", "label": "Användare", "organisation": "Organisation",
                                        "roles": "Reservroller", "blocked": "Spärrad", "first_seen": "Först sedd",
                                        "last_seen": "Senast sedd"}), hide_index=True, width="stretch")
    if not people.empty:
        with st.form("roller"):
            chosen = st.selectbox("Användare", list(people["subject"]),
                                  format_func=lambda s: f"{s} – {people.set_index('subject').at[s, 'label']}")
            row = people.set_index("subject").loc[chosen]
            orgs = [None, *access_config().organisations]
            org = st.selectbox("Organisation", orgs, index=orgs.index(row["organisation"])
                               if row["organisation"] in orgs else 0, format_func=lambda o: o or "–")
            roles = st.multiselect("Reservroller", [r.value for r in Role],
                                   default=sorted(r.value for r in parse_roles(row["roles"])))
            blocked = st.checkbox("Spärrad (inga rättigheter alls)", value=bool(row["blocked"]))
            if st.form_submit_button("Spara"):
                require(user, Right.ADMINISTER, "ändra roller")
                with engine.begin() as conn:
                    set_fallback(conn, chosen, org, frozenset(Role(r) for r in roles), blocked)
                    audit.record(conn, user, audit.USERS, f"{chosen}: organisation {org or '-'}, reservroller "
                                 f"{', '.join(sorted(roles)) or 'inga'}, spärrad {'ja' if blocked else 'nej'}")
                st.success("Sparat. Ändringen gäller från användarens nästa sidladdning.")
