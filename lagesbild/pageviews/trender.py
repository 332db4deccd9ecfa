"""Trender's view: the series chart with its notes and the year-over-year table, from published
values (queries.trends.series and year_over_year) and the page's choices."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from lagesbild import figures, freshness, presenters
from lagesbild.privacy import Policy
from lagesbild.queries.trends import ROLLING

GRAIN_NAMES = {"week": "Vecka", "month": "Månad", "quarter": "Kvartal"}
MEASURE_NAMES = {"count": "Antal", "rate": "Per 1 000 invånare"}
VALUE_NAMES = {"count": "Antal händelser", "rate": "Händelser per 1 000 invånare"}
_ROLLING_TEXT = {"week": f"{ROLLING['week']} veckor", "month": f"{ROLLING['month']} månader",
                 "quarter": f"{ROLLING['quarter']} kvartal"}
_UNIT = {"week": "veckan", "month": "månaden", "quarter": "kvartalet"}
EMPTY = "Urvalet innehåller inga händelser. Välj en längre period eller färre filter."


@dataclass(frozen=True)
class TrenderView:
    empty: str | None                 # the warning instead of the chart (no events)
    figure: go.Figure | None
    notes: str                        # the caption under the chart
    reference_note: str | None        # why the kommun line is not drawn, when asked for and not drawn
    year_heading: str
    year_table: pd.DataFrame | None
    year_note: str | None
    year_empty: str | None


def reference_available(measure: str, areas: tuple[str, ...]) -> tuple[bool, str]:
    """Whether the kommun reference line can be drawn, and the help text that says when it can."""
    if not areas:
        return False, "Urvalet är redan hela kommunen: välj ett eller flera områden för att jämföra dem med kommunen."
    if measure != "rate":
        return False, ("Jämförelsen med hela kommunen visas per 1 000 invånare (ett områdes antal och "
                       "kommunens antal går inte att läsa på samma axel): välj Mått \u201dPer 1 000 invånare\u201d.")
    return True, "Hela kommunen med samma källor och kategorier, per 1 000 invånare, på samma axel."


def build(points: pd.DataFrame, years: pd.DataFrame, *, grain: str, split: str, measure: str, policy: Policy,
          delivered_through: dt.date | None = None, bands: pd.DataFrame | None = None,
          reference: bool = False, areas: tuple[str, ...] = ()) -> TrenderView:
    """`points`: trends.series (published); `years`: trends.year_over_year (published);
    `split` the page's choice ("none": no split); `reference`: the kommun line was asked for."""
    year_split = "strategic_area" if split == "none" else split
    year_view = _years(years, year_split, measure)
    if points.empty or (points["n"].fillna(0).sum() == 0 and not points["suppressed"].any()):
        return TrenderView(EMPTY, None, "", None, *year_view)
    shown = presenters.with_split_labels(freshness.mark_undelivered(points, grain, delivered_through), split)
    decimals = 0 if measure == "count" else 2
    fig = figures.trend_lines(shown, grain, VALUE_NAMES[measure], decimals=decimals, bands=bands)
    ly = ("prickad: samma ISO-vecka året innan" if grain == "week"
          else f"prickad: samma del av {_UNIT[grain]} året innan (samma veckor)")
    notes = [f"Streckad linje: glidande medelvärde ({_ROLLING_TEXT[grain]})", ly]
    drawn = "reference" in shown and shown["reference"].notna().any()
    if drawn:
        notes.append("lång streckad linje: hela kommunen (samma källor och kategorier) per 1 000 invånare")
    if shown["partial"].any():
        notes.append(f"ofylld ring: {_UNIT[grain]} ingår bara delvis (urvalet börjar eller slutar mitt i den, "
                     "eller alla källor har inte levererat den)")
    if bands is not None and len(bands):
        notes.append("färgade band: insatser från start till slut (sidan Insatser)")
    rule = ("Varje punkt räknar bara urvalets dagar, så summan av punkterna är urvalets antal "
            "(som på Översikt).")
    caption = "; ".join(notes) + ". " + rule + " " + presenters.privacy_note(policy)
    reference_note = None
    if reference and not drawn:
        reference_note = reference_available(measure, areas)[1]
    return TrenderView(None, fig, caption, reference_note, *year_view)


def _years(years: pd.DataFrame, split: str, measure: str) -> tuple:
    heading = f"År mot år: {presenters.year_table_heading(measure).lower()}"
    if years is None or years.empty:
        return heading, None, None, "Inga händelser att jämföra."
    table = presenters.year_table(years, split, measure)
    through = years.attrs.get("through", [])
    what = ("händelser per 1 000 invånare i urvalets områden (folkmängden det året)" if measure == "rate"
            else "antal händelser")
    if len({(d, m) for _, d, m in through}) <= 1:
        span = (f"Varje år räknas 1 januari – {through[0][1]}/{through[0][2]}, så att åren jämförs på samma dagar"
                if through else "Varje år räknas från 1 januari")
    else:
        span = ("Varje år räknas 1 januari till söndagen i samma ISO-vecka som urvalets slut ("
                + ", ".join(f"{y}: {d}/{m}" for y, d, m in sorted(through, reverse=True))
                + "), så att åren jämförs på samma veckor")
    note = f"Tabellen visar {what}. {span}. " + presenters.percent_rule_note()
    return heading, table, note, None
