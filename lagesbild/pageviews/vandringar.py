"""Trygghetsvandringar: observations open and fixed, time to fix, and the overdue list."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from lagesbild import figures, presenters
from lagesbild import formatting as fmt
from lagesbild.queries.walks import WalkKpis

TITLE = "Trygghetsvandringar"
INTRO = ("Iakttagelser från vandringar i perioden: vad som är åtgärdat, vad som är öppet och vad som är "
         "försenat, per kategori, område och ansvarig.")
GROUPS = presenters.WALK_GROUPS
EMPTY = "Inga trygghetsvandringar i urvalet. Välj en längre period eller ett annat område."
NO_FIXES = "Inga åtgärdade iakttagelser i urvalet ännu."
NO_OVERDUE = "Inga försenade åtgärder."


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    delta: str | None = None
    help: str | None = None


@dataclass(frozen=True)
class VandringarView:
    selection: str
    empty: str | None
    metrics: tuple[Metric, ...] = ()
    status: go.Figure | None = None          # open/fixed/overdue per group
    fix_times: go.Figure | None = None       # None: no fixed observation (show NO_FIXES)
    overdue: pd.DataFrame | None = None      # None: nothing overdue (show NO_OVERDUE)
    overdue_note: str = ""


def metrics(k: WalkKpis) -> tuple[Metric, ...]:
    """The five headline numbers of walks.kpis."""
    median = "–" if k.median_days is None else f"{fmt.number(k.median_days)} dagar"
    in_time = None if k.share_in_time is None else f"{fmt.percent(k.share_in_time)} inom tidsfrist"
    return (Metric("Vandringar", fmt.number(k.walks)), Metric("Iakttagelser", fmt.number(k.observations)),
            Metric("Öppna", fmt.number(k.open)),
            Metric("Försenade", fmt.number(k.overdue), help="Öppna iakttagelser vars tidsfrist har passerat"),
            Metric("Mediantid till åtgärd", median, in_time))


def build(kpis: WalkKpis, status: pd.DataFrame, group: str, fixes: pd.DataFrame, overdue: pd.DataFrame,
          today: dt.date, selection: str) -> VandringarView:
    """`kpis`, `status` (grouped by `group`), `fixes`, `overdue`: data.walk_kpis, walk_status_by,
    walk_time_to_fix and walk_actions(…, "overdue") for the selection on `today`."""
    line = f"**Urval:** vandringar {selection}"
    if kpis.observations == 0:
        return VandringarView(line, EMPTY)
    status_figure = figures.status_bars(presenters.walk_status_labels(status, group), group, GROUPS[group])
    return VandringarView(
        line, None, metrics(kpis), status_figure, None if fixes.empty else figures.fix_time_histogram(fixes),
        None if overdue.empty else presenters.walk_actions_table(overdue),
        f"Öppna iakttagelser (ny eller planerad) från vandringar i perioden vars tidsfrist passerat per "
        f"{fmt.date(today)}, äldst först. Veckobriefingen visar försenade åtgärder från alla vandringar.")
