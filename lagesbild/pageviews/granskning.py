"""Granskning (administratör): the audit log as a table with its caption and export description,
and the users with their fallback roles."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lagesbild import audit
from lagesbild.exports import neutralise_formulas
from lagesbild.formatting import number

TITLE = "Granskning"
INTRO = ("Vem gjorde vad och när: inloggningar, importer, borttagningar, ändringar och nedladdningar. "
         "Användare och deras roller. Det som systemet självt gör när databasen skapas (taxonomi, demodata) "
         "finns med under namnet system; importer från kommandoraden och schemalagda hämtningar syns bara "
         "i importloggen på Datakällor.")
ROLES_NOTE = ("Roller kommer i första hand från identitetsleverantörens grupper (data/access/roles.toml). "
              "Här sätts reservroller för den som inte har någon mappad grupp, eller spärras en användare.")
USER_COLUMNS = {"subject": "Pseudonym", "label": "Användare", "organisation": "Organisation", "roles": "Reservroller",
                "blocked": "Spärrad", "first_seen": "Först sedd", "last_seen": "Senast sedd"}
SAVED = "Sparat. Ändringen gäller från användarens nästa sidladdning."


def event_filter(period, actions: list[str], who: str, outcome: str | None) -> audit.EventFilter:
    """The widgets' choices as a filter; a half-chosen date range means no period."""
    start, end = period if isinstance(period, tuple) and len(period) == 2 else (None, None)
    return audit.EventFilter(start, end, tuple(actions), who.strip(), outcome)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    return today - dt.timedelta(days=30), today


@dataclass(frozen=True)
class GranskningView:
    events: pd.DataFrame   # Swedish columns, free text neutralised (also the CSV export)
    caption: str
    export_what: str       # what the download's own audit line says was exported
    users: pd.DataFrame    # Swedish columns


def build(events: pd.DataFrame, users: pd.DataFrame, f: audit.EventFilter) -> GranskningView:
    """`events`: data.audit_events(f); `users`: data.users()."""
    what = (f"händelseloggen: {f.start}–{f.end}, händelser {', '.join(f.actions) or 'alla'}, vem '{f.actor}', "
            f"utfall {f.outcome or 'alla'}")
    n = len(events)
    return GranskningView(neutralise_formulas(_no_none(events).rename(columns=audit.COLUMNS)),
                          f"{number(n)} {'händelse' if n == 1 else 'händelser'} (nyast först, högst 5 000). "
                          "Loggen kan bara läggas till, inte ändras.", what,
                          _no_none(users).rename(columns=USER_COLUMNS))


def _no_none(frame: pd.DataFrame) -> pd.DataFrame:
    """No organisation reads "–", not "None"."""
    return frame.assign(organisation=frame["organisation"].fillna("–")) if "organisation" in frame else frame


def saved_detail(subject: str, organisation: str | None, roles: list[str], blocked: bool) -> str:
    """The audit line of a changed user."""
    return (f"{subject}: organisation {organisation or '-'}, reservroller {', '.join(sorted(roles)) or 'inga'}, "
            f"spärrad {'ja' if blocked else 'nej'}")
