"""Våldspyramiden: incidents by severity level, for the whole selection and per kommundel."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from lagesbild import figures, presenters
from lagesbild.privacy import Policy

TITLE = "Våldspyramiden"
INTRO = ("Händelser efter allvarlighetsnivå: från kränkningar längst ned till grovt våld i toppen. "
         "Bara kategorier med en nivå i taxonomin räknas.")
EMPTY = "Urvalet innehåller inga händelser med en nivå i våldspyramiden."


@dataclass(frozen=True)
class PyramidenView:
    selection: str
    empty: str | None
    pyramid: go.Figure | None = None   # the whole selection
    by_area: go.Figure | None = None   # kommundel × level heat table
    table: pd.DataFrame | None = None  # the same as a table of labels
    note: str = ""


def build(levels: pd.DataFrame, by_area: pd.DataFrame, policy: Policy, selection: str) -> PyramidenView:
    """`levels`: data.pyramid(…); `by_area`: data.pyramid_by_area(…)."""
    line = f"**Urval:** {selection}"
    if levels.empty:
        return PyramidenView(line, EMPTY)
    return PyramidenView(line, None, figures.pyramid(levels),
                         figures.heat_table(by_area, "pyramid_level_label", "kommundel_label", "Antal"),
                         presenters.pyramid_table(by_area), presenters.privacy_note(policy))
