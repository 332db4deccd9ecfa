"""Boende: the housing company's figures per area and quarter beside the incident rates."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from lagesbild import figures, presenters
from lagesbild.queries.housing import MEASURES

TITLE = "Boende"
INTRO = ("Bostadsbolagets siffror per område och kvartal – vakans, avflyttning, störningar, skadegörelse – "
         "bredvid händelserna i samma områden.")
LEVELS = {"kommundel": "Kommundel", "omrade": "Område (RegSO)"}
CHOICES = ["disturbance_cases", "damage", "moves_out", "vacant", "evictions"]  # measures per 100 apartments
EMPTY = ("Inga bostadsuppgifter i urvalet. Välj en längre period (siffrorna kommer per kvartal) "
         "eller importera bostadsbolagets fil under Datakällor.")
NOTHING_BESIDE = "Inga kvartal med både bostadsuppgifter och händelser i urvalet."


def measure_label(measure: str) -> str:
    return f"{MEASURES[measure]} per 100 lägenheter"


@dataclass(frozen=True)
class BoendeView:
    selection: str                   # the "Urval" line (markdown)
    empty: str | None                # the warning instead of everything below, when no housing figures
    heading: str = ""
    lines: go.Figure | None = None   # the measure per area over time
    beside: go.Figure | None = None  # the measure against the incident rate, latest common quarter
    beside_note: str = ""            # the caption under `beside`, or (no common quarter) the info text
    table: pd.DataFrame | None = None


def build(housing: pd.DataFrame, rates: pd.DataFrame, measure: str, selection: str) -> BoendeView:
    """`housing`: data.housing(…); `rates`: data.housing_incident_rates(…); `selection`: describe(f)."""
    line = f"**Urval:** {selection}"
    if housing.empty:
        return BoendeView(line, EMPTY)
    column, label = f"{measure}_per_100", MEASURES[measure]
    joined = presenters.housing_beside_incidents(housing, rates, measure)
    if joined.empty:
        beside, note = None, NOTHING_BESIDE
    else:
        beside = figures.scatter_housing_incidents(joined, column, f"{label} per 100 lgh")
        note = (f"Senaste hela kvartalet med båda uppgifterna: {joined.attrs['quarter_label']}. Varje punkt är "
                "ett område. Ett samband här säger inget om orsak.")
    return BoendeView(line, None, measure_label(measure), figures.housing_lines(housing, column, "Per 100 lägenheter"),
                      beside, note, presenters.housing_table(housing))
