"""What every page needs: the engine, the data version for caches, the header and the policy."""
from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine, func, select

from lagesbild import config
from lagesbild.errors import InputError
from lagesbild.privacy import INTERNAL, Policy
from lagesbild.store.engine import get_engine
from lagesbild.store.models import ImportLog
from lagesbild.store.reference import get_meta


@st.cache_resource(show_spinner="Förbereder databasen …")
def _engine(url: str) -> Engine:
    from lagesbild.logs import configure
    from lagesbild.setup import ensure_database
    configure()
    eng = get_engine(url)
    ensure_database(eng)  # the demo only as lagesbild.demo_marker.wanted says
    return eng


def engine() -> Engine:
    """The shared engine for DATABASE_URL; the schema is brought up to date once per process.

    A broken taxonomy or area file stops the app with the list of problems (file, row, column)
    instead of a traceback; the next run tries again, so fixing the file is enough.
    """
    try:
        return _engine(config.database_url())
    except InputError as exc:
        st.error("**Lägesbild kan inte starta: en av konfigurationsfilerna i `data/` har fel.** "
                 "Rätta raderna nedan och ladda om sidan.")
        st.markdown("\n".join(f"- {p}" for p in exc.problems))
        st.stop()


def data_version() -> str:
    """Changes whenever data is imported or the taxonomy changes: part of every cache key.

    Read once per few seconds, not once per query; an import clears every cache at once anyway.
    Every writing transaction sets meta_info.data_version as its first statement
    (lagesbild.store.locks), so the version changes exactly when an import commits: an import that
    is still running (recorded in the log beforehand) or rolled back does not change it.
    """
    return _data_version(config.database_url())


@st.cache_data(ttl=5, show_spinner=False)
def _data_version(url: str) -> str:
    with engine().connect() as conn:
        last = conn.execute(select(func.max(ImportLog.id)).where(ImportLog.status == "ok")).scalar()
        written = get_meta(conn, "data_version", "")
        taxonomy = get_meta(conn, "taxonomy_sha256", "")
    return f"{url}|{last}:{written}:{taxonomy[:12]}"


@st.cache_data(ttl=60, show_spinner=False)
def _is_demo(version: str) -> bool:
    from lagesbild.demo_marker import holds_demo
    with engine().connect() as conn:
        return holds_demo(conn)


def is_demo() -> bool:
    return _is_demo(data_version())


def policy() -> Policy:
    """The privacy policy for the signed-in user's audience (extern: every number protected)."""
    from lagesbild.access.rules import audience_policy
    from lagesbild.access.ui import current_user
    return audience_policy(current_user(), Policy(k=config.suppression_k(), audience=INTERNAL))


def page_header(title: str, caption: str | None = None) -> None:
    """The title, a one-line purpose, and the demo-data notice on every page."""
    from lagesbild.access.ui import current_user
    current_user()  # refuses a page run without the router's signed-in user
    st.title(title)
    if caption:
        st.caption(caption)
    if is_demo():
        from lagesbild.demo_marker import LABEL, NOTE
        st.info(f"**{LABEL}.** Siffrorna på den här sidan är {NOTE}. Importera egna filer under "
                "*Datakällor*.", icon=":material/science:")
    from lagesbild.ui.feeds import stale_warning  # feeds imports this module
    stale_warning()


def clear_caches() -> None:
    """After an import: drop every cached query result."""
    st.cache_data.clear()


def say_empty(f, stop: bool = True) -> None:
    """The selection holds no incidents: say which data exist and offer the period that holds them
    (`presenters.empty_selection_message`, the one text for every page with a period)."""
    from lagesbild import presenters
    from lagesbild.calendar import today
    from lagesbild.ui.data import data_range
    first, last = data_range()
    empty = presenters.empty_selection_message(f.start, f.end, first, last, today())
    st.warning(empty.text)
    if empty.offer is not None:
        st.button(empty.offer_label, on_click=lambda: st.session_state.update(period="Anpassad", datum=empty.offer))
    if stop:
        st.stop()
