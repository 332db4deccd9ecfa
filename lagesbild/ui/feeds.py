"""Freshness warnings for every page, and the feeds panel of Datakällor ("Hämta nu")."""
from __future__ import annotations

import streamlit as st

from lagesbild import freshness
from lagesbild.calendar import local_time
from lagesbild.ui import common


@st.cache_data(ttl=60, show_spinner=False)
def _statuses(version: str, today) -> list:
    with common.engine().connect() as conn:
        return freshness.stream_status(conn, today)


def statuses() -> list:
    from lagesbild.ui.filters import today
    return _statuses(common.data_version(), today())


def stale_warning(streams: tuple[str, ...] | None = None) -> None:
    """A warning when the page's numbers lean on a stale source or one that has not delivered the
    latest complete period. Not on demo data (generated, complete by construction)."""
    if common.is_demo():
        return
    messages = freshness.warnings(statuses(), streams)
    if messages:
        st.warning("**Data saknas eller är inaktuella.** " + " ".join(messages), icon=":material/schedule:")


def feeds_panel(engine) -> None:
    """Per feed: its last fetch and Hämta nu (the sources' freshness is Datakällor's table)."""
    from lagesbild.access.imports import may_fetch
    from lagesbild.access.ui import current_user
    from loaders.fetch import state
    from loaders.fetch.run import FEEDS
    user = current_user()
    with engine.connect() as conn:
        feeds = state.all_states(conn)
    st.caption("Öppna flöden hämtas av ett schemalagt jobb (se README); polisens flöde bör hämtas varje timme.")
    cols = st.columns(len(FEEDS))
    for col, (feed, label) in zip(cols, FEEDS.items()):
        s = feeds.get(feed, {})
        when = s.get("last_success_at")
        col.markdown(f"**{label}**  \nSenast hämtad: {local_time(when)}" if when else f"**{label}**  \nAldrig hämtad")
        if s.get("last_status") == "fel":
            col.caption(f"Senaste försöket misslyckades: {s.get('last_message', '')}")
        allowed = may_fetch(user, feed)
        if col.button("Hämta nu", key=f"hamta_{feed}", disabled=not allowed,
                      help=None if allowed else "Din roll får inte importera det här flödets data."):
            _fetch_now(engine, user, feed, col)


def _fetch_now(engine, user, feed: str, col) -> None:
    from lagesbild.access import AccessDenied
    from lagesbild.access.imports import fetch_as
    from lagesbild.errors import InputError, LagesbildError
    with col, st.spinner("Hämtar …"):
        try:
            outcome = fetch_as(user, engine, feed)
        except AccessDenied as exc:
            col.error(str(exc), icon=":material/lock:")
        except InputError as exc:
            col.error("Hämtningen avvisades; inget sparades. " + "; ".join(str(p) for p in exc.problems))
        except LagesbildError as exc:
            col.error(str(exc))
        else:
            common.clear_caches()
            col.success(outcome.summary())
