"""Streamlit glue for sign-in: app.py calls `gate` before st.navigation; pages call `current_user`.

Sign-in is Streamlit's own OpenID Connect (st.login / st.user / st.logout, configured in
.streamlit/secrets.toml [auth]). Without it the app runs in the explicit open mode, which serves
loopback requests only and says so in the sidebar.
"""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from lagesbild import audit
from lagesbild.access import config as access_config
from lagesbild.access import identity, users
from lagesbild.access.mode import auth_provider, open_mode_problem
from lagesbild.access.rules import User, open_mode_user, page_allowed, roles_text
from lagesbild.domain.vocab import SOURCES

USER_KEY = "_access_user"


def provider() -> str | None:
    """The configured identity provider for st.login, or None (open mode)."""
    if not st.secrets.load_if_toml_exists():  # st.secrets: the file, or AppTest's secrets
        return None
    return auth_provider(st.secrets.get("auth"))


def gate(engine: Engine) -> User:
    """The signed-in user (or the open-mode user); anyone else sees the sign-in page and stops here."""
    st.session_state.pop(USER_KEY, None)
    name = provider()
    if name is None:
        return _open_mode()
    if not st.user.is_logged_in:
        _only_page(_sign_in_page(name))
    user = identity.resolve(st.user.to_dict(), access_config.load(), engine)
    _record_sign_in(engine, user)
    if not user.roles:
        _only_page(_no_access_page(user))
    st.session_state[USER_KEY] = user
    _sidebar(user, engine)
    return user


def _open_mode() -> User:
    headers = dict(st.context.headers)
    problem = open_mode_problem(st.get_option("server.address"), headers,
                                in_server=any(k.lower() == "host" for k in headers))
    if problem:
        def refused():
            st.title("Lägesbild")
            st.error(problem, icon=":material/lock:")
        _only_page(refused)
    user = open_mode_user(frozenset(SOURCES))
    st.session_state[USER_KEY] = user
    st.sidebar.warning("**Inloggning är avstängd** (öppet läge). Appen nås bara från den här datorn. "
                       "Koppla kommunens identitetsleverantör för att dela den (se README).",
                       icon=":material/lock_open:")
    return user


def _only_page(page) -> None:
    """Show one page (sign-in, no access, refusal) and nothing else: other URLs lead to it."""
    st.navigation([st.Page(page, title="Lägesbild", url_path="inloggning", default=True)],
                  position="hidden").run()
    st.stop()


def _sign_in_page(name: str):
    def page():
        st.title("Lägesbild")
        st.write("Logga in med ditt konto i kommunens inloggningstjänst för att se lägesbilden.")
        if st.button("Logga in", type="primary", icon=":material/login:"):
            st.login() if name == "default" else st.login(name)
    return page


def _no_access_page(user: User):
    def page():
        st.title("Lägesbild")
        st.warning(f"Du är inloggad som **{user.label or user.subject}** men har ingen roll i Lägesbild. "
                   f"Be en administratör om behörighet och uppge id **{user.subject}**.",
                   icon=":material/block:")
        if st.button("Logga ut"):
            st.logout()
    return page


def _record_sign_in(engine: Engine, user: User) -> None:
    """One audit event per sign-in (a new ID token), not per browser tab or rerun."""
    key = f"_signed_in_{user.subject}_{user.issued_at}"
    if st.session_state.get(key):
        return
    if users.seen(engine, user.subject, user.label, identity.signed_in_at({"iat": user.issued_at})):
        audit.record(engine, user, audit.SIGN_IN, f"roller: {roles_text(user)}",
                     outcome=audit.OK if user.roles else audit.DENIED)
    st.session_state[key] = True


def _sidebar(user: User, engine: Engine) -> None:
    with st.sidebar:
        st.caption(f"Inloggad: **{user.label or user.subject}** · {roles_text(user)}"
                   + (f" · {', '.join(sorted(user.organisations))}" if user.organisations else ""))
        if st.button("Logga ut", icon=":material/logout:"):
            audit.record(engine, user, audit.SIGN_OUT)
            st.logout()


def current_user() -> User:
    """The user app.py resolved on this run. Pages run only through app.py's st.navigation (they
    live in views/, which Streamlit never runs on its own); a run without a user is refused."""
    user = st.session_state.get(USER_KEY)
    if user is None:
        st.error("Sidan kan bara öppnas genom Lägesbild (app.py). Ladda om sidan.")
        st.stop()
    return user


def allowed_pages(pages: dict[str, list], user: User) -> dict[str, list]:
    """The navigation with only the pages this user may open (sections without any are dropped)."""
    kept = {section: [p for p in entries if page_allowed(user, p.url_path)] for section, entries in pages.items()}
    return {section: entries for section, entries in kept.items() if entries}
