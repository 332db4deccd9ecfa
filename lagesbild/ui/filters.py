"""The shared sidebar filters, kept in the URL query string so a view can be shared as a link."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from lagesbild import formatting as fmt
from lagesbild.calendar import last_complete_week_end, today
from lagesbild.domain.vocab import FOCUS_AREAS, SOURCES, STRATEGIC_AREAS
from lagesbild.queries.filters import Filters
from lagesbild.ui import data

PERIODS = ["Senaste veckan", "Senaste 4 veckorna", "Senaste 13 veckorna", "Senaste 52 veckorna",
           "Hittills i år", "Förra året", "Anpassad"]
DEFAULT_PERIOD = "Senaste 52 veckorna"


def anchor_week_end() -> dt.date:
    """Sunday of the last complete ISO week that has data (or of the last complete week)."""
    end = last_complete_week_end(today())
    _, last = data.data_range()
    if last is not None and last < end:
        end = last_complete_week_end(last + dt.timedelta(days=1))
    return end


def period_dates(choice: str, end: dt.date, custom: tuple | None = None) -> tuple[dt.date, dt.date]:
    """Start and end of a named period ending at `end` (a Sunday)."""
    weeks = {"Senaste veckan": 1, "Senaste 4 veckorna": 4, "Senaste 13 veckorna": 13,
             "Senaste 52 veckorna": 52}
    if choice in weeks:
        return end - dt.timedelta(weeks=weeks[choice], days=-1), end
    if choice == "Hittills i år":
        return dt.date(end.year, 1, 1), end
    if choice == "Förra året":
        return dt.date(end.year - 1, 1, 1), dt.date(end.year - 1, 12, 31)
    if custom and len(custom) == 2 and all(custom):
        return min(custom), max(custom)
    return end - dt.timedelta(weeks=52, days=-1), end


def sidebar_filters(with_period: bool = True) -> Filters:
    """Draw the shared filters in the sidebar and return the selection. A page that chooses its own
    week (Veckobriefing) gets no period widget (`with_period=False`): nothing it ignores is shown."""
    end = anchor_week_end()
    with st.sidebar:
        st.header("Urval")
        start, stop = period_dates(DEFAULT_PERIOD, end)
        if with_period:
            choice = st.selectbox("Period", PERIODS, index=PERIODS.index(DEFAULT_PERIOD), key="period",
                                  bind="query-params")
            custom = None
            if choice == "Anpassad":
                custom = st.date_input("Datum från – till", value=(end - dt.timedelta(days=90), end),
                                       format="YYYY-MM-DD", key="datum", bind="query-params")
            start, stop = period_dates(choice, end, custom if isinstance(custom, tuple) else None)
            st.caption(f"{fmt.date_range(start, stop)} ({fmt.week_label(start)} – "
                       f"{fmt.week_label(stop - dt.timedelta(days=stop.weekday()))})")
        choices = dict(data.area_choices())
        asked_areas = st.query_params.get_all("omrade")  # before the widget drops what it does not know
        areas = st.multiselect("Område", list(choices), format_func=lambda c: choices.get(c, c),
                               placeholder="Alla områden", key="omrade", bind="query-params")
        sources = st.multiselect("Källa", list(SOURCES), format_func=SOURCES.get,
                                 placeholder="Alla källor", key="kalla", bind="query-params")
        strategic = st.multiselect("Strategiskt område", list(STRATEGIC_AREAS), format_func=STRATEGIC_AREAS.get,
                                   placeholder="Alla strategiska områden", key="strategi", bind="query-params")
        focus = st.multiselect("Fokusområde", list(FOCUS_AREAS), format_func=FOCUS_AREAS.get,
                               placeholder="Alla fokusområden", key="fokus", bind="query-params")
        names = data.category_names()
        asked_categories = st.query_params.get_all("kategori")
        categories = st.multiselect("Kategori", list(names), format_func=lambda c: names.get(c, c),
                                    placeholder="Alla kategorier", key="kategori", bind="query-params")
        note = remember_dropped(unknown_in_link(asked_areas, choices.values()),
                                unknown_in_link(asked_categories, names.values()), tuple(areas), tuple(categories))
        if note:
            st.warning(note)
        st.caption("Urvalet sparas i adressfältet: kopiera länken för att dela vyn.")
    return Filters(start, stop, tuple(areas), tuple(sources), tuple(strategic), tuple(focus), tuple(categories))


def unknown_in_link(asked: list[str], known) -> tuple[str, ...]:
    """The values a shared link names that the app does not know (any more): Streamlit drops them
    from a bound widget without a word."""
    known = set(known)
    return tuple(dict.fromkeys(v for v in asked if v and v not in known))


def dropped_note(areas: tuple[str, ...], categories: tuple[str, ...], shown_areas: tuple[str, ...],
                 shown_categories: tuple[str, ...]) -> str | None:
    """What the page says about a link that named areas or categories that do not exist."""
    parts = []
    if areas:
        parts.append(f"områden som inte finns: {', '.join(areas)}. Visar i stället "
                     + ("de övriga valda områdena" if shown_areas else "alla områden"))
    if categories:
        parts.append(f"kategorier som inte finns: {', '.join(categories)}. Visar i stället "
                     + ("de övriga valda kategorierna" if shown_categories else "alla kategorier"))
    return ("Länken nämnde " + "; och ".join(parts) + ".") if parts else None


def remember_dropped(areas: tuple[str, ...], categories: tuple[str, ...], shown_areas: tuple[str, ...],
                     shown_categories: tuple[str, ...]) -> str | None:
    """The note about dropped link values, kept until the user changes the area or category filter
    (Streamlit removes the unknown values from the URL on the first run)."""
    key = "_dropped_from_link"
    if areas or categories:
        st.session_state[key] = (dropped_note(areas, categories, shown_areas, shown_categories),
                                 shown_areas, shown_categories)
    kept = st.session_state.get(key)
    if kept and (kept[1], kept[2]) != (shown_areas, shown_categories):
        st.session_state.pop(key, None)
        return None
    return kept[0] if kept else None


def link_note() -> str | None:
    """The note about a shared link's unknown values for the page body (None when there is none)."""
    kept = st.session_state.get("_dropped_from_link")
    return kept[0] if kept else None


def describe(f: Filters) -> str:
    """One line that says what the selection is, for captions and handouts."""
    choices = dict(data.area_choices())
    parts = [fmt.date_range(f.start, f.end),
             ", ".join(choices.get(a, a) for a in f.areas) or "alla områden"]
    if f.sources:
        parts.append(", ".join(SOURCES[s] for s in f.sources))
    if f.strategic_areas:
        parts.append(", ".join(STRATEGIC_AREAS[s] for s in f.strategic_areas))
    if f.focus_areas:
        parts.append(", ".join(FOCUS_AREAS[s] for s in f.focus_areas))
    if f.categories:
        names = data.category_names()
        parts.append(", ".join(names.get(c, c) for c in f.categories))
    return " · ".join(parts)


def current() -> Filters:
    """The selection made in the sidebar on this run (set by app.py before the page runs)."""
    return st.session_state["_filters"]
