"""Insatser: the list of actions, the choices of the forms, the before/after judgement of one
action and the export, in Swedish. The forms themselves (widgets and saving) stay on the page."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pandas as pd

from lagesbild import presenters
from lagesbild.calendar import local_time
from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
from lagesbild.effect import CAVEAT
from lagesbild.privacy import Policy

TITLE = "Insatser"
INTRO = ("Veckomötets beslut: vad som ska göras, var, av vem och när – följs upp (återkoppling) och bedöms "
         "mot vad som hände i området jämfört med liknande områden.")
LIST_COLUMNS = {"action_key": "Id", "title": "Insats", "areas_label": "Områden", "targets_label": "Problem",
                "kind_label": "Typ", "responsible_actor": "Ansvarig", "start_date": "Start", "end_date": "Slut",
                "status_label": "Status", "follow_up_on": "Nästa återkoppling", "last_note": "Senaste återkoppling",
                "decided_week": "Beslutad vecka"}
NOTE_COLUMNS = {"noted_on": "Datum", "note": "Anteckning", "changed_by": "Av"}
HISTORY_COLUMNS = {"changed_at": "När", "changed_by": "Vem", "via": "Via", "field": "Fält", "old_value": "Före",
                   "new_value": "Efter"}


@dataclass(frozen=True)
class InsatserView:
    listing: pd.DataFrame | None  # None: no actions yet
    targets: dict[str, str]       # what an action can target: strategic, focus area or category
    areas: dict[str, str]         # area code -> name, for the forms
    omraden: list[str]            # the område codes a comparison can be chosen among
    judged: pd.DataFrame          # actions that can be judged before/after (started, not cancelled)
    years: list[int]              # the years of the yearly follow-up, newest first


def build(actions: pd.DataFrame, categories: dict[str, str], area_frame: pd.DataFrame,
          area_choices, today: dt.date) -> InsatserView:
    """`actions`: data.action_list(…); `categories`: data.category_names(); `area_frame`,
    `area_choices`: data.area_frame(), data.area_choices()."""
    targets = {**{f"strategiskt:{k}": f"Strategiskt: {v}" for k, v in STRATEGIC_AREAS.items()},
               **{f"fokus:{k}": f"Fokus: {v}" for k, v in FOCUS_AREAS.items()}, **categories}
    omraden = [c for c, level in zip(area_frame["code"], area_frame["level"]) if level == "omrade"]
    if actions.empty:
        return InsatserView(None, targets, dict(area_choices), omraden, actions, [today.year])
    listing = actions[list(LIST_COLUMNS)].rename(columns=LIST_COLUMNS)
    listing = listing.astype(object).where(listing.notna(), "–").astype(str)
    judged = actions[(actions["status"] != "avbruten") & (actions["start_date"] <= today)]
    years = sorted({d.year for d in actions["start_date"]} | {today.year}, reverse=True)
    return InsatserView(listing, targets, dict(area_choices), omraden, judged, years)


def form_problems(title: str, responsible: str, areas: list, start: dt.date, end: dt.date | None) -> list[str]:
    """What a new action lacks (empty: it can be saved)."""
    return [m for ok, m in ((title.strip(), "Rubrik saknas."), (responsible.strip(), "Ansvarig saknas."),
                            (areas, "Välj minst ett område."),
                            (end is None or end >= start, "Slut ligger före start.")) if not ok]


@dataclass(frozen=True)
class EffectText:
    periods: str            # "**Före:** … · **Efter:** …"
    table: pd.DataFrame
    caption: str
    verdict: str
    good_news: bool         # shown as success (a decrease that the comparison supports)
    estimate: str
    notes: tuple[str, ...]
    caveat: str


def effect(view, policy: Policy) -> EffectText:
    """`view`: data.effect_view(…) (lagesbild.queries.effect.EffectView)."""
    b, a = view.before, view.after
    table = view.table[["Grupp", "Områden", "before_label", "after_label"]].rename(
        columns={"before_label": "Före", "after_label": "Efter"})
    return EffectText(f"**Före:** {b[0]} – {b[1]} · **Efter:** {a[0]} – {a[1]} (lika många hela veckor)", table,
                      f"Jämförelseområden: {view.comparison_rule}. Grannområden: områden inom 100 m. "
                      + presenters.privacy_note(policy),
                      view.verdict, view.shown and view.verdict.startswith("Minskningen"), view.estimate,
                      tuple(view.notes), "Vad bedömningen kan och inte kan säga: " + CAVEAT)


def _text(value) -> str:
    """A cell as text: dates ISO (as the list shows them), nothing as '–'."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, (dt.date, pd.Timestamp)):
        return pd.Timestamp(value).date().isoformat()
    return str(value)


def notes_table(notes: pd.DataFrame) -> pd.DataFrame:
    out = notes.rename(columns=NOTE_COLUMNS).astype(object)
    for c in out.columns:
        out[c] = out[c].map(_text)
    return out


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """The changes of one action; När in Swedish local time (stored as UTC), '–' for nothing."""
    out = history.astype(object).copy()
    for c in out.columns:
        out[c] = out[c].map(local_time if c == "changed_at" else _text)
    return out.rename(columns=HISTORY_COLUMNS)


def excel_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The file Datakällor → Insatser reads back (semicolons, UTF-8 with BOM for Excel)."""
    return frame.to_csv(index=False, sep=";").encode("utf-8-sig")
