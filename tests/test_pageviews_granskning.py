"""Granskning's view from small inline frames, exact values (lagesbild.pageviews.granskning)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lagesbild import audit
from lagesbild.pageviews import granskning

EVENTS = pd.DataFrame({"at": [dt.datetime(2026, 11, 18, 9, 0)], "actor": ["u-1a2b"], "label": ["Lisa"],
                       "organisation": ["vpc"], "action": ["nedladdning"], "outcome": ["ok"],
                       "detail": ["=HYPERLINK(\"x\")"]})
USERS = pd.DataFrame({"subject": ["u-1a2b"], "label": ["Lisa"], "organisation": ["vpc"], "roles": ["läsare"],
                      "blocked": [False], "first_seen": [dt.datetime(2026, 1, 2)], "last_seen": [dt.datetime(2026, 11, 18)]})


def test_the_filter_from_the_widgets():
    period = (dt.date(2026, 11, 1), dt.date(2026, 11, 18))
    assert granskning.event_filter(period, ["inloggning"], "  lisa ", None) == audit.EventFilter(
        dt.date(2026, 11, 1), dt.date(2026, 11, 18), ("inloggning",), "lisa", None)
    # A date range with only its first day chosen yet: no period.
    assert granskning.event_filter((dt.date(2026, 11, 1),), [], "", audit.OK) == audit.EventFilter(
        None, None, (), "", audit.OK)
    assert granskning.default_period(dt.date(2026, 11, 18)) == (dt.date(2026, 10, 19), dt.date(2026, 11, 18))


def test_the_view():
    f = audit.EventFilter(dt.date(2026, 11, 1), dt.date(2026, 11, 18), ("nedladdning",), "lisa", None)
    view = granskning.build(EVENTS, USERS, f)
    assert list(view.events.columns) == ["Tid", "Vem (pseudonym)", "Användare", "Organisation", "Händelse",
                                         "Utfall", "Detaljer"]
    assert view.events["Detaljer"].tolist() == ["'=HYPERLINK(\"x\")"]  # neutralised: the table is exported
    assert view.caption == "1 händelse (nyast först, högst 5 000). Loggen kan bara läggas till, inte ändras."
    assert view.export_what == ("händelseloggen: 2026-11-01–2026-11-18, händelser nedladdning, vem 'lisa', "
                                "utfall alla")
    assert list(view.users.columns) == ["Pseudonym", "Användare", "Organisation", "Reservroller", "Spärrad",
                                        "Först sedd", "Senast sedd"]


def test_plural_and_no_organisation():
    f = audit.EventFilter()
    two = pd.concat([EVENTS, EVENTS.assign(organisation=[None])], ignore_index=True)
    view = granskning.build(two, USERS.assign(organisation=[None]), f)
    assert view.caption.startswith("2 händelser (nyast först")
    assert view.events["Organisation"].tolist() == ["vpc", "–"]
    assert view.users["Organisation"].tolist() == ["–"]
    assert granskning.build(EVENTS.iloc[:0], USERS, f).caption.startswith("0 händelser ")


def test_the_intro_says_what_the_log_holds_of_system_imports():
    assert "när databasen skapas (taxonomi, demodata)" in granskning.INTRO
    assert "kommandoraden och schemalagda hämtningar syns bara i importloggen på Datakällor" in granskning.INTRO


def test_the_demo_import_at_init_is_in_the_audit_log(demo_engine):
    """The import log on Datakällor shows the demo import; the audit trail has it too, as the
    system's (like the taxonomy read at start)."""
    from sqlalchemy import select

    from lagesbild import demo_marker
    from lagesbild.store.models import ImportLog
    with demo_engine.connect() as conn:
        demo_id, rows = conn.execute(select(ImportLog.id, ImportLog.rows_accepted)
                                     .where(ImportLog.kind == demo_marker.KIND)).one()
        events = audit.events(conn, audit.EventFilter(actions=(audit.IMPORT,)))
    assert list(events[["actor", "outcome"]].itertuples(index=False, name=None)) == [("system", audit.OK)]
    assert events.at[0, "detail"] == (f"Demodata inlagda när databasen skapades ({demo_marker.NOTE}): "
                                      f"import {demo_id}, {rows} rader")


def test_the_audit_line_of_a_changed_user():
    assert granskning.saved_detail("u-1a2b", None, ["samordnare", "läsare"], True) == (
        "u-1a2b: organisation -, reservroller läsare, samordnare, spärrad ja")
    assert granskning.saved_detail("u-1a2b", "vpc", [], False) == "u-1a2b: organisation vpc, reservroller inga, spärrad nej"
