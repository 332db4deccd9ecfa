"""Veckobriefing's view: the weeks to choose from, and for one week the KPIs against the normal week,
the flags, the week's actions, the heat table, walks and housing — one view that feeds the page,
the HTML handout (lagesbild.handout) and the PDF (lagesbild.report_pdf) alike.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from lagesbild import calendar, figures, presenters
from lagesbild import formatting as fmt
from lagesbild.domain.vocab import STRATEGIC_AREAS
from lagesbild.handout import Handout, Kpi
from lagesbild.privacy import Policy
from lagesbild.queries.compare import Flags, WeekComparison

WEEKS_TO_CHOOSE = 26


@dataclass(frozen=True)
class WeekChoice:
    """The weeks the page offers (key '2026-W46' -> Monday, newest first), the default key, and a
    sentence when the link asked for a week that is not among them."""

    weeks: dict[str, dt.date]
    default: str
    notice: str | None = None

    def label(self, key: str) -> str:
        return week_option_label(self.weeks[key])


def week_choices(anchor_end: dt.date, last_data: dt.date | None, today: dt.date, requested: str | None = None,
                 count: int = WEEKS_TO_CHOOSE) -> WeekChoice:
    """The `count` complete weeks up to `anchor_end` (a Sunday), and on top the week that has begun
    but is not over when it already holds data (marked as such on the page). The default is the
    last complete week, or the week a link names by its key ('2026-W40')."""
    last = anchor_end - dt.timedelta(days=6)
    weeks = {calendar.week_key(m): m for m in (last - dt.timedelta(weeks=i) for i in range(count))}
    default = calendar.week_key(last)
    current = calendar.monday(today)
    if last_data is not None and current > last and last_data >= current:
        weeks = {calendar.week_key(current): current, **weeks}
    notice = None
    # A link holds the week as the list shows it (Streamlit binds the formatted option); the key is
    # accepted too.
    if requested and requested not in weeks and requested not in {week_option_label(m) for m in weeks.values()}:
        notice = (f"Veckan {requested} i länken finns inte bland de veckor som kan väljas "
                  f"({fmt.week_label(last - dt.timedelta(weeks=count - 1))} – {fmt.week_label(last)}). "
                  f"Sidan visar {fmt.week_label(last)} i stället.")
    if requested in weeks:  # '?vecka=2026-W40' opens that week
        default = requested
    return WeekChoice(weeks, default, notice)


def week_option_label(monday: dt.date) -> str:
    """'v. 46 2026 (9 nov 2026 – 15 nov 2026)': the same whether the week is over or not, so that a
    shared link (which holds this text) keeps working; the page says when a week is not over."""
    return fmt.week_label(monday) + f" ({fmt.date_range(monday, calendar.week_end(monday))})"


@dataclass(frozen=True)
class VeckobriefingView:
    key: str                             # '2026-W46'
    header: str                          # 'Vecka 46, 9 nov 2026 – 15 nov 2026'
    notices: tuple[str, ...]             # a week not over, a week from a link that does not exist
    empty: presenters.EmptySelection | None  # the week holds no incidents at all
    kpis: tuple[Kpi, ...]
    normal_caption: str
    flag_state: str                      # "no_baseline", "none" or "some"
    flag_lines: tuple[str, ...]          # markdown
    flags_note: str
    action_tables: dict
    heat: go.Figure | None               # kommundel × strategic area, projector layout
    area_table: pd.DataFrame
    actor_table: pd.DataFrame
    overdue: int
    housing_table: pd.DataFrame
    housing_caption: str | None
    handout: Handout
    pdf_name: str
    html_name: str
    download_what: str = field(default="")


def kpis(week: WeekComparison, policy: Policy) -> tuple[Kpi, ...]:
    """One KPI per strategic area (in the canonical order): the week's published count and its
    difference from the normal week, the sign first."""
    table = week.table.set_index("strategic_area") if len(week.table) else week.table
    out = []
    for code, name in STRATEGIC_AREAS.items():
        row = table.loc[code] if code in table.index else None
        value = row["n_label"] if row is not None else "0"
        note = presenters.normal_delta(row["n"] if row is not None else 0.0,
                                       row["expected"] if row is not None else 0.0, policy.label())
        out.append(Kpi(name, value, note))
    return tuple(out)


def heat_cells(cells: pd.DataFrame, area_names: dict) -> pd.DataFrame:
    """The week's kommundel × strategic area cells with Swedish labels x (area) and y (kommundel)."""
    return cells.assign(x=cells["strategic_area"].map(STRATEGIC_AREAS), y=cells["kommundel"].map(area_names))


def build(*, monday: dt.date, key: str, week: WeekComparison, flags: Flags, policy: Policy, cells: pd.DataFrame,
          area_names: dict, category_names: dict, action_tables: dict, actors: pd.DataFrame,
          housing_signals: pd.DataFrame, selection: str, demo: bool, late: str, today: dt.date,
          data_first: dt.date | None, data_last: dt.date | None, link_notice: str | None = None) -> VeckobriefingView:
    """Everything the page, the handout and the PDF show for the week starting `monday`."""
    end = calendar.week_end(monday)
    number = calendar.week_number(monday)
    notices = [n for n in [link_notice] if n]
    if end >= today:
        notices.append(f"Vecka {number} är inte slut: talen gäller de dagar som har data hittills och är "
                       "därför lägre än en hel vecka. Jämför med normalt först när veckan är slut.")
    empty = None if len(cells) else presenters.empty_selection_message(monday, end, data_first, data_last, today)
    lines = presenters.unusual_lines(flags.cells, area_names, category_names, policy)
    state = "no_baseline" if flags.baseline is None else ("none" if flags.cells.empty else "some")
    flags_note = presenters.flags_test_note(flags)
    shown = heat_cells(cells, area_names) if len(cells) else cells
    heat = None
    if len(cells):
        heat = figures.projector_layout(figures.heat_table(shown, "x", "y", "Antal",
                                                           x_order=list(STRATEGIC_AREAS.values())))
    area_table = presenters.cells_wide(shown, "y", "x", "Kommundel") if len(cells) else pd.DataFrame()
    if len(area_table):
        area_table = area_table[["Kommundel"] + [c for c in STRATEGIC_AREAS.values() if c in area_table.columns]]
    actor_table = presenters.actor_table(actors)
    housing = presenters.housing_signal_table(housing_signals) if len(housing_signals) else pd.DataFrame()
    housing_caption = (f"Botkyrkabyggens siffror för {fmt.quarter_label(housing_signals.attrs['period_start'])} "
                       "jämfört med samma kvartal året innan.") if len(housing_signals) else None
    header = f"Vecka {number}, {fmt.date_range(monday, end)}"
    week_kpis = kpis(week, policy)
    handout = Handout(
        title=f"Veckobriefing vecka {number}, {fmt.date_range(monday, end)}", selection=selection,
        kpis=week_kpis, flags=tuple(presenters.plain(x) for x in lines),
        flags_note=f"{flags_note} {late}".strip(), area_table=area_table, walk_actions=actor_table,
        housing=housing, actions=action_tables, demo=demo, privacy_note=presenters.privacy_note(policy))
    return VeckobriefingView(
        key=key, header=header, notices=tuple(notices), empty=empty, kpis=week_kpis,
        normal_caption=f"Normalt = {presenters.weekly_mean_text(week.baseline)}.",
        flag_state=state, flag_lines=tuple(lines), flags_note=flags_note, action_tables=action_tables,
        heat=heat, area_table=area_table, actor_table=actor_table,
        overdue=int(actors["overdue"].sum()) if len(actors) else 0,
        housing_table=housing, housing_caption=housing_caption, handout=handout,
        pdf_name=f"lagesbild_veckobriefing_{key}{'_demodata' if demo else ''}.pdf",
        html_name=f"lagesbild_veckobriefing_{key}{'_demodata' if demo else ''}.html",
        download_what=f"Veckobriefing {key} (utskrift): {selection}; publik {policy.audience}")
