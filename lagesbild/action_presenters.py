"""Actions as the weekly briefing and its handout show them (plain tables, Swedish headers)."""
from __future__ import annotations

import pandas as pd

WEEK_COLUMNS = {"action_key": "Id", "title": "Insats", "areas_label": "Områden", "responsible_actor": "Ansvarig",
                "status_label": "Status", "end_date": "Slut", "follow_up_on": "Återkoppling"}
HEADINGS = {"new": "Nya beslut denna vecka", "due": "Ska följas upp (återkoppling senast denna vecka)",
            "running": "Pågår denna vecka"}


def week_tables(week) -> dict[str, pd.DataFrame]:
    """Heading -> table for lagesbild.queries.actions.WeekActions (empty tables left out)."""
    out = {}
    for name, heading in HEADINGS.items():
        df = getattr(week, name)
        if len(df):
            table = df[list(WEEK_COLUMNS)].rename(columns=WEEK_COLUMNS)
            out[heading] = table.assign(Slut=table["Slut"].map(lambda d: d.isoformat() if d else "tills vidare"),
                                        Återkoppling=table["Återkoppling"].map(lambda d: d.isoformat() if d else "–"))
    return out
